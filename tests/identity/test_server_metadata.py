"""The RFC 8414 metadata document says what the token endpoint really offers, as the OpenID
Connect discovery document does; the device grant it once listed is refused as unsupported."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.identity.test_oidc import TOKEN, basic

pytestmark = pytest.mark.django_db


def test_oauth_metadata_lists_the_same_grants_and_client_authentication_as_discovery(client: Client) -> None:
    oauth = client.get("/o/.well-known/oauth-authorization-server").json()
    oidc = client.get("/o/.well-known/openid-configuration").json()
    assert oauth["issuer"] == oidc["issuer"]
    assert oauth["grant_types_supported"] == oidc["grant_types_supported"]
    assert "urn:ietf:params:oauth:grant-type:device_code" not in oauth["grant_types_supported"]
    assert oauth["token_endpoint_auth_methods_supported"] == oidc["token_endpoint_auth_methods_supported"]
    assert "private_key_jwt" in oauth["token_endpoint_auth_methods_supported"]
    # RFC 8414 §2: REQUIRED when private_key_jwt is listed
    assert oauth["token_endpoint_auth_signing_alg_values_supported"] == \
        oidc["token_endpoint_auth_signing_alg_values_supported"]


def test_the_device_grant_is_unsupported_grant_type(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client()
    response = client.post(TOKEN, {"grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                                   "device_code": "abc"}, HTTP_AUTHORIZATION=basic(app))
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
