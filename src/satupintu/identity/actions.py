"""Every write to accounts: keyword-only, atomic, audited in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from satupintu.audit.actions import record
from satupintu.core.principal import Principal
from satupintu.identity.crypto import nik_blind_index
from satupintu.identity.models import Address, Consent, Kind, RelyingParty, User
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


# The account fields that decide what someone may do: an admin's change to any of them is audited
# with its values before and after (the other changed fields by name only).
ACCESS_FIELDS = ("kind", "agency", "roles", "is_active", "is_staff", "is_superuser")


def _access_values(user: User) -> dict[str, Any]:
    return {"kind": user.kind, "agency": user.agency.code if user.agency_id and user.agency else None,
            "roles": sorted(str(r) for r in user.roles or []), "is_active": user.is_active,
            "is_staff": user.is_staff, "is_superuser": user.is_superuser}


@transaction.atomic
def user_admin_save(*, user: User, acting: Principal, changed: list[str] | None = None,
                    request: HttpRequest | None = None) -> User:
    """A platform admin's save of an account in the back-office (``/kelola/identity/user/``).

    Only a platform admin (role ``platform_admin``) may: else :class:`PermissionError`, nothing
    written. The caller's form has already validated ``user``; it is checked again
    (``full_clean``, :class:`ValidationError`). Records ``account.created_by_admin`` or
    ``account.changed_by_admin`` in the same transaction: ``fields`` (the changed field names)
    and, for each changed field of :data:`ACCESS_FIELDS` (kind, agency, roles, active,
    back-office access, superuser), ``before``/``after`` values, so a grant of roles or
    back-office access can be traced to who gave it. Never the NIK.
    """
    if not acting.has_role("platform_admin"):
        raise PermissionError("only a platform admin may change accounts in the back-office")
    creating = user._state.adding
    stored = None if creating else User.objects.select_for_update(of=("self",)).select_related("agency").get(pk=user.pk)
    user.full_clean(exclude=["password"])
    user.save()
    after = _access_values(user)
    details: dict[str, Any] = {"fields": sorted(set(changed or [])), "after": after}
    if stored is not None:
        before = _access_values(stored)
        moved = [name for name in ACCESS_FIELDS if before[name] != after[name]]
        details = {"fields": sorted(set(changed or []) | set(moved)),
                   "before": {name: before[name] for name in moved}, "after": {name: after[name] for name in moved}}
    record(actor=acting, action="account.created_by_admin" if creating else "account.changed_by_admin",
           target=user, details=details, request=request)
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


MAX_STREET = 200


def clean_street_address(value: str) -> str:
    """Street, house number, RT/RW: 1–200 characters after trimming and joining whitespace; any
    script; no control characters. Raises ValidationError ``street_length`` / ``street_chars``."""
    text = " ".join((value or "").split())
    if not text or len(text) > MAX_STREET:
        raise ValidationError(_("Street address must be 1 to %(max)d characters.") % {"max": MAX_STREET},
                              code="street_length")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text):
        raise ValidationError(_("Street address contains control characters."), code="street_chars")
    return text


@transaction.atomic
def address_set(*, user: User, street_address: str, region_code: str, postal_code: str = "",
                request: HttpRequest | None = None) -> Address:
    """Create or replace ``user``'s address (the OIDC ``address`` claim).

    ``region_code`` must be a village (desa/kelurahan) in the region register; its district,
    regency/city and province names are copied. ``postal_code`` (5 digits) defaults to the
    village's; a typed one must be the village's when the postal-code data knows it
    (:func:`satupintu.regions.selectors.check_postal_code`). Raises ValidationError (field →
    message); nothing is written on error. Writes
    ``account.address_changed`` (no address in the event: it is personal data).
    """
    from satupintu.regions.selectors import ancestors, check_postal_code, region_by_code

    errors: dict[str, list[str]] = {}
    try:
        street_address = clean_street_address(street_address)
    except ValidationError as exc:
        errors["street_address"] = exc.messages
    village = region_by_code(region_code) if region_code and region_code.count(".") == 3 else None
    if village is None:
        errors["region_code"] = [_("Choose the village (desa/kelurahan) of your address.")]
    postal_code = (postal_code or "").strip()
    if postal_code and not (len(postal_code) == 5 and postal_code.isascii() and postal_code.isdigit()):
        errors["postal_code"] = [_("A postal code has five digits.")]
    elif village is not None:
        try:
            check_postal_code(region_code=village.kode, postal_code=postal_code)
        except ValidationError as exc:
            errors["postal_code"] = exc.messages
    if errors:
        raise ValidationError(errors)
    assert village is not None  # noqa: S101 - narrowed by the check above
    chain = {r.level: r.nama for r in ancestors(village)}
    if not postal_code and hasattr(village, "postal"):
        postal_code = village.postal.kodepos
    address = Address.objects.select_for_update().filter(user=user).first() or Address(user=user)
    address.street_address, address.region_code, address.village = street_address, village.kode, village.nama
    address.district, address.locality, address.region = chain.get(3, ""), chain.get(2, ""), chain.get(1, "")
    address.postal_code, address.updated_at = postal_code, timezone.now()
    address.full_clean()
    address.save()
    record(actor=user.as_principal(), action="account.address_changed", target=user, request=request)
    return address


@transaction.atomic
def address_clear(*, user: User, request: HttpRequest | None = None) -> bool:
    """Delete ``user``'s address. Returns False when there was none (nothing recorded)."""
    deleted, _n = Address.objects.filter(user=user).delete()
    if deleted:
        record(actor=user.as_principal(), action="account.address_removed", target=user, request=request)
    return bool(deleted)


# --- OIDC clients (relying parties), managed by platform admins in the back-office -----------------

def _require_platform_admin(acting: Principal) -> None:
    from satupintu.core.errors import PermissionDenied

    if not (acting.kind == "platform" or acting.has_role("platform_admin")):
        raise PermissionDenied("only a platform admin manages OIDC clients")


def _client_target(application: Any) -> tuple[str, str]:
    return ("oauth2_provider.application", str(application.pk))


@transaction.atomic
def oidc_client_saved(*, application: Any, created: bool, changed: list[str], acting: Principal,
                      request: HttpRequest | None = None) -> None:
    """Audit a client (application and relying party) the back-office form has just saved, in the
    form's transaction: ``oidc_client.created`` or ``oidc_client.updated`` with the names of the
    changed fields (never their values: one is the secret), ``oidc_client.disabled`` /
    ``oidc_client.enabled`` when ``relying_party.active`` changed, and
    ``oidc_client.introspection_allowed`` / ``oidc_client.introspection_revoked`` when
    ``relying_party.may_introspect`` changed (ADR 0135; a new client only when allowed). Raises
    PermissionDenied (403) for anyone but a platform admin (the transaction, and so the save, is
    rolled back)."""
    _require_platform_admin(acting)
    details = {"client_id": application.client_id, "name": application.name, "changed": sorted(changed)}
    record(actor=acting, action="oidc_client.created" if created else "oidc_client.updated",
           target=_client_target(application), details=details, request=request)
    if "relying_party.active" in changed or created:
        rp = RelyingParty.objects.filter(application=application).first()
        if rp is not None and (not created or not rp.active):
            record(actor=acting, action="oidc_client.enabled" if rp.active else "oidc_client.disabled",
                   target=_client_target(application), details={"client_id": application.client_id},
                   request=request)
        if rp is not None and not rp.active:
            _forget_gateway_introspections(application)
    if "relying_party.may_introspect" in changed or created:
        rp = RelyingParty.objects.filter(application=application).first()
        if rp is not None and (not created or rp.may_introspect):
            _record_introspection_change(application, allowed=rp.may_introspect, acting=acting, request=request)


def _record_introspection_change(application: Any, *, allowed: bool, acting: Principal,
                                 request: HttpRequest | None) -> None:
    record(actor=acting, action="oidc_client.introspection_allowed" if allowed else "oidc_client.introspection_revoked",
           target=_client_target(application), details={"client_id": application.client_id}, request=request)


@transaction.atomic
def oidc_client_set_may_introspect(*, application: Any, allowed: bool, acting: Principal,
                                   request: HttpRequest | None = None) -> bool:
    """Allow (``allowed=True``) or forbid an OIDC client to introspect tokens with its own
    credentials at ``/o/introspect/`` (``RelyingParty.may_introspect``, RFC 7662 §4, ADR 0135):
    for resource servers such as the exchange gateway's introspection client. Takes effect on the
    next request in every process (client cache, ADR 0111). Creates the relying-party settings
    (defaults) if the client has none. Returns False when the client already was in that state
    (nothing written, nothing audited); else records ``oidc_client.introspection_allowed`` /
    ``oidc_client.introspection_revoked``. Raises PermissionDenied for anyone but a platform admin
    (or the platform itself, e.g. ``exchange setup-demo``)."""
    _require_platform_admin(acting)
    if not _set_relying_party_flag(application, "may_introspect", allowed):
        return False
    _record_introspection_change(application, allowed=allowed, acting=acting, request=request)
    return True


@transaction.atomic
def oidc_client_set_active(*, application: Any, active: bool, acting: Principal,
                           request: HttpRequest | None = None) -> bool:
    """Disable (``active=False``) or enable an OIDC client. A disabled client is refused on the
    next request in every process (client cache, ADR 0111/0117): no authorization, no token, its
    tokens refused and introspected as inactive. Creates the relying-party settings (defaults)
    if the client has none. Returns False when the client already was in that state (nothing
    written, nothing audited). Raises PermissionDenied for anyone but a platform admin."""
    _require_platform_admin(acting)
    if not _set_relying_party_flag(application, "active", active):
        return False
    record(actor=acting, action="oidc_client.enabled" if active else "oidc_client.disabled",
           target=_client_target(application), details={"client_id": application.client_id}, request=request)
    if not active:
        _forget_gateway_introspections(application)
    return True


def _set_relying_party_flag(application: Any, name: str, value: bool) -> bool:
    """Inside a transaction: set the client's relying-party flag ``name`` to ``value`` (creating
    the settings with defaults if the client has none), the row locked; False when it already
    held that value (nothing written)."""
    rp, _created = RelyingParty.objects.select_for_update().get_or_create(application=application)
    if getattr(rp, name) == value:
        return False
    setattr(rp, name, value)
    rp.save(update_fields=[name])
    return True


def _forget_gateway_introspections(application: Any) -> None:
    """A disabled client's tokens must not keep passing the exchange gateway on a cached "active"
    introspection answer: drop those answers now and again after commit (a gateway may have asked
    in between)."""
    from oauth2_provider.models import get_access_token_model

    from satupintu.exchange.interface import forget_token_introspections

    checksums = list(get_access_token_model().objects.filter(application=application)
                     .values_list("token_checksum", flat=True))
    forget_token_introspections(checksums)
    transaction.on_commit(lambda: forget_token_introspections(checksums))


@transaction.atomic
def oidc_client_delete(*, application: Any, acting: Principal, request: HttpRequest | None = None) -> dict[str, int]:
    """Delete an OIDC client with everything issued to it or for it: access, refresh and ID
    tokens, authorization codes (grants), its relying-party settings and citizens' consents.
    Takes effect on the next request in every process (ADR 0111):
    the client is unknown (``invalid_client``) and its tokens introspect as inactive.
    Returns the counts of tokens and grants deleted (also in the ``oidc_client.deleted`` audit
    event). Raises PermissionDenied for anyone but a platform admin."""
    from oauth2_provider.models import (
        get_access_token_model,
        get_grant_model,
        get_id_token_model,
        get_refresh_token_model,
    )

    _require_platform_admin(acting)
    counts = {
        "access_tokens": get_access_token_model().objects.filter(application=application).count(),
        "refresh_tokens": get_refresh_token_model().objects.filter(application=application).count(),
        "id_tokens": get_id_token_model().objects.filter(application=application).count(),
        "grants": get_grant_model().objects.filter(application=application).count(),
    }
    target = _client_target(application)
    details = {"client_id": application.client_id, "name": application.name, **counts}
    application.delete()  # the tokens, grants, relying party and consents cascade
    record(actor=acting, action="oidc_client.deleted", target=target, details=details, request=request)
    return counts
