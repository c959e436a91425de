"""A fresh sign-in counts as a recent authentication (ADR 0141): right after signing in (password,
password + TOTP, passkey) or signing up, the pages that change a second factor open without asking
for the password again; once ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` has passed since, they ask again."""

from __future__ import annotations

import json
import re

import pytest
from allauth.account import app_settings
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.core import mail
from django.test import Client

from satupintu.identity import testing
from satupintu.identity.models import User
from tests.identity.test_passkeys import _register_passkey

pytestmark = pytest.mark.django_db
TOTP_SETUP = "/akun/2fa/totp/activate/"


def _age_the_sign_in(client: Client, seconds: float) -> None:
    """Move every authentication step of the session ``seconds`` into the past (as if that much
    time had passed since the sign-in), through the session store the views read."""
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - seconds} for record in session[AUTHENTICATION_METHODS_SESSION_KEY]]
    session.save()


def test_right_after_signing_in_with_a_password_totp_setup_opens_without_asking_again(citizen: User) -> None:
    client = Client()
    assert client.post("/akun/login/", {"login": citizen.email, "password": testing.PASSWORD}).status_code == 302
    page = client.get(TOTP_SETUP)
    assert page.status_code == 200, page.get("Location")
    assert client.get("/akun/2fa/webauthn/add/").status_code == 200


def test_once_the_timeout_has_passed_since_signing_in_the_password_is_asked_again(citizen: User) -> None:
    client = Client()
    client.post("/akun/login/", {"login": citizen.email, "password": testing.PASSWORD})
    _age_the_sign_in(client, app_settings.REAUTHENTICATION_TIMEOUT + 1)
    asked = client.get(TOTP_SETUP)
    assert asked.status_code == 302 and asked["Location"].startswith("/akun/reauthenticate/")
    # Confirming the password opens the page again (allauth's own re-authentication).
    assert client.post(asked["Location"], {"password": testing.PASSWORD})["Location"] == TOTP_SETUP
    assert client.get(TOTP_SETUP).status_code == 200


def test_an_officer_who_just_signed_in_with_totp_manages_the_factors_without_asking_again(agency) -> None:  # noqa: ANN001
    officer = testing.make_officer(agency=agency, roles=["verifier"], with_totp=True)
    client = Client()
    client.post("/akun/login/", {"login": officer.email, "password": testing.PASSWORD})
    assert client.post("/akun/2fa/authenticate/",
                       {"code": testing.totp_now(officer.totp_secret_for_tests)}).status_code == 302
    assert client.get("/akun/2fa/totp/deactivate/").status_code == 200
    assert client.get("/akun/2fa/recovery-codes/generate/").status_code == 200
    _age_the_sign_in(client, app_settings.REAUTHENTICATION_TIMEOUT + 1)
    assert client.get("/akun/2fa/totp/deactivate/")["Location"].startswith("/akun/reauthenticate/")


def test_right_after_a_passkey_sign_in_adding_a_factor_does_not_ask_again(citizen: User) -> None:
    authenticator = _register_passkey(Client(), citizen)
    browser = Client()
    options = browser.get("/akun/2fa/webauthn/login/", HTTP_X_REQUESTED_WITH="XMLHttpRequest").json()
    signed_in = browser.post("/akun/2fa/webauthn/login/",
                             {"credential": json.dumps(authenticator.get(options["request_options"]))})
    assert signed_in.status_code == 302
    assert browser.get(TOTP_SETUP).status_code == 200


def test_right_after_signing_up_a_new_citizen_sets_up_totp_without_asking_again(settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_SMS_BACKEND = ""  # e-mail only: sign-up, then the e-mail code, then signed in
    client = Client()
    signed_up = client.post("/akun/signup/", {
        "full_name": "Siti Aminah", "nik": "3174015705900001", "birth_date": "1990-05-17", "sex": "F",
        "email": "siti@example.id", "password1": testing.PASSWORD, "password2": testing.PASSWORD})
    assert signed_up["Location"] == "/akun/confirm-email/"
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M)
    assert code and client.post("/akun/confirm-email/", {"code": code.group(1)}).status_code == 302
    assert client.get("/akun/").status_code == 200  # signed in
    (record,) = client.session[AUTHENTICATION_METHODS_SESSION_KEY]
    assert record["method"] == "password" and record["signup"] is True
    assert client.get(TOTP_SETUP).status_code == 200
    _age_the_sign_in(client, app_settings.REAUTHENTICATION_TIMEOUT + 1)
    assert client.get(TOTP_SETUP)["Location"].startswith("/akun/reauthenticate/")


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in() -> None:
    response = Client().get(TOTP_SETUP)
    assert response.status_code == 302 and response["Location"].startswith("/akun/login/")
