"""Catalogue search: the index (one analysed document per service) and two database backends.

Both backends take the *analysed* query terms (:mod:`satupintu.catalog.analyzer`) and rank with the
same field weights — name 10, keywords 5, summary 2, body 1 (SQLite FTS5 ``bm25``; PostgreSQL
``ts_rank`` with weights A 1.0, B 0.5, C 0.2, D 0.1) — times ``1 + boost`` (priority service +0.05,
popularity up to +0.1 by ``log10`` of page views), then re-ranked by how much of the query the name and
keywords cover (:func:`rerank`). When at least :data:`MIN_ALL_WORDS` services hold every query term,
only they are returned (AND); otherwise any term matches (OR), services holding every term first.
Terms found in more than half of the services are left out of the database query (:func:`selective`).
Typo correction is shared (:func:`correct`): an unknown term is first corrected at the level of the
typed word — the most frequent known term that one edit of the word analyses to (``kelahran`` →
``kelahiran`` → ``lahir``; ADR 0114) — else replaced by the vocabulary term
within Levenshtein distance 1 (4–5 letters) or 2 (6+ letters) of the stem, most frequent first. PostgreSQL first
asks ``pg_trgm`` (``%`` operator on the trigram-indexed vocabulary) and SQLite the terms of similar
length; both fall back to every term of similar length, so a short word whose trigrams differ too
much (``psspr``) is still found.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, transaction
from rapidfuzz.distance import Levenshtein

from satupintu.catalog.analyzer import analyze_document, analyze_words, default_analyzer
from satupintu.catalog.models import SearchDocument, SearchTerm, Service

WEIGHTS = (10.0, 5.0, 2.0, 1.0)
"""Field weights name, keywords, summary, body (SQLite: the FTS5 ``rank`` set in migration 0003)."""
PRIORITY_BOOST = 0.05
_SAFE_TERM = re.compile(r"^[^\W_]+$")


# --- index ---------------------------------------------------------------------------------------

def _join(parts: Iterable[str | None]) -> str:
    return "\n".join(p for p in parts if p)


def boost_for(service: Service) -> float:
    """Small ranking boost: +0.05 for a national priority service, + up to 0.1 for popularity."""
    boost = PRIORITY_BOOST if service.priority_area_id else 0.0
    return boost + min(0.1, 0.02 * math.log10(1 + service.view_count))


def document_for(service: Service) -> SearchDocument:
    """The analysed search document of ``service`` (not saved). Needs agency/life events loaded."""
    agency = service.agency
    agencies = [agency.code.replace("-", " "), agency.name_id, agency.name_en]
    if agency.parent is not None:
        agencies += [agency.parent.code, agency.parent.name_id]
    life_events = [f"{e.name_id} {e.name_en}" for e in service.life_events.all()]
    priority = [service.priority_area.name_id, service.priority_area.name_en] if service.priority_area else []
    channels = [f"{c.name} {c.place}" for c in service.channels.all()]
    variants = [str(v.get("label", "")) for v in service.fee_variants if isinstance(v, dict)]

    def terms(parts: Iterable[str | None]) -> str:
        return " ".join(analyze_document(_join(parts)))

    return SearchDocument(
        service=service,
        name_terms=terms([service.name_id, service.name_en]),
        keyword_terms=terms(service.keywords),
        summary_terms=terms([service.summary_id, service.summary_en, service.product, *agencies, *life_events,
                             *priority]),
        body_terms=terms([*service.requirements, *service.procedure, *variants, *channels]),
        boost=boost_for(service),
    )


def _doc_terms(doc: SearchDocument) -> set[str]:
    return set(f"{doc.name_terms} {doc.keyword_terms} {doc.summary_terms} {doc.body_terms}".split())


def _indexable(ids: Sequence[int] | None = None):  # noqa: ANN202
    qs = Service.objects.select_related("agency__parent", "priority_area").prefetch_related("life_events", "channels")
    return qs.filter(id__in=ids) if ids is not None else qs


@transaction.atomic
def reindex_all(*, batch: int = 2000) -> int:
    """Rebuild every search document and the vocabulary. Returns the number of services indexed."""
    SearchDocument.objects.all().delete()
    df: Counter[str] = Counter()
    count = 0
    pending: list[SearchDocument] = []
    for service in _indexable().iterator(chunk_size=batch):
        doc = document_for(service)
        df.update(_doc_terms(doc))
        pending.append(doc)
        if len(pending) >= batch:
            SearchDocument.objects.bulk_create(pending)
            count += len(pending)
            pending = []
    SearchDocument.objects.bulk_create(pending)
    count += len(pending)
    SearchTerm.objects.all().delete()
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=t, length=len(t), df=n) for t, n in df.items() if len(t) <= 64], batch_size=batch
    )
    _forget_document_count()
    return count


def _forget_document_count() -> None:
    from django.core.cache import cache

    transaction.on_commit(lambda: cache.delete("catalog:search-documents"))
    cache.delete("catalog:search-documents")


def reindex_services(ids: Sequence[int]) -> None:
    """Re-index some services after a change (documents replaced, new terms added to the vocabulary)."""
    SearchDocument.objects.filter(service_id__in=ids).delete()
    docs = [document_for(s) for s in _indexable(ids)]
    SearchDocument.objects.bulk_create(docs)
    terms = set().union(*(_doc_terms(d) for d in docs)) if docs else set()
    SearchTerm.objects.bulk_create([SearchTerm(term=t, length=len(t), df=1) for t in terms if len(t) <= 64],
                                   ignore_conflicts=True)


# --- query ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    agency: str | None = None
    life_event: str | None = None


def _filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    sql, params = "", []
    if filters.agency:
        sql += " AND s.agency_id = (SELECT id FROM catalog_agency WHERE code = %s)"
        params.append(filters.agency)
    if filters.life_event:
        sql += (" AND EXISTS (SELECT 1 FROM catalog_service_life_events le JOIN catalog_lifeevent l"
                " ON l.id = le.lifeevent_id WHERE le.service_id = s.id AND l.slug = %s)")
        params.append(filters.life_event)
    return sql, params


class Hit(NamedTuple):
    """One full-text match: the service, its database score (higher is better) and what re-ranking reads."""

    service_id: int
    score: float
    name_terms: str
    keyword_terms: str
    boost: float


class Backend:
    """Ranked retrieval of service ids for analysed ``terms`` (OR-ed)."""

    vendor = ""

    def search(self, terms: Sequence[str], filters: Filters, limit: int,
               every: bool = False) -> tuple[list[Hit], int]:
        """The best ``limit`` matches as ``(service id, base score)`` (higher is better) and the total
        count; ``every``: only services holding every term (AND), else any term (OR)."""
        raise NotImplementedError

    def bare(self, words: Sequence[str], limit: int) -> list[int]:
        """Baseline for benchmarks: the raw words in the same full-text index, no analyzer, no boost."""
        raise NotImplementedError

    def candidates(self, term: str) -> list[tuple[str, int]]:
        """Vocabulary terms that may be ``term`` misspelt, fast path (``[]`` = go straight to
        :meth:`window`): ``[(term, df)]``."""
        return []

    @staticmethod
    def window(term: str, distance: int) -> list[tuple[str, int]]:
        """Every vocabulary term whose length is within ``distance`` of ``term``'s (a superset of the
        terms within that edit distance)."""
        lo, hi = len(term) - distance, len(term) + distance
        return list(SearchTerm.objects.filter(length__gte=lo, length__lte=hi).values_list("term", "df"))

    @staticmethod
    def _safe(terms: Iterable[str]) -> list[str]:
        return sorted({t for t in terms if _SAFE_TERM.match(t)})


def _with_details(ranked: Sequence[tuple[int, float]]) -> list[Hit]:
    """Attach what re-ranking reads (name and keyword terms, boost) to ``(service id, score)`` rows."""
    if not ranked:
        return []
    ids = [row[0] for row in ranked]
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        sql = f"SELECT service_id, name_terms, keyword_terms, boost FROM catalog_searchdocument WHERE service_id IN ({placeholders})"  # noqa: S608, E501 - placeholders only
        cursor.execute(sql, ids)
        details = {row[0]: row[1:] for row in cursor.fetchall()}
    return [Hit(i, float(score), *details[i]) for i, score in ranked if i in details]


class SqliteBackend(Backend):
    """SQLite FTS5 (``catalog_service_fts``), ranked by weighted ``bm25``."""

    vendor = "sqlite"

    @staticmethod
    def _match(terms: Iterable[str], every: bool = False) -> str:
        # Every term is quoted, so nothing in a query is read as FTS5 syntax (NEAR, AND, *, :, -).
        return (" AND " if every else " OR ").join('"' + t.replace('"', '""') + '"' for t in terms)

    def search(self, terms: Sequence[str], filters: Filters, limit: int,
               every: bool = False) -> tuple[list[Hit], int]:
        # FTS5 ranks alone (``rank`` = the weighted bm25 configured in migration 0003, which lets
        # FTS5 sort without touching other tables); boosts apply when re-ranking the candidates.
        safe = self._safe(terms)
        if not safe:
            return [], 0
        fsql, fparams = _filter_sql(filters)
        join = " JOIN catalog_service s ON s.id = f.rowid" if fsql else ""
        base = f" FROM catalog_service_fts f{join} WHERE catalog_service_fts MATCH %s{fsql}"
        params: list[Any] = [self._match(safe, every), *fparams]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT f.rowid, -f.rank{base} ORDER BY f.rank LIMIT %s", [*params, limit])
            ranked = cursor.fetchall()
            total = len(ranked)
            if total >= limit:
                cursor.execute(f"SELECT count(*){base}", params)  # fixed SQL fragments only; values are parameters
                total = cursor.fetchone()[0]
        return _with_details(ranked), total

    def bare(self, words: Sequence[str], limit: int) -> list[int]:
        safe = self._safe(words)
        if not safe:
            return []
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM catalog_service_fts WHERE catalog_service_fts MATCH %s"
                           " ORDER BY rank LIMIT %s", [self._match(safe), limit])
            return [row[0] for row in cursor.fetchall()]


class PostgresBackend(Backend):
    """PostgreSQL full-text search on the generated ``vector`` column, ranked by weighted ``ts_rank``."""

    vendor = "postgresql"
    _RANK = "ts_rank('{0.1,0.2,0.5,1.0}', d.rank_vector, q)"  # matches use ``vector``; see migration 0003

    @staticmethod
    def _tsquery(terms: Iterable[str], every: bool = False) -> str:
        return (" & " if every else " | ").join("'" + t + "'" for t in terms)

    def search(self, terms: Sequence[str], filters: Filters, limit: int,
               every: bool = False) -> tuple[list[Hit], int]:
        safe = self._safe(terms)
        if not safe:
            return [], 0
        fsql, fparams = _filter_sql(filters)
        join = " JOIN catalog_service s ON s.id = d.service_id" if fsql else ""
        base = f" FROM catalog_searchdocument d{join}, to_tsquery('simple', %s) q WHERE d.vector @@ q{fsql}"
        params: list[Any] = [self._tsquery(safe, every), *fparams]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT d.service_id, {self._RANK}, d.name_terms, d.keyword_terms, d.boost{base}"
                           f" ORDER BY {self._RANK} * (1.0 + d.boost) DESC, d.service_id LIMIT %s", [*params, limit])
            rows = [Hit(*row) for row in cursor.fetchall()]
            if len(rows) < limit:
                return rows, len(rows)
            cursor.execute("SELECT count(*)" + base, params)
            return rows, cursor.fetchone()[0]

    def bare(self, words: Sequence[str], limit: int) -> list[int]:
        safe = self._safe(words)
        if not safe:
            return []
        with connection.cursor() as cursor:
            cursor.execute("SELECT d.service_id FROM catalog_searchdocument d, to_tsquery('simple', %s) q"
                           " WHERE d.vector @@ q ORDER BY ts_rank(d.vector, q) DESC LIMIT %s",
                           [self._tsquery(safe), limit])
            return [row[0] for row in cursor.fetchall()]

    def candidates(self, term: str) -> list[tuple[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT term, df FROM catalog_searchterm WHERE term %% %s", [term])
            return [(t, d) for t, d in cursor.fetchall()]


def backend() -> Backend:
    """The backend for the default database (PostgreSQL or the embedded SQLite)."""
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


def _max_distance(term: str) -> int:
    return 0 if len(term) < 4 else 1 if len(term) < 6 else 2


def _closest(term: str, candidates: Iterable[tuple[str, int]], limit: int) -> str | None:
    best: tuple[int, int, str] | None = None
    for candidate, df in candidates:
        distance = Levenshtein.distance(term, candidate, score_cutoff=limit)
        if distance <= limit and (best is None or (distance, -df, candidate) < best):
            best = (distance, -df, candidate)
    return best[2] if best else None


COMMON_SHARE = 0.5
"""A query term found in more than this share of all services is only used for re-ranking (when the
query has other terms): it tells nothing apart and makes the full-text query read most of the index."""


def _document_count() -> int:
    from django.core.cache import cache

    return int(cache.get_or_set("catalog:search-documents", SearchDocument.objects.count, 60) or 0)


def selective(terms: Sequence[str]) -> list[str]:
    """``terms`` without the very common ones (see :data:`COMMON_SHARE`); never empties a query."""
    unique = sorted(set(terms))
    if len(unique) < 2:
        return list(terms)
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(unique))
        sql = f"SELECT term, df FROM catalog_searchterm WHERE term IN ({placeholders})"  # noqa: S608 - placeholders only
        cursor.execute(sql, unique)
        df = dict(cursor.fetchall())
    limit = COMMON_SHARE * max(_document_count(), 1)
    kept = [t for t in terms if df.get(t, 0) <= limit]
    return kept or [min(terms, key=lambda t: df.get(t, 0))]


def _document_frequencies(terms: Iterable[str]) -> dict[str, int]:
    """``{term: df}`` of those ``terms`` that are in the vocabulary (one ``IN`` query)."""
    unique = sorted(set(terms))
    if not unique:
        return {}
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(unique))
        sql = f"SELECT term, df FROM catalog_searchterm WHERE term IN ({placeholders})"  # noqa: S608 - placeholders only
        cursor.execute(sql, unique)
        return {term: int(df) for term, df in cursor.fetchall()}


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
SURFACE_WORDS = 5
"""At most this many unknown words of one query are corrected at the level of the typed word (each
analyses 300–600 edits: ~5–10 ms on the shared 2-CPU machine); further ones get the stem-level
correction only."""


def edits1(word: str) -> set[str]:
    """Every string one edit from ``word`` (Norvig: a deletion, transposition, replacement or
    insertion of a letter a–z); ``word`` itself is not included."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    found |= {a + c + b for a, b in splits for c in _LETTERS}
    found.discard(word)
    return found


def _surface_candidates(word: str) -> set[str]:
    """The terms the typed ``word`` becomes after one edit of the word itself (:func:`edits1`, each
    analysed like a lone query word; stopwords and phrase synonyms give none)."""
    analyzer = default_analyzer()
    return {term for candidate in edits1(word) if (term := analyzer.term_of(candidate, remember=False)) is not None}


def correct(terms: Sequence[str], *, loose: bool = False,
            words: Sequence[str | None] | None = None) -> list[str]:
    """Replace each term missing from the vocabulary by its closest known term.
    Protected words (region names, institutional words) are never replaced.

    Inputs: ``terms`` (analysed query terms); ``words``, parallel to ``terms``, the folded word each
    term was stemmed from (:func:`satupintu.catalog.analyzer.analyze_words`; ``None`` = unknown).
    Output: the terms, corrected, in the same order. Never raises for analysed input.

    Two levels (ADR 0114). First the *typed word*, for each unknown term with a known word of 4+
    letters (at most :data:`SURFACE_WORDS` per query; protected words never): a misspelt inflected
    word such as ``kelahran`` stems to a non-word (``lahran``) whose closest stem is a wrong one
    (``laman``), so every string one edit from the word (:func:`edits1`: deletion, transposition,
    replacement, insertion) is analysed like a query word, and of the resulting terms that are in
    the vocabulary (one ``IN`` query) the most frequent wins (``kelahiran`` → ``lahir``). When no
    such edit gives a known term, the stem itself is corrected (module doc: Levenshtein 1 for 4–5
    letters, 2 for 6+, most frequent first). ``loose`` allows one more edit at the stem level (for
    "Did you mean" suggestions). Unknown terms without a close match are kept (they match nothing).
    Raises ``ValueError`` when ``words`` is given with another length than ``terms``.
    """
    sources = list(words) if words is not None else [None] * len(terms)
    known = set(_document_frequencies(terms))
    protected = default_analyzer().protected  # place names are never "corrected" (Bekasi is not bekas)
    unknown = {t for t in set(terms) - known - protected if t.isalpha()}
    fixed: dict[str, str] = {}

    typed: dict[str, str] = {}  # unknown term -> the typed word it came from
    for term, word in zip(terms, sources, strict=True):
        if (term in unknown and term not in typed and word and word not in protected and word.isascii()
                and word.isalpha() and _max_distance(word) > 0 and len(typed) < SURFACE_WORDS):
            typed[term] = word
    options = {term: _surface_candidates(word) for term, word in typed.items()}
    df = _document_frequencies(set().union(*options.values())) if options else {}
    for term, found in options.items():
        ranked = sorted((-df[t], t) for t in found if t in df)  # all one edit away: most frequent first
        if ranked:
            fixed[term] = ranked[0][1]

    impl = backend()
    for term in unknown - fixed.keys():
        limit = _max_distance(term) + (1 if loose and len(term) >= 3 else 0)
        if limit == 0:
            continue
        best = _closest(term, impl.candidates(term), limit) or _closest(term, impl.window(term, limit), limit)
        if best is not None:
            fixed[term] = best
    return [fixed.get(t, t) for t in terms]


@dataclass
class SearchResult:
    """One page of results. ``corrected``: the terms actually searched when typos were fixed;
    ``suggestion``: a "Did you mean" query when nothing matched."""

    ids: list[int]
    total: int
    terms: list[str]
    corrected: str | None = None
    suggestion: str | None = None


def rerank(terms: Sequence[str], hits: list[Hit]) -> list[int]:
    """Final order, computed the same way for both backends: the database score scaled to 0–1, plus
    how much of the query the service's name (+0.6) and keywords (+0.3) cover, times ``1 + boost``.

    Coverage matters because full-text scores flatten in a small catalogue (FTS5's idf is ~0 for a
    term in half the services, and ``ts_rank`` has no idf): "kk baru" must prefer the service
    *named* "Kartu Keluarga (KK) Baru".
    """
    if not hits:
        return []
    wanted = set(terms)
    top = max(hit.score for hit in hits) or 1.0
    scored = []
    for hit in hits:
        name_cover = len(wanted.intersection(hit.name_terms.split())) / len(wanted)
        keyword_cover = len(wanted.intersection(hit.keyword_terms.split())) / len(wanted)
        final = (max(float(hit.score), 0.0) / top + 0.6 * name_cover + 0.3 * keyword_cover) * (1.0 + hit.boost)
        scored.append((-final, hit.service_id))
    return [service_id for _, service_id in sorted(scored)]


CANDIDATES = 200
"""How many of the database's best matches are re-ranked (deeper pages follow the database order)."""
MIN_ALL_WORDS = 5
"""With at least this many services holding every query word, only those are shown (AND); else any word (OR)."""


def run_search(q: str, *, filters: Filters, limit: int, offset: int) -> SearchResult:
    """Analyse ``q``, fix typos, return ranked ids (see :func:`satupintu.catalog.selectors.search_services`)."""
    analysed = analyze_words(q)
    terms = [term for term, _ in analysed]
    words = [word for _, word in analysed]
    fixed = correct(terms, words=words)
    impl = backend()
    wanted = max(CANDIDATES, offset + limit)
    query = selective(fixed)
    hits, total = impl.search(query, filters, wanted, every=True) if len(set(query)) > 1 else ([], 0)
    if total < MIN_ALL_WORDS:
        # Too few services hold every word: widen to any word (OR); those with every word stay first.
        first = {hit.service_id for hit in hits}
        more, total = impl.search(query, filters, wanted)
        hits = hits + [hit for hit in more if hit.service_id not in first]
        head = rerank(fixed, hits[:len(first)]) + rerank(fixed, hits[len(first):CANDIDATES])
    else:
        head = rerank(fixed, hits[:CANDIDATES])
    head += [hit.service_id for hit in hits[CANDIDATES:]]
    result = SearchResult(ids=head[offset:offset + limit], total=total, terms=fixed,
                          corrected=" ".join(fixed) if fixed != terms and total else None)
    if not total and terms:
        loose = correct(terms, loose=True, words=words)
        if loose != terms and impl.search(loose, filters, 1)[1]:
            result.suggestion = " ".join(loose)
    return result
