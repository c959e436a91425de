"""The security chokepoints of the exchange directory.

Platform admins (role ``platform_admin``) manage everything. Agency admins (role
``agency_admin`` with ``Principal.agency`` set) manage only the members of their own agency,
those members' subsystems and services, and the access rights *to* those services (the
provider grants access, as in X-Road). Anyone else manages nothing. A missing object and an
object outside the principal's scope give the same :class:`~satupintu.core.errors.NotFound`.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from satupintu.catalog.models import Agency
from satupintu.core.errors import NotFound, PermissionDenied
from satupintu.core.principal import Principal
from satupintu.exchange.models import AccessRight, Member, Service, Subsystem

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
    if principal.kind == "platform" or is_platform_admin(principal):
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
