"""django-allauth's passkey (WebAuthn) forms with two fixes, wired through ``MFA_FORMS``.

* **No 500 on a malformed response.** allauth parses the posted ``credential`` JSON with fido2's
  ``from_dict``, catching ``TypeError``/``ValueError`` only; fido2 raises ``KeyError`` for a missing
  member (e.g. ``rawId``), so a tampered form answered 500. Here a ``KeyError`` from that parsing is
  the same "incorrect code" error allauth gives any other unusable response.
* **No JavaScript, clear words.** The ``credential`` is filled in by the browser's JavaScript (the
  WebAuthn API has no HTML-only form). A visitor without JavaScript who presses the passkey button
  posts it empty (or not JSON); instead of "This field is required." / "Enter a valid JSON." they are
  told that passkeys need JavaScript and what to use instead (``NEEDS_JAVASCRIPT``).

Inputs/outputs are allauth's (see ``allauth.mfa.webauthn.forms``); nothing else changes.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa.adapter import get_adapter
from allauth.mfa.webauthn import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _

NEEDS_JAVASCRIPT = _("Signing in or confirming with a passkey or security key needs JavaScript in your "
                     "browser. Turn JavaScript on, or use your password or authenticator code instead.")


def _credential_field() -> forms.JSONField:
    return forms.JSONField(required=True, widget=forms.HiddenInput,
                           error_messages={"required": NEEDS_JAVASCRIPT, "invalid": NEEDS_JAVASCRIPT})


class _AuthenticateMixin:
    """``clean_credential`` of allauth's authentication forms, with fido2's ``KeyError`` refused."""

    def clean_credential(self) -> Any:
        try:
            return super().clean_credential()  # type: ignore[misc]
        except KeyError:  # a member fido2 needs is missing from the posted response
            raise get_adapter().validation_error("incorrect_code") from None


class AuthenticateWebAuthnForm(_AuthenticateMixin, allauth_forms.AuthenticateWebAuthnForm):
    """Second factor at sign-in (``MFA_FORMS["authenticate_webauthn"]``)."""

    credential = _credential_field()


class LoginWebAuthnForm(_AuthenticateMixin, allauth_forms.LoginWebAuthnForm):
    """Passwordless sign-in with a passkey (``MFA_FORMS["login_webauthn"]``)."""

    credential = _credential_field()


class ReauthenticateWebAuthnForm(_AuthenticateMixin, allauth_forms.ReauthenticateWebAuthnForm):
    """Confirming access (step-up) with a passkey (``MFA_FORMS["reauthenticate_webauthn"]``)."""

    credential = _credential_field()


class _RegisterMixin:
    """``clean`` of allauth's add-a-passkey forms, with fido2's ``KeyError`` refused."""

    def clean(self) -> Any:
        try:
            return super().clean()  # type: ignore[misc]
        except KeyError:
            raise get_adapter().validation_error("incorrect_code") from None


class AddWebAuthnForm(_RegisterMixin, allauth_forms.AddWebAuthnForm):
    """Adding a passkey or security key (``MFA_FORMS["add_webauthn"]``)."""

    credential = _credential_field()


class SignupWebAuthnForm(_RegisterMixin, allauth_forms.SignupWebAuthnForm):
    """Signing up with a passkey (``MFA_FORMS["signup_webauthn"]``; off unless enabled)."""

    credential = _credential_field()

