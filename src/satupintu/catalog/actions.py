"""Every write to the catalogue outside the importer: keyword-only, access-checked, atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from satupintu.audit.actions import record
from satupintu.catalog import access, search
from satupintu.catalog.analyzer import reset_analyzer
from satupintu.catalog.models import Agency, Channel, ChannelKind, LifeEvent, PriorityArea, Service, Synonym
from satupintu.core.errors import PermissionDenied
from satupintu.core.principal import Principal


@transaction.atomic
def service_save(*, service: Service, acting: Principal, changed: list[str] | None = None,
                 original_agency: str | None = None, request: HttpRequest | None = None) -> Service:
    """Create or update ``service`` (with its channels/life events already set by the caller's form).

    The principal must be allowed to edit the service's agency — and, for a move between agencies,
    the original one too (:mod:`satupintu.catalog.access`). Raises :class:`PermissionDenied`
    otherwise. Re-indexes the service and records ``service.created``/``service.updated``.
    """
    creating = service._state.adding
    for code in {service.agency.code, original_agency} - {None}:
        if not access.can_edit_agency(acting, code):
            raise PermissionDenied("This agency's services are not yours to edit.")
    service.full_clean(exclude=["uid"])
    service.save()
    search.reindex_services([service.pk])
    record(actor=acting, action="service.created" if creating else "service.updated", target=service,
           details={"slug": service.slug, "agency": service.agency.code, "fields": sorted(changed or [])},
           request=request)
    return service


@transaction.atomic
def service_channels_saved(*, service: Service, acting: Principal, changed: bool,
                           request: HttpRequest | None = None) -> None:
    """After the admin saved a service's channels and life events: re-index it and, when its
    channels changed, record ``service.updated`` with ``fields: ["channels"]``."""
    if not access.can_edit_agency(acting, service.agency.code):
        raise PermissionDenied("This agency's services are not yours to edit.")
    search.reindex_services([service.pk])
    if changed:
        record(actor=acting, action="service.updated", target=service,
               details={"slug": service.slug, "agency": service.agency.code, "fields": ["channels"]}, request=request)


@transaction.atomic
def service_portal_channel_ensure(*, service: Service, acting: Principal, request: HttpRequest | None = None) -> bool:
    """Mark ``service`` as online on this portal ("Ajukan online") by giving it a ``portal``
    channel, first in the list. Idempotent: returns False (nothing written) when it already has
    one; else True, re-indexed and recorded as ``service.updated`` with ``fields: ["channels"]``.
    Same access rule as :func:`service_save`."""
    if not access.can_edit_agency(acting, service.agency.code):
        raise PermissionDenied("This agency's services are not yours to edit.")
    locked = Service.objects.select_for_update().get(pk=service.pk)
    if locked.channels.filter(kind=ChannelKind.PORTAL).exists():
        return False
    channel = Channel(service=locked, kind=ChannelKind.PORTAL, name="satupintu", position=0)
    channel.full_clean()
    channel.save()
    search.reindex_services([locked.pk])
    record(actor=acting, action="service.updated", target=locked,
           details={"slug": locked.slug, "agency": locked.agency.code, "fields": ["channels"], "portal": True},
           request=request)
    return True


@transaction.atomic
def service_delete(*, service: Service, acting: Principal, request: HttpRequest | None = None) -> None:
    """Delete ``service`` (its search document goes with it). Same access rule as :func:`service_save`."""
    if not access.can_edit_agency(acting, service.agency.code):
        raise PermissionDenied("This agency's services are not yours to edit.")
    record(actor=acting, action="service.deleted", target=service,
           details={"slug": service.slug, "agency": service.agency.code}, request=request)
    service.delete()


@transaction.atomic
def synonym_save(*, synonym: Synonym, acting: Principal, request: HttpRequest | None = None) -> Synonym:
    """Add or change a search synonym (platform admins only); rebuilds the analyzer and the index."""
    if not access.is_platform_admin(acting):
        raise PermissionDenied("Only platform administrators edit the synonym table.")
    synonym.full_clean()
    synonym.save()
    record(actor=acting, action="catalog.synonym_saved", target=synonym,
           details={"variant": synonym.variant, "canonical": synonym.canonical}, request=request)
    _rebuild()
    return synonym


@transaction.atomic
def synonym_delete(*, synonym: Synonym, acting: Principal, request: HttpRequest | None = None) -> None:
    """Remove a search synonym (platform admins only); rebuilds the analyzer and the index."""
    if not access.is_platform_admin(acting):
        raise PermissionDenied("Only platform administrators edit the synonym table.")
    record(actor=acting, action="catalog.synonym_deleted", target=synonym,
           details={"variant": synonym.variant, "canonical": synonym.canonical}, request=request)
    synonym.delete()
    _rebuild()


def _rebuild() -> None:
    reset_analyzer()
    search.reindex_all()
    transaction.on_commit(reset_analyzer)  # other processes rebuild from the committed table


@transaction.atomic
def agency_save(*, agency: Agency, acting: Principal, changed: list[str] | None = None,
                request: HttpRequest | None = None) -> Agency:
    """Create or change an agency (platform admins only); records ``agency.created``/``agency.updated``."""
    if not access.is_platform_admin(acting):
        raise PermissionDenied("Only platform administrators edit agencies.")
    creating = agency._state.adding
    agency.full_clean()
    agency.save()
    record(actor=acting, action="agency.created" if creating else "agency.updated", target=agency,
           details={"code": agency.code, "fields": sorted(changed or [])}, request=request)
    search.reindex_services(list(agency.services.values_list("pk", flat=True)))
    return agency


_TERM_ACTIONS = {LifeEvent: "catalog.life_event", PriorityArea: "catalog.priority_area"}


@transaction.atomic
def term_save(*, term: LifeEvent | PriorityArea, acting: Principal, changed: list[str] | None = None,
              request: HttpRequest | None = None) -> LifeEvent | PriorityArea:
    """Add or change a life event or a national priority area (platform admins only, else
    :class:`PermissionDenied`; :class:`ValidationError` from ``full_clean``, nothing written).
    Records ``catalog.life_event_saved`` / ``catalog.priority_area_saved`` with the slug, whether it
    is new and the changed field names, and re-indexes the services it groups (their names are
    search terms)."""
    if not access.is_platform_admin(acting):
        raise PermissionDenied("Only platform administrators edit life events and priority areas.")
    creating = term._state.adding
    term.full_clean()
    term.save()
    record(actor=acting, action=f"{_TERM_ACTIONS[type(term)]}_saved", target=term,
           details={"slug": term.slug, "created": creating, "fields": sorted(changed or [])}, request=request)
    if not creating:
        search.reindex_services(list(term.services.values_list("pk", flat=True)))
    return term


@transaction.atomic
def term_delete(*, term: LifeEvent | PriorityArea, acting: Principal, request: HttpRequest | None = None) -> None:
    """Remove a life event (its services stay, without it) or a priority area no service is in
    (the database refuses one still in use); recorded as ``catalog.life_event_deleted`` /
    ``catalog.priority_area_deleted`` with its slug and names, and the services it grouped are
    re-indexed. Same access rule as :func:`term_save`."""
    if not access.is_platform_admin(acting):
        raise PermissionDenied("Only platform administrators edit life events and priority areas.")
    services = list(term.services.values_list("pk", flat=True))
    details = {"slug": term.slug, "name_id": term.name_id, "name_en": term.name_en, "services": len(services)}
    target = (term._meta.label_lower, str(term.pk))
    term.delete()
    record(actor=acting, action=f"{_TERM_ACTIONS[type(term)]}_deleted", target=target, details=details,
           request=request)
    search.reindex_services(services)
