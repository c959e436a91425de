"""Userinfo requests a new integrator may send wrongly (OIDC Core §5.3, RFC 6750, RFC 9700): each
is an OAuth error in JSON with the bearer challenge, never an HTML page, and a token in the URL
is refused rather than honoured."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(citizen, make_client) -> str:  # noqa: ANN001
    raw = secrets.token_urlsafe(32)
    AccessToken.objects.create(user=citizen, application=make_client(), token=raw, scope="openid profile",
                               expires=timezone.now() + dt.timedelta(minutes=10))
    return raw


def _invalid_request(response) -> str:  # noqa: ANN001
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "invalid_request"
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_request"')
    return str(response.json()["error_description"])


@pytest.mark.parametrize("path", ["/o/userinfo/", "/oidc/userinfo"])
def test_a_token_in_the_url_is_refused_not_answered(client: Client, access: str, path: str) -> None:
    assert "URL" in _invalid_request(client.get(path, {"access_token": access}))


def test_a_token_in_the_form_body_is_still_answered(client: Client, access: str) -> None:
    response = client.post("/o/userinfo/", f"access_token={access}",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.json()["sub"]


def test_a_malformed_multipart_body_is_invalid_request_json(access: str) -> None:
    response = Client().generic("POST", "/o/userinfo/", b"x", content_type="multipart/form-data",
                                HTTP_AUTHORIZATION=f"Bearer {access}")
    assert "body" in _invalid_request(response)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_govstack_userinfo_answers_another_method_405_even_with_csrf_checks(access: str, method: str) -> None:
    browserless = Client(enforce_csrf_checks=True)  # as a real server: Django's CSRF middleware runs
    response = getattr(browserless, method)("/oidc/userinfo", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 405 and response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", ["/o/userinfo/", "/oidc/userinfo"])
def test_a_request_without_any_token_gets_the_challenge_without_an_error_code(client: Client, path: str) -> None:
    # RFC 6750 §3.1: no authentication information at all, so no error code or description.
    response = client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="satupintu"'
    assert b"invalid_token" not in response.content


def test_a_wrong_token_is_still_invalid_token(client: Client, access: str) -> None:  # noqa: ARG001
    response = client.get("/o/userinfo/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
