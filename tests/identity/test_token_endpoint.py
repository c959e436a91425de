"""Token endpoint: no session work for a client-credentials grant, scopes capped by the relying
party, unknown or malformed client ids are ``invalid_client`` (RFC 6749 §5.2), never a 500."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.identity.test_oidc import TOKEN, basic

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


def test_client_credentials_grant_does_no_session_or_user_work(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials", allowed_scopes="openid profile")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(TOKEN, "grant_type=client_credentials&scope=profile", content_type=FORM,
                               HTTP_AUTHORIZATION=basic(app))
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "profile"
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "django_session" not in tables and "identity_user" not in tables and "audit_" not in tables


def test_client_credentials_scopes_are_still_capped_by_the_relying_party(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials", allowed_scopes="openid profile")
    response = client.post(TOKEN, "grant_type=client_credentials&scope=email", content_type=FORM,
                           HTTP_AUTHORIZATION=basic(app))
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


@pytest.mark.parametrize("client_id", ["tidak-ada", "a\x00b", "x" * 5000, "é"])
def test_unknown_or_malformed_client_id_is_invalid_client(client: Client, make_client, client_id: str) -> None:  # noqa: ANN001
    make_client(grant_type="client-credentials")
    auth = "Basic " + base64.b64encode(f"{quote(client_id, safe='')}:rahasia".encode()).decode()
    response = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
