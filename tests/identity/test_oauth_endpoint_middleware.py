"""The OAuth endpoints for machines skip the portal's session, CSRF, language and allauth middleware
(ADR 0112) and still answer with sane headers; other paths keep the whole chain."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.identity.test_oidc import TOKEN, basic, sign_in

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


def test_token_request_with_a_session_cookie_touches_no_session(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    sign_in(client, citizen)  # a browser that also holds a portal session
    with CaptureQueriesContext(connection) as queries:
        response = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM,
                               HTTP_AUTHORIZATION=basic(app))
    assert response.status_code == 200, response.content
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "django_session" not in sql and "usersessions" not in sql and "identity_user" not in sql
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


@pytest.mark.parametrize(("path", "body", "status"), [
    (TOKEN, "grant_type=client_credentials", 200),
    ("/oauth/token", "grant_type=client_credentials", 200),
    (TOKEN, "grant_type=password&username=a&password=b", 400),
    ("/o/introspect/", "token=tidak-ada", 200),
    ("/o/revoke_token/", "token=tidak-ada", 200),
])
def test_machine_endpoints_answer_with_security_headers(client: Client, make_client, path: str, body: str,
                                                        status: int) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials", may_introspect=True)
    response = client.post(path, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app),
                           HTTP_X_REQUEST_ID="req-token-0001")
    assert response.status_code == status, response.content
    assert response["X-Request-Id"] == "req-token-0001"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Length"] == str(len(response.content))
    if path in (TOKEN, "/oauth/token"):
        assert response["Cache-Control"] == "no-store"  # RFC 6749 §5.1, also on errors (§5.2)


def test_unauthenticated_token_request_is_invalid_client(client: Client) -> None:
    response = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM)
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_other_oidc_paths_keep_the_portal_middleware(client: Client, make_client) -> None:  # noqa: ANN001
    make_client()
    response = client.get("/o/authorize/", {"client_id": "x"})
    assert "default-src 'self'" in response["Content-Security-Policy"]  # the portal's CSP (django-csp)
    assert response["Content-Language"] == "id"  # our language middleware ran


def test_a_failing_token_view_gets_the_500_page_with_the_request_id(client: Client, settings) -> None:  # noqa: ANN001
    settings.ROOT_URLCONF = "tests.identity.urls_token_boom"
    client.raise_request_exception = False
    response = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM,
                           HTTP_X_REQUEST_ID="req-boom-0001")
    assert response.status_code == 500
    assert response["X-Request-Id"] == "req-boom-0001"
    assert "req-boom-0001" in response.content.decode()


def test_a_view_that_is_not_csrf_exempt_keeps_the_whole_chain(settings) -> None:  # noqa: ANN001
    settings.ROOT_URLCONF = "tests.identity.urls_token_boom"
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/o/revoke_token/", "token=x", content_type=FORM)
    assert response.status_code == 403  # CsrfViewMiddleware ran
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_introspection_without_valid_client_credentials_is_401_invalid_client(client: Client, make_client) -> None:  # noqa: ANN001
    """RFC 7662 §2.3 (DOT alone answers a bare 403)."""
    app = make_client(grant_type="client-credentials")
    for extra in ({}, {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{app.client_id}:salah".encode()).decode()}):
        response = client.post("/o/introspect/", "token=apa-saja", content_type=FORM, **extra)
        assert response.status_code == 401, response.content
        assert response.json()["error"] == "invalid_client"
        assert response["WWW-Authenticate"].startswith("Basic ")
        assert response["Cache-Control"] == "no-store"


def test_introspection_with_an_invalid_bearer_token_is_401_with_a_bearer_challenge(client: Client) -> None:
    response = client.post("/o/introspect/", "token=apa-saja", content_type=FORM,
                           HTTP_AUTHORIZATION="Bearer bukan-token")
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Bearer ") and "invalid_token" in response["WWW-Authenticate"]
    assert response.json()["error"] == "invalid_token"
