"""Audit events of the identity app, written from allauth/Django signals and the adapter.

Sign-in success and failure, MFA changes, password reset and change, sessions ended: each is
one event in :mod:`satupintu.audit` (NIK never logged: failures record only whether the login
name looked like a NIK or an e-mail, and the account id when one matched).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from satupintu.audit.actions import record
from satupintu.audit.registry import register
from satupintu.core.principal import Principal

ACTIONS = {
    "account.registered": "A citizen account was created",
    "officer.created": "An officer account was created",
    "account.signed_in": "A user signed in (method and level of assurance in details)",
    "account.sign_in_failed": "A sign-in attempt failed",
    "account.signed_out": "A user signed out",
    "account.password_reset": "A password was reset by a verified channel",
    "account.password_changed": "A password was changed",
    "account.email_verified": "An e-mail address was verified",
    "account.phone_verified": "A mobile number was verified by SMS code",
    "account.phone_verification_conflict": "A verified code did not verify a number another account verified first",
    "account.address_changed": "A citizen saved their address",
    "account.address_removed": "A citizen removed their address",
    "mfa.added": "A second factor (TOTP, passkey, recovery codes) was added",
    "mfa.removed": "A second factor was removed",
    "mfa.reset": "Recovery codes were regenerated",
    "mfa.stepped_up": "A session was stepped up to loa2",
    "consent.granted": "A citizen consented to share claims with a client",
    "consent.revoked": "A citizen revoked a client's access",
    "oidc.refresh_reuse_detected": "A rotated refresh token was reused; its grant was revoked",
    "oidc.code_reuse_detected": "An authorization code was reused; its tokens were revoked",
    "oidc.key_rotated": "The OIDC signing key was rotated",
    "nik.reencrypted": "NIK ciphertexts were re-encrypted with the active key",
    "demo.accounts_created": "Demo accounts were created",
}


def register_actions() -> None:
    for name, description in ACTIONS.items():
        register(name, description)


def _actor(user: Any) -> Principal:
    return user.as_principal() if user is not None and hasattr(user, "as_principal") else Principal.anonymous()


def record_login_failed(request: HttpRequest | None, credentials: dict[str, Any]) -> None:
    """``account.sign_in_failed`` with the kind of login name, and the account when it exists."""
    from satupintu.identity.crypto import nik_blind_index
    from satupintu.identity.models import User

    if credentials.get("nik"):
        user = User.objects.filter(nik_index=nik_blind_index(str(credentials["nik"]))).first()
        login_kind = "nik"
    elif credentials.get("phone"):
        user = User.objects.filter(phone=str(credentials["phone"]), phone_verified=True).first()
        login_kind = "phone"
    else:
        user = User.objects.filter(email=str(credentials.get("email", "")).lower()).first()
        login_kind = "email"
    record(actor=Principal.anonymous(), action="account.sign_in_failed",
           target=user if user is not None else None, details={"login_kind": login_kind}, request=request)


def on_logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from satupintu.identity.loa import current_loa

    record(actor=_actor(user), action="account.signed_in", target=user,
           details={"loa": current_loa(request, user)}, request=request)


def on_logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(actor=_actor(user), action="account.signed_out", target=user, request=request)


def on_password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from allauth.account.adapter import get_adapter

    record(actor=_actor(user), action="account.password_reset", target=user, request=request)
    clear = getattr(get_adapter(request), "clear_lockout", None)
    if clear is not None:
        clear(request, user)


def on_password_changed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(actor=_actor(user), action="account.password_changed", target=user, request=request)


def on_email_confirmed(sender: Any, request: HttpRequest, email_address: Any, **kwargs: Any) -> None:
    record(actor=_actor(email_address.user), action="account.email_verified", target=email_address.user,
           request=request)


def _mfa(action: str) -> Any:
    def handler(sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any) -> None:
        record(actor=_actor(user), action=action, target=user, details={"type": authenticator.type},
               request=request)
    return handler


def on_mfa_used(sender: Any, request: HttpRequest, user: Any, authenticator: Any, reauthenticated: bool = False,
                **kwargs: Any) -> None:
    if reauthenticated:
        record(actor=_actor(user), action="mfa.stepped_up", target=user, details={"type": authenticator.type},
               request=request)


def connect_signals() -> None:
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals
    from django.contrib.auth import signals as auth_signals

    auth_signals.user_logged_in.connect(on_logged_in, dispatch_uid="sp_identity_logged_in")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid="sp_identity_logged_out")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid="sp_identity_pw_reset")
    account_signals.password_changed.connect(on_password_changed, dispatch_uid="sp_identity_pw_changed")
    account_signals.email_confirmed.connect(on_email_confirmed, dispatch_uid="sp_identity_email_confirmed")
    mfa_signals.authenticator_added.connect(_mfa("mfa.added"), dispatch_uid="sp_identity_mfa_added", weak=False)
    mfa_signals.authenticator_removed.connect(_mfa("mfa.removed"), dispatch_uid="sp_identity_mfa_removed",
                                              weak=False)
    mfa_signals.authenticator_reset.connect(_mfa("mfa.reset"), dispatch_uid="sp_identity_mfa_reset", weak=False)
    mfa_signals.authenticator_used.connect(on_mfa_used, dispatch_uid="sp_identity_mfa_used")
