"""Reads of the public service catalogue (public data: no principal scoping needed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, QuerySet

from satupintu.catalog.models import Agency, Channel, ChannelKind, LifeEvent, PriorityArea, Service
from satupintu.catalog.search import Filters, run_search

PAGE_SIZE = 20
MAX_PAGE = 100


LIST_FIELDS = ["id", "slug", "uid", "name_id", "name_en", "summary_id", "summary_en", "fee_idr", "duration_days",
               "view_count", "updated_at", "agency__id", "agency__code", "agency__name_id", "agency__name_en",
               "priority_area__id", "priority_area__slug", "priority_area__name_id", "priority_area__name_en"]


def services_qs() -> QuerySet[Service]:
    """Services with what a list shows: agency, priority area and ``has_portal_channel`` (the
    "Ajukan online" flag) loaded; the long standard-component fields are loaded only when read."""
    portal = Channel.objects.filter(service=OuterRef("pk"), kind=ChannelKind.PORTAL)
    return (Service.objects.select_related("agency", "priority_area").only(*LIST_FIELDS)
            .annotate(has_portal_channel=Exists(portal)))


@dataclass
class ServicePage:
    """One page of search or browse results.

    ``services``: this page, ranked; ``total``: matches on all pages; ``page``/``pages``: 1-based;
    ``corrected``: the (typo-fixed) terms searched, when they differ from the query's;
    ``suggestion``: a "Did you mean" query when nothing matched.
    """

    services: list[Service]
    total: int
    page: int
    pages: int
    corrected: str | None = None
    suggestion: str | None = None


def search_services(*, q: str = "", agency: str | None = None, life_event: str | None = None, page: int = 1,
                    page_size: int = PAGE_SIZE) -> ServicePage:
    """Search the catalogue.

    ``q``: free text in Indonesian or English (any length and characters; analysed by
    :func:`satupintu.catalog.analyzer.analyze`, typos corrected). Empty ``q`` lists every service,
    most viewed first. ``agency``: an agency code; ``life_event``: a life-event slug (both exact
    filters); ``page``: 1-based, clamped to the last page. Never raises for any input string.
    """
    page = max(1, min(page, MAX_PAGE))
    filters = Filters(agency=agency or None, life_event=life_event or None)
    if not q.strip():
        qs = services_qs().order_by(F("view_count").desc(), "name_id")
        if filters.agency:
            qs = qs.filter(agency__code=filters.agency)
        if filters.life_event:
            qs = qs.filter(life_events__slug=filters.life_event)
        total = qs.count()
        pages = max(1, -(-total // page_size))
        page = min(page, pages)
        return ServicePage(list(qs[(page - 1) * page_size: page * page_size]), total, page, pages)
    result = run_search(q, filters=filters, limit=page_size, offset=(page - 1) * page_size)
    pages = max(1, -(-result.total // page_size))
    if page > pages and result.total:
        return search_services(q=q, agency=agency, life_event=life_event, page=pages, page_size=page_size)
    by_id = services_qs().in_bulk(result.ids)
    return ServicePage([by_id[i] for i in result.ids if i in by_id], result.total, page, pages,
                       corrected=result.corrected, suggestion=result.suggestion)


def service_by_slug(slug: str) -> Service | None:
    """The service with ``slug`` and everything its page shows, or ``None``."""
    return (Service.objects.select_related("agency__parent", "priority_area")
            .prefetch_related("life_events", "channels").filter(slug=slug).first())


def service_by_uid(uid: str) -> Service | None:
    """The service whose public id (UUID, GovStack ``serviceId``) is ``uid``, or ``None`` (also for non-UUIDs)."""
    import uuid

    try:
        value = uuid.UUID(uid)
    except (ValueError, TypeError, AttributeError):
        return None
    return (Service.objects.select_related("agency", "priority_area").prefetch_related("life_events", "channels")
            .filter(uid=value).first())


def popular_services(limit: int = 8) -> list[Service]:
    """The most viewed services (ties: national priority services first, then by name)."""
    return list(services_qs().order_by(F("view_count").desc(), F("priority_area").asc(nulls_last=True),
                                       "name_id")[:limit])


def record_view(service: Service) -> None:
    """Count one page view (atomic ``UPDATE``; feeds "most used" and the popularity boost)."""
    Service.objects.filter(pk=service.pk).update(view_count=F("view_count") + 1)


def agencies_with_counts() -> QuerySet[Agency]:
    from django.db.models import Count

    return Agency.objects.select_related("parent").annotate(service_count=Count("services")).order_by("name_id")


def agency_by_code(code: str) -> Agency | None:
    return Agency.objects.select_related("parent", "region").filter(code=code).first()


def life_events() -> QuerySet[LifeEvent]:
    from django.db.models import Count

    return LifeEvent.objects.annotate(service_count=Count("services"))


def life_event_by_slug(slug: str) -> LifeEvent | None:
    return LifeEvent.objects.filter(slug=slug).first()


def priority_areas() -> QuerySet[PriorityArea]:
    from django.db.models import Count

    return PriorityArea.objects.annotate(service_count=Count("services"))
