"""JSON API for the region register: ``GET /api/v1/regions`` and ``GET /api/v1/regions/{kode}``."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from satupintu.core.errors import FieldError, InvalidInput, NotFound
from satupintu.regions import selectors
from satupintu.regions.importer import CODE_RE
from satupintu.regions.models import Region

router = Router()


class RegionOut(Schema):
    kode: str = Field(description="Kode wilayah, e.g. 32.75 (Kota Bekasi)")
    nama: str
    level: int = Field(description="1 province, 2 regency/city, 3 district, 4 village")
    kind: str = Field(description="provinsi, kabupaten, kota, kecamatan, kelurahan, desa or desa adat")
    parent: str | None = Field(description="Parent code; null for provinces")


class RegionPage(Schema):
    items: list[RegionOut]
    count: int = Field(description="Total matches across all pages")
    page: int
    pages: int


class RegionDetail(RegionOut):
    postalCode: str | None = Field(description="Five-digit postal code (villages only)")  # noqa: N815
    path: list[RegionOut] = Field(description="Ancestors from the province down")


class RegionQuery(Schema):
    parent: str | None = Field(None, max_length=13, description="List the children of this code")
    q: str | None = Field(None, max_length=100, description="Words that must all occur in the name")
    level: int | None = Field(None, ge=1, le=4)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


def _out(region: Region) -> RegionOut:
    return RegionOut(kode=region.kode, nama=region.nama, level=region.level, kind=region.kind,
                     parent=region.parent_id)


@router.get("", response=RegionPage, summary="List or search regions")
def list_regions(request: HttpRequest, filters: Query[RegionQuery]) -> RegionPage:
    """List regions.

    Query: ``parent`` (a kode wilayah; its direct children, or with ``q`` its descendants),
    ``q`` (words, case-insensitive; all must occur in the name), ``level`` (1–4), ``page``
    (1-based) and ``page_size`` (1–500, default 50). Without ``parent`` and ``q``: the 38
    provinces. Returns ``{items, count, page, pages}``. Errors: 422 problem naming the
    field for a malformed ``parent`` or out-of-range numbers; 404 for an unknown ``parent``.
    """
    q = (filters.q or "").replace("\x00", "").strip()
    parent = (filters.parent or "").strip() or None
    if parent is not None:
        if not CODE_RE.match(parent):
            raise InvalidInput(
                [FieldError("parent", "format", _("Region code must look like 32, 32.75, 32.75.01 or 32.75.01.1001."))]
            )
        if selectors.region_by_code(parent) is None:
            raise NotFound(_("No region has the code %(code)s.") % {"code": parent})
    qs = selectors.search_regions(q=q, parent=parent, level=filters.level)
    paginator = Paginator(qs, filters.page_size)
    page_number = min(filters.page, max(paginator.num_pages, 1))
    page = paginator.page(page_number)
    return RegionPage(items=[_out(r) for r in page.object_list], count=paginator.count, page=page_number,
                      pages=paginator.num_pages)


@router.get("/{kode}", response=RegionDetail, summary="One region with its ancestors")
def get_region(request: HttpRequest, kode: str) -> RegionDetail:
    """Return one region by kode wilayah with its ancestor path and postal code.

    Errors: 422 when ``kode`` is malformed, 404 when no region has it.
    """
    if not CODE_RE.match(kode):
        raise InvalidInput(
            [FieldError("kode", "format", _("Region code must look like 32, 32.75, 32.75.01 or 32.75.01.1001."))]
        )
    region = selectors.region_by_code(kode)
    if region is None:
        raise NotFound(_("No region has the code %(code)s.") % {"code": kode})
    postal = getattr(region, "postal", None) if region.level == 4 else None
    base = _out(region)
    return RegionDetail(**base.dict(), postalCode=postal.kodepos if postal else None,
                        path=[_out(a) for a in selectors.ancestors(region)])
