"""Audit events of the identity app, written from allauth/Django signals and the adapter.

Sign-in success and failure, MFA changes, password reset and change, sessions ended: each is
one event in :mod:`satupintu.audit` (NIK never logged: failures record only whether the login
name looked like a NIK or an e-mail, and the account id when one matched).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest

from satupintu.audit.actions import record
from satupintu.audit.registry import register
from satupintu.core.principal import Principal

ACTIONS = {
    "account.registered": "A citizen account was created",
    "officer.created": "An officer account was created",
    "account.created_by_admin": "A platform admin created an account in the back-office (access fields in details)",
    "account.changed_by_admin": "A platform admin changed an account: field names, and access fields before/after",
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
    "oidc_client.created": "A platform admin registered an OIDC client (changed field names in details)",
    "oidc_client.updated": "A platform admin changed an OIDC client (changed field names in details)",
    "oidc_client.disabled": "An OIDC client was disabled: no sign-ins or tokens, its tokens refused",
    "oidc_client.enabled": "A disabled OIDC client was enabled again",
    "oidc_client.deleted": "An OIDC client was deleted with its tokens, grants and consents",
    "oidc_client.introspection_allowed": "An OIDC client was allowed to introspect tokens (a resource server)",
    "oidc_client.introspection_revoked": "An OIDC client may no longer introspect tokens",
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


# --- MFA changes: audited inside the transaction that writes them ---------------------------
# allauth sends ``authenticator_added`` / ``authenticator_reset`` from ``transaction.on_commit``,
# i.e. after the change is committed, so an audit write there could fail and leave an MFA
# change without its event. Django's model signals on allauth's ``Authenticator`` run inside the
# writing transaction instead: ``post_save`` right after the INSERT, ``post_delete`` inside the
# deletion's atomic block. ``MfaAtomicMiddleware`` makes every allauth MFA view one transaction,
# so the change, the clean-up of dangling recovery codes and their events commit together.
REGENERATING_RECOVERY_CODES: ContextVar[bool] = ContextVar("sp_regenerating_recovery_codes", default=False)


def _request() -> HttpRequest | None:
    from allauth.core import context

    return getattr(context, "request", None)


def on_authenticator_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """``mfa.added`` (or ``mfa.reset`` when recovery codes are regenerated) for a new authenticator."""
    if not created:
        return  # usage time, passkey renamed: not a change of factors
    regenerated = instance.type == "recovery_codes" and REGENERATING_RECOVERY_CODES.get()
    record(actor=_actor(instance.user), action="mfa.reset" if regenerated else "mfa.added", target=instance.user,
           details={"type": instance.type}, request=_request())


def on_authenticator_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``mfa.removed`` for a deleted authenticator (the old codes of a regeneration are part of
    its ``mfa.reset`` event)."""
    if instance.type == "recovery_codes" and REGENERATING_RECOVERY_CODES.get():
        return
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=instance.user_id).first()  # None when the account is deleted
    record(actor=_actor(user), action="mfa.removed", target=user if user is not None else None,
           details={"type": instance.type}, request=_request())


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
    from allauth.mfa.models import Authenticator
    from django.db.models import signals as model_signals

    model_signals.post_save.connect(on_authenticator_saved, sender=Authenticator, dispatch_uid="sp_identity_mfa_saved")
    model_signals.post_delete.connect(on_authenticator_deleted, sender=Authenticator,
                                      dispatch_uid="sp_identity_mfa_deleted")
    mfa_signals.authenticator_used.connect(on_mfa_used, dispatch_uid="sp_identity_mfa_used")
