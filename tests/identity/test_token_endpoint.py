"""Token endpoint: no session work for a client-credentials grant, scopes capped by the relying
party, unknown or malformed client ids are ``invalid_client`` (RFC 6749 §5.2), never a 500."""

from __future__ import annotations

import base64
import hashlib
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


@pytest.fixture
def authorized_tokens():  # noqa: ANN201
    """The tokens DOT's ``app_authorized`` signal reports, as a receiver sees them."""
    from oauth2_provider.signals import app_authorized

    seen: list = []

    def receiver(sender, request, token, **kwargs) -> None:  # noqa: ANN001, ARG001
        seen.append(token)

    app_authorized.connect(receiver, dispatch_uid="test-authorized-tokens")
    yield seen
    app_authorized.disconnect(dispatch_uid="test-authorized-tokens")


@pytest.mark.parametrize("path", [TOKEN, "/oauth/token"])
def test_grant_signals_the_saved_token_without_reading_it_back(client: Client, make_client, authorized_tokens,
                                                               path: str) -> None:  # noqa: ANN001
    from oauth2_provider.models import AccessToken

    app = make_client(grant_type="client-credentials")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, "grant_type=client_credentials", content_type=FORM,
                               HTTP_AUTHORIZATION=basic(app))
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    checksum = hashlib.sha256(response.json()["access_token"].encode()).hexdigest()
    stored = AccessToken.objects.get(token_checksum=checksum)
    assert [(t.pk, t.application_id, t.scope, t.expires) for t in authorized_tokens] == [
        (stored.pk, app.pk, stored.scope, stored.expires)]
    assert not [q for q in queries.captured_queries
                if q["sql"].startswith("SELECT") and "oauth2_provider_accesstoken" in q["sql"]]


def test_failed_grant_signals_nothing(client: Client, make_client, authorized_tokens) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    response = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM,
                           HTTP_AUTHORIZATION=basic(app, "salah-rahasia"))
    assert response.status_code == 401
    assert authorized_tokens == []


def test_refresh_grant_signals_the_new_token(client: Client, citizen, make_client, authorized_tokens) -> None:  # noqa: ANN001
    from oauth2_provider.models import AccessToken

    from tests.identity.test_oidc import exchange, get_code, sign_in

    app = make_client()
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    first = exchange(client, app, code, verifier).json()
    response = client.post(TOKEN, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
                           HTTP_AUTHORIZATION=basic(app))
    assert response.status_code == 200, response.content
    checksums = [hashlib.sha256(t.encode()).hexdigest() for t in (first["access_token"],
                                                                  response.json()["access_token"])]
    assert [t.token_checksum for t in authorized_tokens] == checksums
    assert authorized_tokens[-1].pk == AccessToken.objects.get(token_checksum=checksums[-1]).pk


def test_repeated_client_credentials_grant_is_one_insert(client: Client, make_client) -> None:  # noqa: ANN001
    """ADR 0111/0112: client from the process cache, no transaction around the single INSERT, no read-back."""
    app = make_client(grant_type="client-credentials")
    post = {"path": TOKEN, "data": "grant_type=client_credentials", "content_type": FORM,
            "HTTP_AUTHORIZATION": basic(app)}
    assert client.post(**post).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.post(**post).status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1 and statements[0].startswith('INSERT INTO "oauth2_provider_accesstoken"')
