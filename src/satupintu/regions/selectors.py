"""Reads of the region register. Regions are public data: no principal scoping needed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from satupintu.regions.models import Level, PostalCode, Region


def province_count() -> int:
    """Number of provinces in the register (38 with Kepmendagri 2025 data)."""
    return Region.objects.filter(level=Level.PROVINSI).count()


def region_by_code(kode: str) -> Region | None:
    """The region with this code, or ``None``."""
    return Region.objects.select_related("parent", "postal").filter(kode=kode).first()


def children_of(parent: str | None) -> QuerySet[Region]:
    """Regions directly under ``parent`` (``None`` = the provinces), ordered by code."""
    if parent:
        return Region.objects.filter(parent_id=parent).order_by("kode")
    return Region.objects.filter(level=Level.PROVINSI).order_by("kode")


def search_regions(*, q: str = "", parent: str | None = None, level: int | None = None) -> QuerySet[Region]:
    """Regions whose name contains every word of ``q`` (case-insensitive), optionally only
    under ``parent`` (at any depth) and at ``level``. Exact-name and shallower matches come
    first, then by code."""
    qs = Region.objects.all()
    if parent:
        qs = qs.filter(Q(parent_id=parent) if not q else Q(kode__startswith=parent + "."))
    elif not q:
        qs = qs.filter(level=Level.PROVINSI)
    if level:
        qs = qs.filter(level=level)
    for word in q.lower().split():
        qs = qs.filter(nama_lower__contains=word)
    return qs.order_by("level", "kode")


def ancestors(region: Region) -> list[Region]:
    """The chain from the province down to ``region``'s parent (for breadcrumbs)."""
    parts = region.kode.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts))]
    found = {r.kode: r for r in Region.objects.filter(kode__in=codes)}
    return [found[c] for c in codes if c in found]


def region_names(*, max_level: int = Level.KABUPATEN_KOTA) -> list[str]:
    """Names of every region down to ``max_level`` (default: provinces and regencies/cities),
    e.g. for search analyzers that must not stem place names."""
    return list(Region.objects.filter(level__lte=max_level).values_list("nama", flat=True))


def check_postal_code(*, region_code: str, postal_code: str) -> None:
    """Refuse a postal code that is not the one the postal-code data gives the chosen village.

    ``region_code``: a kode wilayah (only a village, desa/kelurahan, has a postal code: for any
    other level, or a village the data gives no postal code, every code passes); ``postal_code``:
    the code typed (empty passes; its five-digit format is the caller's check). Source: the
    imported ``wilayah_kodepos`` data (:class:`~satupintu.regions.models.PostalCode`, one code
    per village). Raises :class:`ValidationError` (code ``postal_code_mismatch``) naming the
    village and its expected code.
    """
    if not postal_code or not region_code or region_code.count(".") != 3:
        return
    expected = list(PostalCode.objects.filter(region_id=region_code).values_list("kodepos", flat=True))
    if expected and postal_code not in expected:
        village = Region.objects.filter(kode=region_code).values_list("nama", flat=True).first() or region_code
        raise ValidationError(
            _("%(code)s is not a postal code of %(village)s: its postal code is %(expected)s.")
            % {"code": postal_code, "village": village, "expected": ", ".join(sorted(expected))},
            code="postal_code_mismatch")
