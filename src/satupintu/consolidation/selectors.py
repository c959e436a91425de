"""Reads of the consolidation app that cross a trust boundary: always through the access
chokepoint's scoped querysets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from satupintu.consolidation import access
from satupintu.consolidation.analysis import (
    AppRow,
    Assumption,
    OverlapGroup,
    TextIndex,
    build_text_index,
    function_groups,
    load_rows,
)
from satupintu.consolidation.models import BusinessFunction, GeneralApplication, WasteAssumption
from satupintu.core.principal import Principal


def inventory_rows(principal: Principal) -> list[AppRow]:
    """The inventory the principal may see, as analysis rows."""
    return load_rows(access.applications_for(principal))


def current_assumption() -> Assumption:
    obj = WasteAssumption.objects.filter(id=1).first()
    if obj is None:
        return Assumption()
    return Assumption(obj.shared_cost_factor_pct, int(obj.onboarding_cost_idr))


def general_apps_by_function() -> dict[str, str]:
    return dict(GeneralApplication.objects.values_list("function_id", "name"))


def function_names(lang: str = "id") -> dict[str, str]:
    column = "name_en" if lang == "en" else "name_id"
    return dict(BusinessFunction.objects.values_list("code", column))


def overlap_groups(principal: Principal, rows: list[AppRow] | None = None, lang: str = "id") -> list[OverlapGroup]:
    """Function groups over the inventory the principal may see (the coordinator: national)."""
    return function_groups(rows if rows is not None else inventory_rows(principal),
                           assumption=current_assumption(), general_apps=general_apps_by_function(),
                           function_names=function_names(lang))


def text_index(principal: Principal) -> TextIndex | None:
    """The moratorium check's TF-IDF model over the live/planned apps the principal may see and
    the catalogue services; cached (Django cache, 1 hour) until the visible inventory changes."""
    import hashlib

    from django.core.cache import cache
    from django.db.models import Count, Max

    apps = access.applications_for(principal).exclude(status="retired")
    stamp = apps.aggregate(n=Count("id"), m=Max("id"), t=Max("updated_at"))
    scope = "*" if access.is_coordinator(principal) else str(principal.agency)
    key = "spbe:textindex:" + hashlib.sha256(f"{scope}|{stamp}".encode()).hexdigest()[:32]
    index = cache.get(key)
    if index is None:
        index = build_text_index(load_rows(apps), catalogue_services())
        cache.set(key, index, 3600)
    return index


def catalogue_services() -> list[dict[str, Any]]:
    """Catalogue services for the moratorium check: ``[{"id", "name", "agency", "summary"}]``.

    Interim source: the seed catalogue ``<shared data>/catalog/services.yaml`` (the catalogue's
    Service model is on another branch). After merging, the lead points this at the catalogue's
    selectors (docs/consolidation.md, "Merging"). Returns ``[]`` when the file is absent.
    """
    path = Path(settings.SATUPINTU_SHARED_DATA) / "catalog" / "services.yaml"
    if not path.is_file():
        return []
    return [
        {"id": s["id"], "name": s["name_id"], "agency": s.get("agency", ""),
         "summary": f"{s.get('summary_id', '')} {' '.join(s.get('keywords') or [])}"}
        for s in yaml.safe_load(path.read_text(encoding="utf-8")) or []
    ]
