"""Account forms on top of django-allauth's: citizen sign-up (NIK; e-mail and/or mobile number),
sign-in by NIK, e-mail or mobile number, password reset by e-mail or mobile number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.forms import LoginForm, ResetPasswordForm, SignupForm
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from satupintu.identity.actions import clean_full_name, nik_taken
from satupintu.identity.models import Sex
from satupintu.identity.validators import validate_nik, validate_phone
from satupintu.regions.forms import RegionField
from satupintu.regions.models import Level


class PhoneNumberField(forms.CharField):
    """An Indonesian mobile number, normalised to E.164 (:func:`validate_phone`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Mobile number (optional)"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return validate_phone(value) if value else ""


class CitizenSignupForm(SignupForm):
    """Citizen registration: NIK, one full-name field, date of birth, sex, e-mail and/or mobile
    number (at least one; the mobile number is offered only when an SMS backend is configured),
    password. Every rule is checked before anything is written; the account, its e-mail address
    and the audit event are written in one transaction."""

    full_name = forms.CharField(label=_("Full name (as on your KTP)"), max_length=10_000,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    nik = forms.CharField(label=_("NIK"), max_length=64,
                          help_text=_("16 digits, on your KTP or family card (KK)."),
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)

    field_order = ["full_name", "nik", "birth_date", "sex", "email", "phone", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from satupintu.identity.sms import sms_enabled

        super().__init__(*args, **kwargs)
        if "phone" in self.fields and sms_enabled():
            # allauth's settings keep "email*" (its system check wants it with mandatory e-mail
            # verification); the rule "e-mail and/or mobile number" is this form's clean().
            self.fields["email"].required = False
            self.fields["email"].widget.is_required = False
            self.fields["email"].label = _("E-mail (optional if you give a mobile number)")
            self.fields["phone"].label = _("Mobile number (optional if you give an e-mail)")
        else:
            self.fields.pop("phone", None)

    def clean_full_name(self) -> str:
        return clean_full_name(self.cleaned_data["full_name"])

    def clean_birth_date(self) -> dt.date:
        """A date of birth in the past and not before 1900 (a NIK holder is alive today)."""
        value: dt.date = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The date of birth cannot be in the future."), code="future")
        if value.year < 1900:
            raise ValidationError(_("The date of birth cannot be before 1900."), code="too_old")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if ("phone" in self.fields and not data.get("email") and not data.get("phone")
                and "email" not in self.errors and "phone" not in self.errors):
            self.add_error("email", ValidationError(_("Enter an e-mail address, a mobile number, or both."),
                                                    code="email_or_phone"))
        if "nik" in data and "nik" not in self.errors:
            try:
                nik = validate_nik(data["nik"], birth_date=data.get("birth_date"), sex=data.get("sex"))
                if nik_taken(nik):
                    raise ValidationError(
                        _("This NIK is already registered. Sign in, or reset your password if you forgot it."),
                        code="nik_taken")
                data["nik"] = nik
            except ValidationError as exc:
                self.add_error("nik", exc)
        return data

    def save(self, request: HttpRequest) -> Any:
        with transaction.atomic():
            return super().save(request)


class NikOrEmailLoginForm(LoginForm):
    """Sign in with a NIK (16 digits), an e-mail address or a verified mobile number, and a
    password. The error for an unknown account and for a wrong password is the same (not
    enumerable)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.CharField(
            label=_("NIK, e-mail or mobile number"), max_length=254,
            widget=forms.TextInput(attrs={"autocomplete": "username webauthn", "autofocus": True}),
        )
        self.fields["password"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("account_reset_password"), _("Forgot your password?"))
        hint = _login_hint(self.request)
        if hint and not self.is_bound:
            self.fields["login"].initial = hint

    def user_credentials(self) -> dict[str, Any]:
        """``{"nik"|"phone"|"email": ..., "password": ...}``: 16 digits is a NIK (a mobile number
        has at most 14 digits with its country code), a valid Indonesian mobile number is a
        phone (normalised to E.164), anything else is an e-mail address."""
        credentials: dict[str, Any] = {}
        login = self.cleaned_data["login"].replace(" ", "")
        if login.isascii() and login.isdigit() and len(login) == NIK_LENGTH:
            credentials["nik"] = login
        elif phone := _as_phone(login):
            credentials["phone"] = phone
        elif login.isascii() and login.isdigit():
            credentials["nik"] = login  # a malformed NIK: no account matches, same answer
        else:
            credentials["email"] = login.lower()
        if self.cleaned_data.get("password"):
            credentials["password"] = self.cleaned_data["password"]
        return credentials


NIK_LENGTH = 16


def _as_phone(value: str) -> str:
    """``value`` as an E.164 Indonesian mobile number, or "" when it is not one."""
    if "@" in value:
        return ""
    try:
        return validate_phone(value)
    except ValidationError:
        return ""


class EmailOrPhoneResetPasswordForm(ResetPasswordForm):
    """Password reset by the verified channel: an e-mail address (allauth's code by e-mail) or
    a verified mobile number (a code by SMS, :mod:`satupintu.identity.password_reset`). The
    next page is the same for known and unknown addresses and numbers (not enumerable).
    ``cleaned_data["email"]`` holds the lower-cased e-mail or the E.164 number, which is also
    the rate-limit key of allauth's ``reset_password`` limit."""

    email = forms.CharField(label=_("E-mail or mobile number"), max_length=254,
                            widget=forms.TextInput(attrs={"autocomplete": "username"}))

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip()
        self.phone = _as_phone(value.replace(" ", ""))
        if not self.phone:
            try:
                validate_email(value)
            except ValidationError as exc:
                raise ValidationError(_("Enter an e-mail address or an Indonesian mobile number."),
                                      code="email_or_phone") from exc
            return super().clean_email()
        from allauth.account.adapter import get_adapter

        self.phone_user = get_adapter().get_user_by_phone(self.phone)
        self.users = [self.phone_user] if self.phone_user is not None else []
        return self.phone

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        if not self.phone:
            return super().save(request, **kwargs)
        from satupintu.identity.password_reset import initiate_by_phone

        initiate_by_phone(request=request, user=self.phone_user, phone=self.phone)
        return self.phone


def _login_hint(request: HttpRequest | None) -> str:
    """OIDC ``login_hint`` (Core §3.1.2.1) of the authorization request this sign-in continues:
    read from the ``next`` URL; only a plausible NIK or e-mail (≤ 254 chars) is used."""
    if request is None:
        return ""
    from urllib.parse import parse_qs, urlparse

    next_url = request.GET.get("next", "")
    hint = parse_qs(urlparse(next_url).query).get("login_hint", [""])[0].strip()
    if len(hint) > 254 or not (hint.lstrip("+").isdigit() or "@" in hint):
        return ""
    return hint


class AddressForm(forms.Form):
    """The citizen's address: street (with house number, RT/RW), the village chosen with the
    regions app's picker (kode wilayah), an optional postal code (default: the village's). The
    rules are :func:`satupintu.identity.actions.address_set`'s; fields accept long input so the
    error names the rule instead of a bare length message."""

    street_address = forms.CharField(label=_("Street, house number, RT/RW"), max_length=16_384,
                                     widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    wilayah = RegionField(label=_("Village (desa/kelurahan)"), required_level=Level.DESA_KELURAHAN)
    postal_code = forms.CharField(label=_("Postal code (optional: the village's postal code is used)"),
                                  required=False, max_length=64,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                "autocomplete": "postal-code"}))
