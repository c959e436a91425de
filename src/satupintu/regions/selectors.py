"""Reads of the region register. Regions are public data: no principal scoping needed."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from satupintu.regions.models import Level, Region


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
