"""Every write to accounts: keyword-only, atomic, audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from satupintu.audit.actions import record
from satupintu.core.principal import Principal
from satupintu.identity.crypto import nik_blind_index
from satupintu.identity.models import Consent, Kind, User
from satupintu.identity.validators import validate_nik, validate_nip, validate_phone

MAX_NAME = 200


def clean_full_name(name: str) -> str:
    """One name field (single names are common). Any script, apostrophes and combining marks
    are kept; control characters are refused; 1–200 characters after trimming.
    Raises ValidationError ``name_length`` / ``name_chars``."""
    value = " ".join((name or "").split())
    if not value or len(value) > MAX_NAME:
        raise ValidationError(_("Full name must be 1 to %(max)d characters.") % {"max": MAX_NAME}, code="name_length")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise ValidationError(_("Full name contains control characters."), code="name_chars")
    return value


def nik_taken(nik: str) -> bool:
    return User.objects.filter(nik_index=nik_blind_index(nik)).exists()


@transaction.atomic
def citizen_register(
    *, email: str, full_name: str, nik: str, birth_date: dt.date, sex: str, password: str | None,
    phone: str = "", request: HttpRequest | None = None, save_user: Any = None,
) -> User:
    """Create a citizen account (all rules checked first; nothing is written on error).

    Raises ValidationError (field → message) for a bad NIK (see :func:`validate_nik`), name,
    phone, or a NIK already registered. Writes the ``account.registered`` audit event.
    """
    errors: dict[str, list[str]] = {}
    try:
        full_name = clean_full_name(full_name)
    except ValidationError as exc:
        errors["full_name"] = exc.messages
    try:
        nik = validate_nik(nik, birth_date=birth_date, sex=sex)
        if nik_taken(nik):
            raise ValidationError(_("This NIK is already registered. Sign in or reset your password."),
                                  code="nik_taken")
    except ValidationError as exc:
        errors["nik"] = exc.messages
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    user = User(kind=Kind.CITIZEN, email=email.strip().lower(), full_name=full_name, birth_date=birth_date,
                sex=sex, phone=phone)
    user.set_nik(nik)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration of the same NIK or e-mail
        raise ValidationError({"nik": [_("This NIK or e-mail is already registered.")]}) from exc
    record(actor=user.as_principal(), action="account.registered", target=user, details={"kind": "citizen"},
           request=request)
    return user


@transaction.atomic
def officer_create(
    *, acting: Principal, email: str, full_name: str, nip: str, agency: Any, roles: list[str],
    password: str | None = None, request: HttpRequest | None = None,
) -> User:
    """Create an officer (petugas) of one agency with roles. Only a platform admin, or an
    agency admin for their own agency, may do it. Raises PermissionError / ValidationError."""
    if not (acting.kind == "platform" or acting.has_role("platform_admin")
            or (acting.has_role("agency_admin") and acting.agency == agency.code)):
        raise PermissionError("only a platform admin or this agency's admin may create officers")
    user = User(kind=Kind.OFFICER, email=email.strip().lower(), full_name=clean_full_name(full_name),
                nip=validate_nip(nip), agency=agency, roles=sorted(set(roles)))
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(actor=acting, action="officer.created", target=user,
           details={"agency": agency.code, "roles": user.roles}, request=request)
    return user


@transaction.atomic
def consent_grant(*, user: User, application: Any, scopes: set[str], request: HttpRequest | None = None) -> Consent:
    """Remember the citizen's consent to share ``scopes`` with ``application``."""
    consent, _created = Consent.objects.update_or_create(
        user=user, application=application, defaults={"scopes": " ".join(sorted(scopes))}
    )
    record(actor=user.as_principal(), action="consent.granted", target=("oauth2_provider.application",
           str(application.pk)), details={"scopes": sorted(scopes)}, request=request)
    return consent


@transaction.atomic
def consent_revoke(*, user: User, application_id: int, request: HttpRequest | None = None) -> bool:
    """Revoke the consent and every token of this user for this client ("Aplikasi yang
    terhubung"). Returns False when there was nothing to revoke (same for other users' clients)."""
    from oauth2_provider.models import AccessToken, IDToken, RefreshToken

    deleted, _ = Consent.objects.filter(user=user, application_id=application_id).delete()
    for rt in RefreshToken.objects.filter(user=user, application_id=application_id, revoked__isnull=True):
        rt.revoke()
    AccessToken.objects.filter(user=user, application_id=application_id).delete()
    IDToken.objects.filter(user=user, application_id=application_id).delete()
    if deleted:
        record(actor=user.as_principal(), action="consent.revoked",
               target=("oauth2_provider.application", str(application_id)), request=request)
    return bool(deleted)
