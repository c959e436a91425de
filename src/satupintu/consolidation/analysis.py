"""Overlap and budget-waste analysis of the SPBE inventory, and the moratorium check.

Inputs are plain :class:`AppRow` values (see :func:`load_rows`), so the analysis can be
tested on a hand-made inventory and benchmarked without the web layer. Money: rupiah per year.

**Function groups** (Perpres 132/2022: one business function should be served by one shared
application): the live and planned apps of one business function used by at least two
agencies. Each group gets a recommendation:

1. ``replace_general`` — an aplikasi umum exists for the function (``data/general_apps.yaml``,
   Perpres 95/2018 art. 38): replace the agency apps with it;
2. ``replace_platform`` — at least half the apps serve the public or deliver catalogue
   services: replace them with an online service on this platform;
3. ``keep`` — internal, sector-specific apps without an aplikasi umum (or the defence sector):
   keep, integrate through the exchange, and consider proposing an aplikasi umum.

**Waste estimate** per group = combined budget − cost of one shared solution, where (the
editable :class:`~satupintu.consolidation.models.WasteAssumption`)
``shared = largest app budget × factor% + onboarding × (agencies − 1)``; never below 0. Only
``replace_*`` groups count towards the national and per-agency totals; a group's waste is
shared among its agencies in proportion to their budget in it.

**Similar pairs**: TF-IDF over name + description with an Indonesian analyzer (a parameter),
cosine similarity, each app's ``k`` nearest neighbours above ``threshold``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from satupintu.consolidation.text import DEFAULT_ANALYZER, Analyzer

REPLACE_GENERAL = "replace_general"
REPLACE_PLATFORM = "replace_platform"
KEEP = "keep"
NO_SHARED_SECTORS = frozenset({"02"})  # defence: never recommended for sharing


@dataclass(frozen=True)
class AppRow:
    id: int
    agency: str
    agency_name: str
    name: str
    description: str
    function: str
    budget_idr: int
    users_kind: str
    service_slugs: tuple[str, ...]
    uses_national_login: bool
    uses_exchange: bool
    status: str
    hosting: str = ""
    app_type: str = "khusus"

    @property
    def text(self) -> str:
        return f"{self.name} {self.name} {self.description}"  # the name counts twice


@dataclass(frozen=True)
class Assumption:
    shared_cost_factor_pct: int = 120
    onboarding_cost_idr: int = 50_000_000


@dataclass
class OverlapGroup:
    function: str
    function_name: str
    apps: list[AppRow]
    agencies: list[str]
    combined_budget_idr: int
    shared_cost_idr: int
    waste_idr: int
    recommendation: str
    reason: str
    general_app: str = ""
    counted: bool = True
    waste_by_agency: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SimilarPair:
    a: AppRow
    b: AppRow
    score: float

    @property
    def same_agency(self) -> bool:
        return self.a.agency == self.b.agency


def load_rows(queryset: Any) -> list[AppRow]:
    """Read an :class:`~satupintu.consolidation.models.Application` queryset (already scoped
    by the caller) into :class:`AppRow` values in one query."""
    fields = ("id", "agency__code", "agency__name_id", "name", "description", "function_id", "build_budget_idr",
              "run_budget_idr", "users_kind", "service_slugs", "uses_national_login", "uses_exchange", "status",
              "hosting", "app_type")
    return [
        AppRow(id=r[0], agency=r[1], agency_name=r[2], name=r[3], description=r[4], function=r[5],
               budget_idr=int(r[6]) + int(r[7]), users_kind=r[8], service_slugs=tuple(r[9] or ()),
               uses_national_login=r[10], uses_exchange=r[11], status=r[12], hosting=r[13], app_type=r[14])
        for r in queryset.order_by("id").values_list(*fields).iterator(chunk_size=5000)
    ]


def shared_solution_cost(budgets: Sequence[int], agencies: int, assumption: Assumption) -> int:
    """Cost (rupiah/year) of one shared solution for a group: the largest app budget ×
    ``factor%`` plus ``onboarding × (agencies − 1)``."""
    return max(budgets) * assumption.shared_cost_factor_pct // 100 + assumption.onboarding_cost_idr * (agencies - 1)


def _recommend(function: str, apps: list[AppRow], general: dict[str, str]) -> tuple[str, str, str]:
    if function.split(".")[0] in NO_SHARED_SECTORS:
        return KEEP, "sector", ""
    if function in general:
        return REPLACE_GENERAL, "general_app", general[function]
    public = sum(1 for a in apps if a.users_kind in ("public", "both") or a.service_slugs)
    if public * 2 >= len(apps):
        return REPLACE_PLATFORM, "public_service", ""
    return KEEP, "internal_specific", ""


def function_groups(
    rows: Iterable[AppRow], *, assumption: Assumption, general_apps: dict[str, str],
    function_names: dict[str, str] | None = None, min_agencies: int = 2,
) -> list[OverlapGroup]:
    """Group live and planned apps by business function across agencies (see module doc).

    ``general_apps`` maps function code → aplikasi umum name. Returns groups with at least
    ``min_agencies`` agencies, largest waste first (then combined budget, then code)."""
    by_function: dict[str, list[AppRow]] = defaultdict(list)
    for row in rows:
        if row.status != "retired":
            by_function[row.function].append(row)
    groups = []
    names = function_names or {}
    for function, apps in by_function.items():
        agency_budget: dict[str, int] = defaultdict(int)
        for a in apps:
            agency_budget[a.agency] += a.budget_idr
        if len(agency_budget) < min_agencies:
            continue
        combined = sum(agency_budget.values())
        shared = shared_solution_cost([a.budget_idr for a in apps], len(agency_budget), assumption)
        waste = max(0, combined - shared)
        recommendation, reason, general = _recommend(function, apps, general_apps)
        counted = recommendation != KEEP
        per_agency: dict[str, int] = {}
        if counted and waste and combined:
            per_agency = {code: waste * budget // combined for code, budget in agency_budget.items()}
        groups.append(OverlapGroup(
            function=function, function_name=names.get(function, function), apps=apps,
            agencies=sorted(agency_budget), combined_budget_idr=combined, shared_cost_idr=shared, waste_idr=waste,
            recommendation=recommendation, reason=reason, general_app=general, counted=counted,
            waste_by_agency=per_agency,
        ))
    groups.sort(key=lambda g: (-g.waste_idr * g.counted, -g.combined_budget_idr, g.function))
    return groups


def waste_totals(groups: Iterable[OverlapGroup]) -> tuple[int, dict[str, int]]:
    """National waste (rupiah/year) and waste per agency code, over counted groups."""
    national = 0
    per_agency: dict[str, int] = defaultdict(int)
    for g in groups:
        if not g.counted:
            continue
        national += g.waste_idr
        for code, amount in g.waste_by_agency.items():
            per_agency[code] += amount
    return national, dict(per_agency)


def flagged(rows: Iterable[AppRow]) -> list[AppRow]:
    """Live and planned apps that do not use the national login, or the exchange, or both
    (SE MenPANRB 18/2022: integrate through the national login and the data exchange)."""
    return [r for r in rows if r.status != "retired" and not (r.uses_national_login and r.uses_exchange)]


# --- text similarity -----------------------------------------------------------------------

def build_vectorizer(analyzer: Analyzer, n_docs: int) -> Any:
    """A TF-IDF vectoriser over ``analyzer``'s tokens. Tokens found in more than 5% of the
    documents (at least 50) carry no signal about duplicates and are dropped, which also keeps
    the similarity product sparse at national scale."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, max_df=max(50, n_docs // 20),
                           dtype=np.float32)


def similar_pairs(
    rows: Sequence[AppRow], *, analyzer: Analyzer = DEFAULT_ANALYZER, threshold: float = 0.6, k: int = 5,
    chunk: int = 2000,
) -> list[SimilarPair]:
    """Pairs of apps whose name+description cosine similarity is ≥ ``threshold``; each app
    keeps its ``k`` most similar others. Sorted by score, highest first; each pair once."""
    if len(rows) < 2:
        return []
    vectorizer = build_vectorizer(analyzer, len(rows))
    try:
        matrix = vectorizer.fit_transform([r.text for r in rows]).tocsr()
    except ValueError:  # empty vocabulary: nothing to compare
        return []
    transposed = matrix.T.tocsc()
    found: dict[tuple[int, int], float] = {}
    for start in range(0, matrix.shape[0], chunk):
        block = (matrix[start:start + chunk] @ transposed).tocsr()
        block.data[block.data < threshold] = 0
        block.eliminate_zeros()
        indptr, indices, data = block.indptr, block.indices, block.data
        for offset in range(block.shape[0]):
            i = start + offset
            lo, hi = indptr[offset], indptr[offset + 1]
            cols, sims = indices[lo:hi], data[lo:hi]
            keep = cols != i
            cols, sims = cols[keep], sims[keep]
            if len(cols) > k:
                top = np.argpartition(-sims, k)[:k]
                cols, sims = cols[top], sims[top]
            for j, s in zip(cols.tolist(), sims.tolist(), strict=True):
                key = (i, j) if i < j else (j, i)
                found[key] = max(found.get(key, 0.0), s)
    pairs = [SimilarPair(rows[i], rows[j], round(s, 4)) for (i, j), s in found.items()]
    pairs.sort(key=lambda p: (-p.score, p.a.id, p.b.id))
    return pairs


@dataclass(frozen=True)
class Match:
    kind: str  # "app" or "service"
    key: str
    name: str
    agency: str
    score: float
    same_function: bool = False


@dataclass
class TextIndex:
    """A TF-IDF model fitted on the inventory apps and catalogue services, reusable (and
    cacheable) across moratorium checks until the inventory changes."""

    rows: list[AppRow]
    services: list[dict[str, str]]
    vectorizer: Any
    matrix: Any  # CSR, one L2-normalised row per app, then per service


def build_text_index(rows: Sequence[AppRow], services: Sequence[dict[str, str]], *,
                     analyzer: Analyzer = DEFAULT_ANALYZER) -> TextIndex | None:
    """Fit TF-IDF (sublinear tf) over the apps' and services' texts; ``None`` if there is no text."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [r.text for r in rows] + [f"{s['name']} {s['name']} {s.get('summary', '')}" for s in services]
    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(docs).tocsr()
    except ValueError:  # empty vocabulary
        return None
    return TextIndex(list(rows), list(services), vectorizer, matrix)


def closest(
    text: str, *, rows: Sequence[AppRow] = (), services: Sequence[dict[str, str]] = (), function: str = "",
    analyzer: Analyzer = DEFAULT_ANALYZER, limit: int = 10, min_score: float = 0.05, index: TextIndex | None = None,
) -> tuple[list[Match], list[Match]]:
    """The moratorium check: the inventory apps and catalogue services closest to a proposal's
    ``text`` (cosine similarity of TF-IDF vectors; ``index`` from :func:`build_text_index`, or
    built here from ``rows`` and ``services``). Apps of the same business function get +0.2
    (they are overlap by definition). Returns ``(apps, services)``, each best first, at most
    ``limit``, each with a score of at least ``min_score`` (lower scores are noise)."""
    index = index or build_text_index(rows, services, analyzer=analyzer)
    if index is None:
        return [], []
    query = index.vectorizer.transform([text])
    scores = np.asarray((index.matrix @ query.T).todense()).ravel()
    n_rows = len(index.rows)
    app_scores = scores[:n_rows].copy()
    if function:
        app_scores += np.array([0.2 if r.function == function else 0.0 for r in index.rows], dtype=np.float32)
    apps = [
        Match("app", str(index.rows[i].id), index.rows[i].name, index.rows[i].agency_name,
              round(float(app_scores[i]), 3), index.rows[i].function == function)
        for i in np.argsort(-app_scores, kind="stable")[:limit] if app_scores[i] >= min_score
    ]
    service_scores = scores[n_rows:]
    found = [
        Match("service", index.services[i]["id"], index.services[i]["name"], index.services[i].get("agency", ""),
              round(float(service_scores[i]), 3))
        for i in np.argsort(-service_scores, kind="stable")[:limit] if service_scores[i] >= min_score
    ]
    return apps, found


def aggregate(rows: Iterable[AppRow], key: str) -> list[tuple[str, int, int]]:
    """Count and combined budget per value of ``key`` (an :class:`AppRow` attribute), live and
    planned apps only, largest count first: ``[(value, count, budget_idr), ...]``."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if r.status == "retired":
            continue
        bucket = counts[str(getattr(r, key))]
        bucket[0] += 1
        bucket[1] += r.budget_idr
    return sorted(((k, v[0], v[1]) for k, v in counts.items()), key=lambda t: (-t[1], t[0]))
