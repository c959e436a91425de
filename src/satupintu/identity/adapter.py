"""django-allauth adapter: our messages, citizen creation through the action, audit of failures,
the mobile number (allauth's phone support: verification by SMS code, sign-in, password reset)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from satupintu.identity.actions import citizen_register


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # One message for unknown account and wrong password (not enumerable).
        "email_password_mismatch": _("The NIK, e-mail, mobile number or password is not correct."),
        "phone_password_mismatch": _("The NIK, e-mail, mobile number or password is not correct."),
        "username_password_mismatch": _("The NIK, e-mail, mobile number or password is not correct."),
        "too_many_login_attempts": _("Too many failed sign-in attempts. Wait a few minutes and try again."),
    }

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """Create the citizen through :func:`citizen_register` (validates, encrypts the NIK,
        writes the audit event) instead of allauth's generic field copy."""
        data = form.cleaned_data
        return citizen_register(
            email=data.get("email") or "", full_name=data["full_name"], nik=data["nik"], birth_date=data["birth_date"],
            sex=data["sex"], phone=data.get("phone", ""), password=data.get("password1"), request=request,
        )

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Whether ``app`` (``allauth.account``, ``allauth.mfa``) must ask the signed-in user to
        confirm who they are before a sensitive change (second factors: TOTP, passkeys, recovery
        codes). False when allauth's rule says so, or when this session's sign-in
        completed less than ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds ago (:func:`signed_in_recently`).

        allauth 65.22 counts only its own re-authentication steps (records marked
        ``reauthenticated``) as recent, so a citizen who had just typed the password, or used a
        passkey or TOTP code, was asked again at once (ADR 0141)."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = getattr(self, "request", None)
        return request is None or not signed_in_recently(request)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> Any:
        """allauth's end of a sign-in (redirect, ``user_logged_in``). A new account's first
        sign-in (``signup``: the password just chosen, the e-mail or mobile number just confirmed by
        code) is first recorded as a password authentication step of this session: allauth records
        none for a local sign-up, so the new citizen was asked for the password again on the first
        second-factor page, and an OIDC ``max_age`` saw no ``auth_time`` (ADR 0141). An account
        without a usable password (none here) gets no such record."""
        from allauth.account.authentication import get_authentication_records
        from allauth.account.internal.flows.login import record_authentication

        if (kwargs.get("signup") and user.has_usable_password()
                and not get_authentication_records(request, user)):
            record_authentication(request, user, method="password", signup=True)
        return super().post_login(request, user, **kwargs)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        from satupintu.identity.audit import record_login_failed

        record_login_failed(request, credentials)

    # --- mobile number (allauth's phone verification by SMS code) ------------------------------
    def phone_form_field(self, **kwargs: Any) -> Any:
        from satupintu.identity.forms import PhoneNumberField

        kwargs.pop("label", None)
        return PhoneNumberField(**kwargs)

    def set_phone(self, user: Any, phone: str, verified: bool) -> None:
        user.phone, user.phone_verified = phone, verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: Any) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user: Any, phone: str) -> None:
        """Mark ``phone`` verified and write ``account.phone_verified`` in one transaction. When
        another account verified the same number meanwhile (unique constraint), nothing changes
        and ``account.phone_verification_conflict`` is recorded instead (never a 500)."""
        from django.db import IntegrityError, transaction

        from satupintu.audit.actions import record

        try:
            with transaction.atomic():
                changed = type(user).objects.filter(pk=user.pk, phone=phone).update(phone_verified=True)
                if changed:
                    record(actor=user.as_principal(), action="account.phone_verified", target=user,
                           request=context_request())
        except IntegrityError:
            record(actor=user.as_principal(), action="account.phone_verification_conflict", target=user,
                   request=context_request())
            return
        user.phone_verified = bool(changed)

    def get_user_by_phone(self, phone: str) -> Any:
        """The account whose *verified* mobile number is ``phone`` (any accepted spelling), or None."""
        from django.core.exceptions import ValidationError

        from satupintu.identity.models import User
        from satupintu.identity.validators import validate_phone

        try:
            phone = validate_phone(phone)
        except ValidationError:
            return None
        return User.objects.filter(phone=phone, phone_verified=True).first()

    def send_account_already_exists_sms(self, phone: str) -> None:
        """Sign-up with a number that already belongs to an account: tell the owner, reveal
        nothing to the person signing up (same next page as a new account)."""
        from django.utils.translation import gettext

        from satupintu.identity.sms import send_sms

        send_sms(phone=phone, text=gettext("Someone tried to register with this number, which already has an "
                                           "account. Sign in, or reset your password if you forgot it."))

    def get_login_stages(self) -> list[str]:
        """allauth's stages, with e-mail verification skipped for an account without e-mail
        (a citizen who registered with a mobile number only; the phone stage verified it), and the
        phone stage answering allauth's SMS rate limit on the sign-in page (``identity/stages.py``)."""
        ours = {"allauth.account.stages.EmailVerificationStage": "satupintu.identity.stages.EmailVerificationStage",
                "allauth.account.stages.PhoneVerificationStage": "satupintu.identity.stages.PhoneVerificationStage"}
        return [ours.get(stage, stage) for stage in super().get_login_stages()]

    def send_verification_code_sms(self, user: Any, phone: str, code: str, **kwargs: Any) -> None:
        from django.utils.translation import gettext

        from satupintu.identity.sms import send_sms

        send_sms(phone=phone, text=gettext("Your verification code: %(code)s. Do not share it with anyone.")
                 % {"code": code})

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Failed-login counter key: the NIK's blind index (never the NIK itself), the mobile
        number (E.164) or the e-mail."""
        from satupintu.identity.crypto import nik_blind_index

        if credentials.get("nik"):
            return "nik:" + nik_blind_index(str(credentials["nik"]))
        if credentials.get("phone"):
            return "phone:" + str(credentials["phone"])
        return "email:" + str(credentials.get("email", "")).lower()

    def clear_lockout(self, request: HttpRequest, user: Any) -> None:
        """After a password reset allauth clears the lockout of the account's e-mail addresses;
        this also clears its mobile-number key (called from the ``password_reset`` signal). The
        NIK key is not cleared: the NIK is not kept in clear to rebuild it, and it expires."""
        if getattr(user, "phone", "") and getattr(user, "phone_verified", False):
            self._delete_login_attempts_cached_email(request, phone=user.phone)


def signed_in_recently(request: HttpRequest) -> bool:
    """True when the signed-in user of ``request`` completed an authentication step of a kind
    allauth accepts for re-authentication (``ACCOUNT_REAUTHENTICATION_METHODS``: password, code,
    MFA, including a passkey sign-in) in this session less than ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
    seconds ago. Reads allauth's own record of the session's authentication steps
    (``account_authentication_methods``, kept for this user only); a user who is not signed in
    has no such step."""
    import time

    from allauth.account import app_settings
    from allauth.account.authentication import get_authentication_records

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return False
    times = [float(r["at"]) for r in get_authentication_records(request, user)
             if r.get("method") in app_settings.REAUTHENTICATION_METHODS and isinstance(r.get("at"), (int, float))]
    return bool(times) and time.time() - max(times) < app_settings.REAUTHENTICATION_TIMEOUT


def context_request() -> HttpRequest | None:
    """The request allauth is handling (allauth's ``context.request``), for audit details."""
    from allauth.core import context

    return getattr(context, "request", None)
