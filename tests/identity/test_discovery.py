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
