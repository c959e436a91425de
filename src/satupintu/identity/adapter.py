"""django-allauth adapter: our messages, citizen creation through the action, audit of failures."""

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
        "email_password_mismatch": _("The NIK/e-mail or password is not correct."),
        "too_many_login_attempts": _("Too many failed sign-in attempts. Wait a few minutes and try again."),
    }

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """Create the citizen through :func:`citizen_register` (validates, encrypts the NIK,
        writes the audit event) instead of allauth's generic field copy."""
        data = form.cleaned_data
        return citizen_register(
            email=data["email"], full_name=data["full_name"], nik=data["nik"], birth_date=data["birth_date"],
            sex=data["sex"], phone=data.get("phone", ""), password=data.get("password1"), request=request,
        )

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
        from satupintu.audit.actions import record

        type(user).objects.filter(pk=user.pk, phone=phone).update(phone_verified=True)
        user.phone_verified = True
        record(actor=user.as_principal(), action="account.phone_verified", target=user)

    def get_user_by_phone(self, phone: str) -> Any:
        from satupintu.identity.models import User

        return User.objects.filter(phone=phone, phone_verified=True).first()

    def send_verification_code_sms(self, user: Any, phone: str, code: str, **kwargs: Any) -> None:
        from django.utils.translation import gettext

        from satupintu.identity.sms import send_sms

        send_sms(phone=phone, text=gettext("Your verification code: %(code)s. Do not share it with anyone.")
                 % {"code": code})

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Failed-login counter key: the NIK's blind index (never the NIK itself) or the e-mail."""
        from satupintu.identity.crypto import nik_blind_index

        if credentials.get("nik"):
            return "nik:" + nik_blind_index(str(credentials["nik"]))
        return "email:" + str(credentials.get("email", "")).lower()
