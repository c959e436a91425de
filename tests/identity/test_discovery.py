"""Discovery (OIDC Discovery §3, RFC 8414 §2) advertises only what the provider does: each value
is checked against the real endpoint."""

from __future__ import annotations

import pytest
from authlib.integrations.httpx_client import OAuth2Client
from django.test import Client

pytestmark = pytest.mark.django_db
DISCOVERY = "/.well-known/openid-configuration"


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_advertised_client_secret_methods_authenticate_at_the_token_endpoint(live_server, make_client,
                                                                             method: str) -> None:  # noqa: ANN001
    import httpx

    discovery = httpx.get(live_server.url + DISCOVERY).json()
    assert method in discovery["token_endpoint_auth_methods_supported"]
    app = make_client(grant_type="client-credentials", allowed_scopes="openid profile")
    rp = OAuth2Client(client_id=app.client_id, client_secret=app.raw_secret, token_endpoint_auth_method=method)
    token = rp.fetch_token(discovery["token_endpoint"], grant_type="client_credentials", scope="profile")
    assert token["token_type"] == "Bearer" and token["scope"] == "profile"


def test_only_rs256_is_advertised_and_the_back_office_refuses_hs256_and_plain_secrets(client: Client) -> None:
    """ADR 0124: HS256 would sign ID tokens with the client secret, which is stored only hashed, so
    discovery lists RS256 alone and the client form refuses HS256 and an unticked "hash client
    secret" at their fields (Indonesian by default), saving nothing."""
    from oauth2_provider.models import Application

    from satupintu.identity import testing
    from tests.identity.test_client_secret_rule import STRONG, add_form

    assert client.get(DISCOVERY).json()["id_token_signing_alg_values_supported"] == ["RS256"]
    admin = Client()
    admin.force_login(testing.make_platform_admin())
    add = "/kelola/oauth2_provider/application/add/"
    refused = admin.post(add, add_form(admin, client_secret=STRONG, algorithm="HS256"))
    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert "HS256 tidak disediakan" in " ".join(form.errors["algorithm"])
    plain = add_form(admin, client_secret=STRONG)
    plain.pop("hash_client_secret", None)  # an unticked checkbox is not posted
    refused = admin.post(add, plain)
    errors = refused.context["adminform"].form.errors
    assert "selalu disimpan dalam bentuk hash" in " ".join(errors["hash_client_secret"])
    assert not Application.objects.filter(name="Sistem Antrean").exists()
    accepted = admin.post(add, add_form(admin, client_secret=STRONG))
    assert accepted.status_code == 302, accepted.context["adminform"].form.errors if accepted.context else accepted
    assert Application.objects.get(name="Sistem Antrean").algorithm == "RS256"


def _assertion_key(alg: str):  # noqa: ANN202
    from jwcrypto import jwk

    if alg.startswith("ES"):
        return jwk.JWK.generate(kty="EC", crv={"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg], kid=alg)
    return jwk.JWK.generate(kty="RSA", size=2048, kid=alg)


def _client_credentials_with_assertion(client: Client, make_client, alg: str) -> int:  # noqa: ANN001
    import json
    import time
    import uuid

    from jwcrypto import jwt

    key = _assertion_key(alg)
    app = make_client(grant_type="client-credentials", allowed_scopes="openid")
    app.relying_party.jwks = {"keys": [json.loads(key.export_public())]}
    app.relying_party.save()
    now = int(time.time())
    token = jwt.JWT(header={"alg": alg, "kid": key.kid}, claims={
        "iss": app.client_id, "sub": app.client_id, "aud": "http://testserver/o/token/", "iat": now,
        "exp": now + 60, "jti": str(uuid.uuid4())})
    token.make_signed_token(key)
    return client.post("/o/token/", {
        "grant_type": "client_credentials", "client_id": app.client_id,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": token.serialize()}).status_code


def test_private_key_jwt_signing_algorithms_are_advertised_exactly_as_the_token_endpoint_accepts_them(
        client: Client, make_client) -> None:  # noqa: ANN001
    """RFC 8414 §2: ``token_endpoint_auth_signing_alg_values_supported`` is REQUIRED when
    ``private_key_jwt`` is listed; every advertised algorithm authenticates, others do not (ADR 0127)."""
    discovery = client.get(DISCOVERY).json()
    assert "private_key_jwt" in discovery["token_endpoint_auth_methods_supported"]
    advertised = discovery["token_endpoint_auth_signing_alg_values_supported"]
    assert advertised and "none" not in advertised and not any(a.startswith("HS") for a in advertised)
    for alg in advertised:
        assert _client_credentials_with_assertion(client, make_client, alg) == 200, alg
    for alg in ("RS384", "ES384", "PS512"):
        assert alg not in advertised
        assert _client_credentials_with_assertion(client, make_client, alg) == 401, alg
