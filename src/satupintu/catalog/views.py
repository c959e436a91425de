"""Portal pages of the catalogue: home, search, service, agencies, life events (HTML, no JavaScript)."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from satupintu.catalog import selectors
from satupintu.catalog.models import Service
from satupintu.regions import selectors as region_selectors

MAX_QUERY = 200
"""Characters of a query shown back and searched (longer input is cut, never refused)."""


def _clean(value: str | None, limit: int = MAX_QUERY) -> str:
    return (value or "").replace("\x00", "")[:limit].strip()


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Home: search box first, the 9 national priority services, life events, most used services."""
    return render(request, "catalog/home.html", {
        "priority_areas": selectors.priority_areas(),
        "life_events": selectors.life_events(),
        "popular": selectors.popular_services(8),
        "province_count": region_selectors.province_count(),
    })


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search results (``?q=&agency=&life_event=&page=``). Any input answers 200; nothing matched
    gives a friendly page with "Did you mean" when a close spelling exists."""
    q = _clean(request.GET.get("q"))
    agency = _clean(request.GET.get("agency"), 64)
    life_event = _clean(request.GET.get("life_event"), 40)
    result = selectors.search_services(q=q, agency=agency, life_event=life_event, page=_page(request))
    return render(request, "catalog/search.html", {
        "q": q, "agency": agency, "life_event": life_event, "result": result,
        "agency_obj": selectors.agency_by_code(agency) if agency else None,
    })


def _json_ld(service: Service, url: str) -> str:
    """schema.org ``GovernmentService`` for search engines (data, not a script: CSP-safe)."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": service.name_id,
        "alternateName": service.name_en or None,
        "description": service.summary_id,
        "url": url,
        "identifier": str(service.uid),
        "serviceType": service.priority_area.name_id if service.priority_area else None,
        "provider": {"@type": "GovernmentOrganization", "name": service.agency.name_id,
                     "url": service.agency.website or None},
        "areaServed": {"@type": "Country", "name": "Indonesia"},
        "availableChannel": [
            {"@type": "ServiceChannel", "name": c.get_kind_display(), "serviceUrl": c.url or None,
             "description": c.place or c.name or None}
            for c in service.channels.all()
        ],
    }
    if service.fee_idr is not None:
        data["offers"] = {"@type": "Offer", "price": service.fee_idr, "priceCurrency": "IDR"}
    cleaned = {k: v for k, v in data.items() if v is not None}
    # Escape <, > and & so the JSON can never close the script element.
    text = json.dumps(cleaned, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - JSON with <, >, & escaped above


@require_GET
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One service with all 14 standard components, fee (``Rp 350.000``), duration and channels."""
    service = selectors.service_by_slug(slug)
    if service is None:
        raise Http404
    selectors.record_view(service)
    url = request.build_absolute_uri(reverse("catalog:service", args=[service.slug]))
    return render(request, "catalog/service.html", {"service": service, "json_ld": _json_ld(service, url)})


@require_GET
def service_apply(request: HttpRequest, slug: str) -> HttpResponse:
    """Placeholder target of "Ajukan online" (URL name ``catalog:service-apply``); the applications
    app replaces it with the online application form."""
    service = selectors.service_by_slug(slug)
    if service is None:
        raise Http404
    return render(request, "catalog/apply.html", {"service": service})


@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    """Directory of agencies (instansi) with their service counts."""
    return render(request, "catalog/agencies.html", {"agencies": selectors.agencies_with_counts()})


@require_GET
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One agency: its details, units and every one of its services."""
    agency = selectors.agency_by_code(code)
    if agency is None:
        raise Http404
    services = selectors.services_qs().filter(agency=agency).order_by("name_id")
    return render(request, "catalog/agency.html", {
        "agency": agency, "services": services, "units": agency.units.order_by("name_id"),
    })


@require_GET
def life_event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/life_events.html", {"life_events": selectors.life_events()})


@require_GET
def life_event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Services for one life event (e.g. kelahiran: birth certificate, KIA, KK)."""
    event = selectors.life_event_by_slug(slug)
    if event is None:
        raise Http404
    services = selectors.services_qs().filter(life_events=event).order_by("name_id")
    return render(request, "catalog/life_event.html", {"event": event, "services": services})


@require_GET
def priority_area_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Services of one of the 9 national priority digital services."""
    area = next((a for a in selectors.priority_areas() if a.slug == slug), None)
    if area is None:
        raise Http404
    services = selectors.services_qs().filter(priority_area=area).order_by("name_id")
    return render(request, "catalog/priority_area.html", {"area": area, "services": services})


