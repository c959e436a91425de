"""Real identity users for the applications page tests: sign in through allauth (password, then
the TOTP code for a loa2 session), exactly as a citizen or officer does."""

from __future__ import annotations

from typing import Any

from django.test import Client

from satupintu.identity import testing


def totp_now(secret: str) -> str:
    """The current TOTP code for ``secret`` (:func:`satupintu.identity.testing.totp_now`)."""
    return testing.totp_now(secret)


def sign_in(user: Any, *, secret: str | None = None) -> Client:
    """A client signed in as ``user``: password only (loa1), or with the TOTP ``secret`` (loa2)."""
    client = Client()
    response = client.post("/akun/login/", {"login": user.email, "password": testing.PASSWORD})
    assert response.status_code == 302, response.content.decode()[:800]
    if secret:
        done = client.post("/akun/2fa/authenticate/", {"code": totp_now(secret)})
        assert done.status_code == 302, done.content.decode()[:800]
    return client


def citizen_loa2(**extra: Any) -> tuple[Any, Client]:
    """A citizen with a TOTP authenticator, signed in at loa2 (the bundled services' level)."""
    user = testing.make_citizen(**extra)
    secret = testing.activate_totp(user)
    return user, sign_in(user, secret=secret)


def officer_signed_in(agency: Any, *roles: str) -> tuple[Any, Client]:
    """An officer of ``agency`` with ``roles`` (default verifier + approver), signed in with TOTP."""
    user = testing.make_officer(agency=agency, roles=list(roles or ("verifier", "approver")), with_totp=True)
    return user, sign_in(user, secret=user.totp_secret_for_tests)
