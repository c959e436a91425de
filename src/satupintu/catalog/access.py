"""The security chokepoint for editing the catalogue.

Rules: a ``platform_admin`` edits every agency's services and the synonym table; an
``agency_admin`` edits only the services of the agency their principal acts for
(``principal.agency``, an agency code); everyone else edits nothing. Reading the catalogue is public.
"""

from __future__ import annotations

from django.db.models import QuerySet

from satupintu.catalog.models import Agency, Service
from satupintu.core.errors import NotFound
from satupintu.core.principal import Principal


def is_platform_admin(principal: Principal) -> bool:
    return principal.kind in {"officer", "platform"} and principal.has_role("platform_admin")


def admin_agency(principal: Principal) -> str | None:
    """The agency code an officer administers (role ``agency_admin``), else ``None``."""
    if principal.kind == "officer" and principal.has_role("agency_admin") and principal.agency:
        return principal.agency
    return None


def can_edit_agency(principal: Principal, agency_code: str | None) -> bool:
    """May ``principal`` create, change or delete services of the agency ``agency_code``? The
    platform itself (management commands such as ``import-online-services``) may."""
    return principal.kind == "platform" or is_platform_admin(principal) or (admin_agency(principal) is not None
                                            and admin_agency(principal) == agency_code)


def can_edit_catalog(principal: Principal) -> bool:
    """May ``principal`` use the catalogue admin at all (any agency)?"""
    return is_platform_admin(principal) or admin_agency(principal) is not None


def editable_services(principal: Principal) -> QuerySet[Service]:
    """The services ``principal`` may edit (all, its agency's, or none)."""
    qs = Service.objects.select_related("agency")
    if is_platform_admin(principal):
        return qs
    if admin_agency(principal):
        return qs.filter(agency__code=admin_agency(principal))
    return qs.none()


def editable_agencies(principal: Principal) -> QuerySet[Agency]:
    """Agencies whose services ``principal`` may edit (for the admin's agency choice)."""
    if is_platform_admin(principal):
        return Agency.objects.all()
    if admin_agency(principal):
        return Agency.objects.filter(code=admin_agency(principal))
    return Agency.objects.none()


def access_service_for_edit(principal: Principal, service_id: int) -> Service:
    """The service ``service_id`` if ``principal`` may edit it; else :class:`NotFound` (same answer
    for "missing" and "not yours")."""
    service = editable_services(principal).filter(pk=service_id).first()
    if service is None:
        raise NotFound()
    return service
