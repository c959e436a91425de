"""Discovery (OIDC Discovery §3, RFC 8414 §2) advertises only what the provider does: each value
is checked against the real endpoint."""

from __future__ import annotations

import pytest
from authlib.integrations.httpx_client import OAuth2Client
from django.test import Client
from jwcrypto import jwk, jwt

from tests.identity.test_oidc import exchange, get_code, sign_in

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


def test_hs256_stays_advertised_because_a_client_registered_with_it_gets_hs256_id_tokens(
        client: Client, citizen, make_client) -> None:  # noqa: ANN001
    # RS256 is the documented choice; a platform admin may still register HS256 with an unhashed
    # secret (DOT's rule: the secret is the HMAC key), and the ID token is then signed with it.
    assert client.get(DISCOVERY).json()["id_token_signing_alg_values_supported"] == ["RS256", "HS256"]
    app = make_client()
    app.algorithm, app.hash_client_secret, app.client_secret = "HS256", False, app.raw_secret
    app.full_clean()
    app.save()
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    id_token = exchange(client, app, code, verifier).json()["id_token"]
    key = jwk.JWK(kty="oct", k=jwk.base64url_encode(app.raw_secret.encode()))
    verified = jwt.JWT(jwt=id_token, key=key, algs=["HS256"])
    assert '"aud"' in verified.claims
