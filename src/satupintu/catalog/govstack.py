"""GovStack Registration building block — the catalogue part: ``GET /services`` and
``GET /services/{serviceId}`` (spec: GovStack Registration BB API 0.1.1, shared specs folder).

Mounted as its own NinjaAPI at ``/registration/v1/`` (OpenAPI at
``/registration/v1/openapi.json``), so the BB's paths stay exactly as specified. ``serviceId`` is the
service's stable UUID (``uuid5`` of its slug). The applications app adds the BB's ``/applications``
and ``/tasks`` routers to :data:`registration_api`.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from satupintu.catalog import selectors
from satupintu.catalog.models import Service
from satupintu.catalog.templatetags.catalog_tags import rupiah
from satupintu.core.api import ProblemAwareNinjaAPI
from satupintu.core.errors import NotFound

# ProblemAwareNinjaAPI: the same problem handlers, JSON body parser and documented 4XX as /api/v1/.
registration_api = ProblemAwareNinjaAPI(
    title="satupintu — GovStack Registration building block",
    version="0.1.1",
    description="GovStack Registration BB API (services part). Errors are RFC 9457 problem details.",
    urls_namespace="registration",
    docs_url=None,
)
router = Router(tags=["Available Services"])


class PropertyOut(Schema):
    code: str
    value: str


class GovStackService(Schema):
    id: str = Field(description="unique identifier (serviceId, UUID)")
    name: str
    version: str = Field(description="service version number (last change, YYYYMMDDHHMMSS)")
    type: Literal["None", "Private", "Public"]
    isExecutable: bool = Field(description="Can be applied for on this portal")  # noqa: N815
    isClosed: bool  # noqa: N815
    description: str
    serviceBody: list[PropertyOut]  # noqa: N815


class NameQuery(Schema):
    name: str | None = Field(None, max_length=500, description="Words of the service name (search)")


def to_govstack(service: Service, *, detail: bool) -> dict:
    body = [{"code": "slug", "value": service.slug}, {"code": "agency", "value": service.agency.code}]
    if detail:
        fee = rupiah(service.fee_idr) if service.fee_idr is not None else ""
        body += [{"code": "requirement", "value": r} for r in service.requirements]
        body += [{"code": "procedure", "value": p} for p in service.procedure]
        body += [{"code": "legalBasis", "value": b} for b in service.legal_basis]
        body += [{"code": k, "value": v} for k, v in (
            ("fee", fee), ("durationDays", str(service.duration_days or "")), ("duration", service.duration_text),
            ("product", service.product)) if v]
        body += [{"code": f"channel.{c.kind}", "value": c.url or c.place or c.name} for c in service.channels.all()]
    return {
        "id": str(service.uid), "name": service.name, "version": service.updated_at.strftime("%Y%m%d%H%M%S"),
        "type": "Public", "isExecutable": service.online_on_portal, "isClosed": False,
        "description": service.summary, "serviceBody": body,
    }


@router.get("/services", response=list[GovStackService], operation_id="getServiceList",
            summary="returns a list of services (Services available to use)")
def get_service_list(request: HttpRequest, filters: Query[NameQuery]) -> list[dict]:
    """All services with basic information (``name`` filters by search, best first; at most 1000).
    Returns an empty array when none match."""
    name = (filters.name or "").replace("\x00", " ")
    if name.strip():
        found = selectors.search_services(q=name, page_size=100).services
    else:
        found = list(selectors.services_qs().order_by("name_id")[:1000])
    return [to_govstack(s, detail=False) for s in found]


@router.get("/services/{serviceId}", response=GovStackService, operation_id="getService",
            summary="returns detailed information about a service")
def get_service(request: HttpRequest, serviceId: str) -> dict:  # noqa: N803 - name fixed by the BB spec
    """One service by its UUID with requirements, procedure, legal basis, fee and channels in
    ``serviceBody``. Errors: 404 problem for an unknown or malformed id."""
    service = selectors.service_by_uid(serviceId)
    if service is None:
        raise NotFound(_("No service has the id %(id)s.") % {"id": serviceId[:64]})
    return to_govstack(service, detail=True)


registration_api.add_router("", router)
