"""Malformed or missing passkey (WebAuthn) responses: a clear, translated error, never a 500.

The passkey button posts a hidden ``credential`` that only the browser's JavaScript fills in; a
visitor without JavaScript posts it empty, and a tampered form can post any JSON. A fresh-user
trial found that JSON without ``rawId`` answered 500 (fido2 raises ``KeyError``, which
django-allauth does not catch) and that the empty post said only "This field is required."."""

from __future__ import annotations

import json

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import translation

from satupintu.identity import testing
from satupintu.identity.models import User

pytestmark = pytest.mark.django_db

MALFORMED = [
    {"id": "AA"},
    {"id": "AA", "type": "public-key", "response": {}},
]
NEEDS_JS = ("Signing in or confirming with a passkey or security key needs JavaScript in your browser. "
            "Turn JavaScript on, or use your password or authenticator code instead.")


def _messages(response) -> list[str]:  # noqa: ANN001
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("credential", MALFORMED)
def test_a_malformed_passkey_sign_in_is_refused_without_a_500(credential: dict) -> None:
    client = Client(raise_request_exception=False)
    client.get("/akun/login/")
    response = client.post("/akun/2fa/webauthn/login/", {"credential": json.dumps(credential)})
    assert response.status_code == 302, response.status_code
    assert response["Location"] == "/akun/login/"
    assert client.get("/akun/").status_code == 302  # not signed in


@pytest.mark.parametrize(("language", "posted"), [("id", ""), ("en", ""), ("id", "not json")])
def test_the_passkey_button_without_javascript_says_javascript_is_needed(language: str, posted: str) -> None:
    client = Client()
    client.cookies["satupintu_lang"] = language
    response = client.post("/akun/2fa/webauthn/login/", {"credential": posted})
    assert response.status_code == 302
    with translation.override(language):
        expected = translation.gettext(NEEDS_JS)
    assert _messages(response) == [expected]
    if language == "id":
        assert expected.startswith("Masuk atau konfirmasi dengan passkey"), expected


def test_the_second_factor_page_without_javascript_says_javascript_is_needed() -> None:
    user = testing.make_citizen(email="tiga@example.com")
    testing.activate_totp(user)
    client = Client()
    client.post("/akun/login/", {"login": user.email, "password": testing.PASSWORD})
    response = client.post("/akun/2fa/authenticate/", {"credential": ""})
    assert response.status_code == 200
    with translation.override("id"):
        assert translation.gettext(NEEDS_JS) in response.content.decode()


@pytest.mark.parametrize("credential", MALFORMED)
def test_a_malformed_passkey_registration_is_a_form_error(citizen: User, credential: dict) -> None:
    client = Client(raise_request_exception=False)
    client.post("/akun/login/", {"login": citizen.email, "password": testing.PASSWORD})
    client.post("/akun/reauthenticate/", {"password": testing.PASSWORD})
    client.get("/akun/2fa/webauthn/add/")
    response = client.post("/akun/2fa/webauthn/add/", {"name": "Ponsel", "credential": json.dumps(credential)})
    assert response.status_code == 200, response.status_code
    assert not citizen.authenticator_set.exists()


@pytest.mark.parametrize("credential", MALFORMED)
def test_a_malformed_passkey_second_factor_is_a_form_error(credential: dict) -> None:
    user = testing.make_citizen(email="dua@example.com")
    testing.activate_totp(user)
    client = Client(raise_request_exception=False)
    signed = client.post("/akun/login/", {"login": user.email, "password": testing.PASSWORD})
    assert signed["Location"].startswith("/akun/2fa/authenticate/")
    response = client.post("/akun/2fa/authenticate/", {"credential": json.dumps(credential)})
    assert response.status_code == 200, response.status_code
    assert client.get("/akun/").status_code == 302
