"""JSON API of the catalogue: ``GET /api/v1/services`` (search) and ``GET /api/v1/services/{slug}``."""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from satupintu.catalog import selectors
from satupintu.catalog.models import Service
from satupintu.core.errors import NotFound

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")  # Django's SlugField (ASCII), Service.slug's max_length

router = Router()


class ChannelOut(Schema):
    kind: str = Field(description="portal (online on this portal), online (agency website), app, offline")
    name: str
    url: str
    place: str


class FeeVariantOut(Schema):
    label: str
    amountIdr: int | None  # noqa: N815


class ServiceOut(Schema):
    id: str = Field(description="Stable public id (UUID; the GovStack serviceId)")
    slug: str = Field(description="Stable slug, e.g. dukcapil-akta-kelahiran")
    name: str = Field(description="Name in the active language (Indonesian by default, ?lang=en)")
    nameId: str  # noqa: N815
    nameEn: str  # noqa: N815
    summary: str
    agency: str = Field(description="Agency code")
    agencyName: str  # noqa: N815
    feeIdr: int | None = Field(description="Fee in rupiah; 0 = free; null = not confirmed or see feeVariants")  # noqa: N815
    durationDays: int | None = Field(description="Working days, when known")  # noqa: N815
    onlineOnPortal: bool = Field(description="Can be applied for on this portal")  # noqa: N815
    priorityArea: str | None  # noqa: N815
    url: str = Field(description="The service page on the portal")


class ServiceDetailOut(ServiceOut):
    requirements: list[str]
    procedure: list[str]
    durationText: str  # noqa: N815
    feeBasis: str  # noqa: N815
    feeVariants: list[FeeVariantOut]  # noqa: N815
    product: str
    legalBasis: list[str]  # noqa: N815
    complaintHandling: str  # noqa: N815
    channels: list[ChannelOut]
    lifeEvents: list[str]  # noqa: N815
    keywords: list[str]
    sources: list[str]
    notes: str


class ServicePageOut(Schema):
    items: list[ServiceOut]
    count: int = Field(description="Total matches across all pages")
    page: int
    pages: int
    correctedQuery: str | None = Field(description="The typo-corrected terms searched, if any")  # noqa: N815
    didYouMean: str | None = Field(description="A suggested query when nothing matched")  # noqa: N815


class ServiceQuery(Schema):
    q: str | None = Field(None, max_length=500,
                          description="Free text, Indonesian or English (typos tolerated); at most 500 characters")
    agency: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]*$",
                               description="Agency code (a slug), e.g. dukcapil")
    life_event: str | None = Field(None, max_length=40, pattern=r"^[A-Za-z0-9_-]*$",
                                   description="Life-event slug, e.g. kelahiran")
    page: int = Field(1, ge=1, le=100)
    page_size: int = Field(20, ge=1, le=100)


def service_out(service: Service) -> dict:
    from django.urls import reverse

    return {
        "id": str(service.uid), "slug": service.slug, "name": service.name, "nameId": service.name_id,
        "nameEn": service.name_en, "summary": service.summary, "agency": service.agency.code,
        "agencyName": service.agency.name, "feeIdr": service.fee_idr, "durationDays": service.duration_days,
        "onlineOnPortal": service.online_on_portal,
        "priorityArea": service.priority_area.slug if service.priority_area else None,
        "url": reverse("catalog:service", args=[service.slug]),
    }


@router.get("", response=ServicePageOut, summary="Search the service catalogue")
def list_services(request: HttpRequest, filters: Query[ServiceQuery]) -> dict:
    """Search services.

    Query: ``q`` (free text; analysed like the portal search: synonyms, stemming, typo
    correction; empty = all services, most viewed first), ``agency`` (code), ``life_event``
    (slug), ``page`` (1-based, 1–100, clamped to the last page), ``page_size`` (1–100).
    Returns ``{items, count, page, pages, correctedQuery, didYouMean}``. Any text is accepted
    (punctuation, FTS syntax, emoji, NUL bytes); errors: 422 problem for out-of-range numbers or a
    ``q`` over 10,000 characters.
    """
    q = (filters.q or "").replace("\x00", " ")
    result = selectors.search_services(q=q, agency=(filters.agency or "").strip(),
                                       life_event=(filters.life_event or "").strip(), page=filters.page,
                                       page_size=filters.page_size)
    return {"items": [service_out(s) for s in result.services], "count": result.total, "page": result.page,
            "pages": result.pages, "correctedQuery": result.corrected, "didYouMean": result.suggestion}


@router.get("/{slug}", response=ServiceDetailOut, summary="One service with its standard components")
def get_service(request: HttpRequest, slug: str) -> dict:
    """One service by slug, with requirements, procedure, fee, product, legal basis and channels
    (UU 25/2009 Pasal 21). Errors: 404 problem when no service has the slug, also when it cannot
    be one (not a slug's letters, digits, ``-`` and ``_``: a NUL byte reached PostgreSQL, a 500)."""
    service = selectors.service_by_slug(slug[:100]) if _SLUG.fullmatch(slug) else None
    if service is None:
        raise NotFound(_("No service has the slug %(slug)s.") % {"slug": slug[:100]})
    return {
        **service_out(service),
        "requirements": service.requirements, "procedure": service.procedure,
        "durationText": service.duration_text, "feeBasis": service.fee_basis,
        "feeVariants": [{"label": v.get("label", ""), "amountIdr": v.get("amount_idr")} for v in service.fee_variants],
        "product": service.product, "legalBasis": service.legal_basis,
        "complaintHandling": service.complaint_handling,
        "channels": [{"kind": c.kind, "name": c.name, "url": c.url, "place": c.place} for c in service.channels.all()],
        "lifeEvents": [e.slug for e in service.life_events.all()], "keywords": service.keywords,
        "sources": service.sources, "notes": service.notes,
    }
