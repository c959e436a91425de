"""SPBE index computation from a framework's weights (PermenPANRB 59/2020, Lampiran: metode
penilaian): index = Σ(bobot indikator × tingkat kematangan) / Σ(bobot), per aspect, per domain
and overall; the predicate is the band whose minimum is the highest one ≤ the overall index.

Pure functions over plain values so they can be checked by hand; the database-facing helper
:func:`compute_for_assessment` feeds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from satupintu.consolidation.models import Assessment, Framework

TWO = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorDef:
    number: int
    weight: Decimal
    aspect: int
    domain: int | None


@dataclass(frozen=True)
class FrameworkDef:
    """The weights of one framework: indicators (with their aspect and domain) and bands as
    ``(min_index, name)`` pairs."""

    indicators: tuple[IndicatorDef, ...]
    bands: tuple[tuple[Decimal, str], ...]


@dataclass
class IndexResult:
    """Indexes rounded half-up to 2 decimals; ``None`` where no indicator has a level yet."""

    overall: Decimal | None
    predicate: str
    by_aspect: dict[int, Decimal | None] = field(default_factory=dict)
    by_domain: dict[int, Decimal | None] = field(default_factory=dict)
    complete: bool = False


def _weighted(pairs: list[tuple[Decimal, int]]) -> Decimal | None:
    total = sum((w for w, _ in pairs), Decimal(0))
    if not pairs or total == 0:
        return None
    return (sum((w * lvl for w, lvl in pairs), Decimal(0)) / total).quantize(TWO, rounding=ROUND_HALF_UP)


def predicate_for(index: Decimal | None, bands: tuple[tuple[Decimal, str], ...]) -> str:
    """The name of the band with the highest minimum ≤ ``index`` ("" if none or no index)."""
    if index is None:
        return ""
    for minimum, name in sorted(bands, reverse=True):
        if index >= minimum:
            return name
    return ""


def compute_index(framework: FrameworkDef, levels: Mapping[int, int | None]) -> IndexResult:
    """Compute the index from ``levels`` (indicator number → level 1–5, or None when unset).

    The overall index and predicate are only given when *every* indicator has a level
    (``complete``); aspect and domain indexes use the indicators that have one.
    Raises ValueError for a level outside 1–5 or an unknown indicator number.
    """
    known = {i.number for i in framework.indicators}
    for number, level in levels.items():
        if number not in known:
            raise ValueError(f"unknown indicator {number}")
        if level is not None and not 1 <= int(level) <= 5:
            raise ValueError(f"indicator {number}: level {level} is outside 1–5")
    by_aspect: dict[int, list[tuple[Decimal, int]]] = {}
    by_domain: dict[int, list[tuple[Decimal, int]]] = {}
    everything: list[tuple[Decimal, int]] = []
    for ind in framework.indicators:
        by_aspect.setdefault(ind.aspect, [])
        if ind.domain is not None:
            by_domain.setdefault(ind.domain, [])
        level = levels.get(ind.number)
        if level is None:
            continue
        pair = (ind.weight, int(level))
        by_aspect[ind.aspect].append(pair)
        if ind.domain is not None:
            by_domain[ind.domain].append(pair)
        everything.append(pair)
    complete = len(everything) == len(framework.indicators)
    overall = _weighted(everything) if complete else None
    return IndexResult(
        overall=overall,
        predicate=predicate_for(overall, framework.bands),
        by_aspect={k: _weighted(v) for k, v in by_aspect.items()},
        by_domain={k: _weighted(v) for k, v in by_domain.items()},
        complete=complete,
    )


def framework_def(framework: Framework) -> FrameworkDef:
    """Build a :class:`FrameworkDef` from a :class:`~satupintu.consolidation.models.Framework`."""
    from satupintu.consolidation.models import Indicator, PredicateBand

    inds = tuple(
        IndicatorDef(number=i.number, weight=i.weight, aspect=i.aspect.number,
                     domain=i.aspect.domain.number if i.aspect.domain else None)
        for i in Indicator.objects.filter(framework=framework).select_related("aspect", "aspect__domain")
    )
    bands = tuple((b.min_index, b.name) for b in PredicateBand.objects.filter(framework=framework))
    return FrameworkDef(indicators=inds, bands=bands)


def compute_for_assessment(assessment: Assessment) -> IndexResult:
    """The index of an assessment: the final level where the assessor set one, else the
    self-assessed level."""
    from satupintu.consolidation.models import IndicatorScore

    fdef = framework_def(assessment.framework)
    levels: dict[int, int | None] = {i.number: None for i in fdef.indicators}
    for number, self_level, final_level in IndicatorScore.objects.filter(assessment=assessment).values_list(
        "indicator__number", "self_level", "final_level"
    ):
        levels[number] = final_level if final_level is not None else self_level
    return compute_index(fdef, levels)
