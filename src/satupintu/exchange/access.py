"""The security chokepoints of the exchange directory.

Platform admins (role ``platform_admin``) manage everything. Agency admins (role
``agency_admin`` with ``Principal.agency`` set) manage only the members of their own agency,
those members' subsystems and services, and the access rights *to* those services (the
provider grants access, as in X-Road). Anyone else manages nothing. A missing object and an
object outside the principal's scope give the same :class:`~satupintu.core.errors.NotFound`.

The identifiers a directory object claims must belong to its agency too (ADR 0140,
:func:`check_identifiers`): an agency admin registers a member only under a member code assigned
to the agency, and binds a subsystem only to an OAuth client registered to the member's agency.
A certificate fingerprint is unique only among the agency's own subsystems (ADR 0143), so an agency
admin can neither block another agency's certificate nor learn whether it is in use.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from satupintu.catalog.models import Agency
from satupintu.core.errors import NotFound, PermissionDenied
from satupintu.core.principal import Principal
from satupintu.exchange.models import AccessRight, Member, Service, Subsystem
from satupintu.identity.interface import registered_oauth_client

M = TypeVar("M", bound=Model)

# The path from each directory model to the owning agency's code.
_AGENCY_PATH: dict[type[Model], str] = {
    Member: "agency__code",
    Subsystem: "member__agency__code",
    Service: "provider__member__agency__code",
    AccessRight: "service__provider__member__agency__code",
}


def is_platform_admin(principal: Principal) -> bool:
    return principal.has_role("platform_admin")


def acts_for_platform(principal: Principal) -> bool:
    """True for the platform itself (management commands such as ``exchange setup-demo``) and for
    platform admins: they manage every agency's objects and assign identifiers to agencies."""
    return principal.kind == "platform" or is_platform_admin(principal)


def can_manage_directory(principal: Principal) -> bool:
    """True for platform admins and for agency admins bound to an agency."""
    return is_platform_admin(principal) or (principal.has_role("agency_admin") and bool(principal.agency))


def scoped(principal: Principal, qs: QuerySet[M]) -> QuerySet[M]:
    """``qs`` narrowed to the directory objects ``principal`` may manage (empty for others)."""
    if is_platform_admin(principal):
        return qs
    if principal.has_role("agency_admin") and principal.agency:
        return qs.filter(**{_AGENCY_PATH[qs.model]: principal.agency})
    return qs.none()


def _by_id(principal: Principal, model: type[M], object_id: object) -> M:
    try:
        return scoped(principal, model._default_manager.all()).get(pk=object_id)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise NotFound() from None


def access_member_by_id(principal: Principal, member_id: object) -> Member:
    """The member, if ``principal`` may manage it; else :class:`NotFound` (same for missing)."""
    return _by_id(principal, Member, member_id)


def access_subsystem_by_id(principal: Principal, subsystem_id: object) -> Subsystem:
    return _by_id(principal, Subsystem, subsystem_id)


def access_service_by_id(principal: Principal, service_id: object) -> Service:
    return _by_id(principal, Service, service_id)


def access_right_by_id(principal: Principal, right_id: object) -> AccessRight:
    return _by_id(principal, AccessRight, right_id)


def check_agency(principal: Principal, agency: Agency) -> None:
    """Raise :class:`PermissionDenied` unless ``principal`` may manage objects of ``agency``. The
    platform itself (management commands such as ``exchange setup-demo``) may, as in the catalogue."""
    if acts_for_platform(principal):
        return
    if principal.has_role("agency_admin") and principal.agency and principal.agency == agency.code:
        return
    raise PermissionDenied("You may only manage your own agency's exchange members.")


def agency_of(obj: Member | Subsystem | Service | AccessRight) -> Agency:
    """The agency that owns a directory object (the provider's agency for an access right)."""
    if isinstance(obj, Member):
        return obj.agency
    if isinstance(obj, Subsystem):
        return obj.member.agency
    if isinstance(obj, Service):
        return obj.provider.member.agency
    return obj.service.provider.member.agency


def assigned_member_codes(agency: Agency) -> list[str]:
    """The member codes assigned to ``agency`` (ADR 0140), sorted, one spelling per code: the agency's
    own code in capitals (``dukcapil`` → ``DUKCAPIL``, as ``exchange setup-demo`` names members) and
    the code of each of its members (a platform admin registered those). Compared case-insensitively."""
    codes = {agency.code.casefold(): agency.code.upper()}
    for code in Member.objects.filter(agency=agency).order_by("member_code").values_list("member_code", flat=True):
        codes.setdefault(code.casefold(), code)
    return sorted(codes.values())


def check_identifiers(principal: Principal, obj: Model, *, stored: Model | None) -> None:
    """Raise :class:`~django.core.exceptions.ValidationError` naming the field unless the identifiers
    ``obj`` claims belong to its agency (ADR 0140). ``stored``: the object as saved (``None`` when
    new); an identifier that is unchanged is not checked again.

    * ``Member.member_code``: an agency admin may use only a code of
      :func:`assigned_member_codes` (rule ``member_code_not_assigned``); the platform and platform
      admins may register any code (that assigns it to the member's agency).
    * ``Subsystem.oauth_client_id``: the id must name a registered OAuth client; an agency admin may
      bind only a client whose relying-party settings name the member's agency. Both answer
      ``client_not_registered`` to an agency admin, so another agency's client ids stay unknown to it;
      the platform and platform admins may bind any registered client.
    * ``Subsystem.cert_fingerprint``: no other subsystem *of the member's agency* may use it (rule
      ``cert_in_use``, ADR 0143). Other agencies' subsystems are not looked at: the gateway always
      finds the subsystem by the client header and the front proxy proves possession of the
      certificate's key, so a fingerprint shared across agencies grants no one anything, while a
      platform-wide check would let one agency block another's certificate and learn whether it is
      registered. The same rule for every principal.

    Call it after :func:`check_agency` (the object's agency is then the principal's, unless the
    principal acts for the platform). Objects without a member or an agency yet are left to
    ``full_clean``."""
    if isinstance(obj, Member):
        _check_member_code(principal, obj, stored)
    elif isinstance(obj, Subsystem):
        _check_oauth_client(principal, obj, stored)
        _check_cert_fingerprint(obj, stored)


def _check_member_code(principal: Principal, member: Member, stored: Model | None) -> None:
    if acts_for_platform(principal) or member.agency_id is None:
        return
    if isinstance(stored, Member) and stored.member_code == member.member_code:
        return
    codes = assigned_member_codes(member.agency)
    if member.member_code.casefold() not in {code.casefold() for code in codes}:
        raise ValidationError({"member_code": ValidationError(
            _("Use a member code assigned to this agency (%(codes)s); only a platform admin can register "
              "another code."), code="member_code_not_assigned", params={"codes": ", ".join(codes)})})


def _check_oauth_client(principal: Principal, subsystem: Subsystem, stored: Model | None) -> None:
    client_id = subsystem.oauth_client_id
    if not client_id or subsystem.member_id is None:
        return
    if isinstance(stored, Subsystem) and stored.oauth_client_id == client_id:
        return
    client = registered_oauth_client(client_id)
    if acts_for_platform(principal):
        if client is None:
            raise ValidationError({"oauth_client_id": ValidationError(
                _("No OAuth client with this client id is registered; register the client first."),
                code="client_not_registered")})
        return
    agency = subsystem.member.agency
    if client is None or client.agency != agency.code:
        raise ValidationError({"oauth_client_id": ValidationError(
            _("No OAuth client with this client id is registered to this member's agency (%(agency)s); a "
              "platform admin registers the client and sets its agency."),
            code="client_not_registered", params={"agency": agency.name_id})})


def _check_cert_fingerprint(subsystem: Subsystem, stored: Model | None) -> None:
    fingerprint = subsystem.cert_fingerprint
    if not fingerprint or subsystem.member_id is None:
        return
    if (isinstance(stored, Subsystem) and stored.cert_fingerprint == fingerprint
            and stored.member_id == subsystem.member_id):
        return
    agency = subsystem.member.agency
    same_agency = Subsystem.objects.filter(member__agency=agency, cert_fingerprint=fingerprint)
    if subsystem.pk is not None:
        same_agency = same_agency.exclude(pk=subsystem.pk)
    if same_agency.exists():
        raise ValidationError({"cert_fingerprint": ValidationError(
            _("Another subsystem of this agency (%(agency)s) already uses this certificate fingerprint; give each "
              "subsystem its own certificate."), code="cert_in_use", params={"agency": agency.name_id})})
