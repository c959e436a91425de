"""Account forms on top of django-allauth's: citizen sign-up (NIK) and sign-in by NIK or e-mail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.forms import LoginForm, SignupForm
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from satupintu.identity.actions import clean_full_name, nik_taken
from satupintu.identity.models import Sex
from satupintu.identity.validators import validate_nik, validate_phone


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
    """Citizen registration: NIK, one full-name field, date of birth, sex, e-mail, optional
    mobile number, password. Every rule is checked before anything is written; the account,
    its e-mail address and the audit event are written in one transaction."""

    full_name = forms.CharField(label=_("Full name (as on your KTP)"), max_length=10_000,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    nik = forms.CharField(label=_("NIK"), max_length=64,
                          help_text=_("16 digits, on your KTP or family card (KK)."),
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)

    field_order = ["full_name", "nik", "birth_date", "sex", "email", "phone", "password1", "password2"]

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
    """Sign in with a NIK (16 digits) or an e-mail address, and a password. The error for an
    unknown account and for a wrong password is the same (not enumerable)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.CharField(
            label=_("NIK or e-mail"), max_length=254,
            widget=forms.TextInput(attrs={"autocomplete": "username webauthn", "autofocus": True}),
        )
        self.fields["password"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("account_reset_password"), _("Forgot your password?"))
        hint = _login_hint(self.request)
        if hint and not self.is_bound:
            self.fields["login"].initial = hint

    def user_credentials(self) -> dict[str, Any]:
        login = self.cleaned_data["login"].replace(" ", "")
        credentials: dict[str, Any] = {}
        if login.isascii() and login.isdigit():
            credentials["nik"] = login
        else:
            credentials["email"] = login.lower()
        if self.cleaned_data.get("password"):
            credentials["password"] = self.cleaned_data["password"]
        return credentials


def _login_hint(request: HttpRequest | None) -> str:
    """OIDC ``login_hint`` (Core §3.1.2.1) of the authorization request this sign-in continues:
    read from the ``next`` URL; only a plausible NIK or e-mail (≤ 254 chars) is used."""
    if request is None:
        return ""
    from urllib.parse import parse_qs, urlparse

    next_url = request.GET.get("next", "")
    hint = parse_qs(urlparse(next_url).query).get("login_hint", [""])[0].strip()
    if len(hint) > 254 or not (hint.isdigit() or "@" in hint):
        return ""
    return hint
