"""The Indonesian text analyzer of the catalogue search (used at indexing *and* at query time).

Public API (stable; the consolidation app reuses it):

* :func:`analyze(text) -> list[str] <analyze>` — the search terms of ``text`` with the platform's
  default analyzer (synonyms from the admin table, protected region names from the regions app);
* :func:`analyze_words(text) -> list[tuple[str, str | None]] <analyze_words>` — the same terms, each
  with the folded word it came from (for typo correction, ADR 0114);
* :class:`Analyzer` — the same pipeline with explicit data, for callers that bring their own;
* :func:`tokenize(text) -> list[str] <tokenize>` — only steps 1–2 (folding and splitting);
* :func:`default_analyzer` / :func:`reset_analyzer` — the cached default and its invalidation
  (call ``reset_analyzer()`` after changing synonyms or region names; other processes notice
  within :data:`RECHECK_SECONDS` through the shared cache).

Pipeline, in order:

1. **Fold**: Unicode NFKC, lower-case, accents removed (``é`` → ``e``), NUL and control characters
   dropped.
2. **Split** into words of letters and digits in any script (punctuation, emoji and FTS syntax such
   as ``"``, ``*``, ``:``, ``-`` are separators, so no query can inject search syntax); words longer
   than 40 characters are dropped and at most :data:`MAX_TERMS` words are kept.
3. **Synonyms and abbreviations** (longest phrase first): every variant is replaced by its canonical
   form (``e-ktp`` / ``ktp-el`` / ``kartu tanda penduduk`` → ``ktp``; ``akte`` → ``akta``;
   ``bikin`` / ``buat`` → ``urus``); canonical words are final (no stopword removal or stemming).
   The table is data: ``catalog/data/synonyms.yaml`` by default,
   the admin's *Search synonyms* once that table holds rows.
4. **Stopwords**: stopwords-iso ``id`` (Diaz, MIT licence, via the ``stopwordsiso`` package) minus
   :data:`KEEP_WORDS`, words that name a service in citizens' queries (``baru``, ``luar negeri``).
5. **Stemming**: Snowball Indonesian (Tala 2003, ``snowballstemmer``), except protected words:
   the names of provinces and regencies/cities (the 552 regional governments — so ``Bekasi`` stays a
   place and is not read as ``bekas``, ``Kediri`` not ``diri``) and institutional words
   (``kependudukan``, ``kelurahan``, ``pelayanan``...; ``catalog/data/protected_words.txt``).
   After stemming, single-word synonyms apply once more (``mengurus`` → ``urus``).

The output keeps the order of the input and may repeat terms (term frequency matters for ranking).
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import snowballstemmer
import stopwordsiso
import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_TERMS = 64
"""At most this many words of one text are analysed at query time (a 10,000-character query is cut)."""
MAX_WORD = 40
RECHECK_SECONDS = 5.0
"""How often a process re-reads the shared analyzer version (after admin edits elsewhere)."""

KEEP_WORDS = frozenset({
    # stopwords-iso lists these, but citizens use them to tell services apart.
    "baru", "luar", "datang", "masa", "hari", "tahun", "umum", "lama", "pertama", "keluar", "akhir", "awal",
})

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

Phrase = tuple[str, ...]


def fold(text: str) -> str:
    """Step 1: NFKC, lower-case, strip accents (combining marks) and control characters."""
    text = _CONTROL_RE.sub(" ", text)
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def tokenize(text: str, *, limit: int | None = None) -> list[str]:
    """Steps 1–2: folded words of letters/digits (any script), in order; ``limit`` caps the count."""
    words = [w for w in _WORD_RE.findall(fold(text)) if len(w) <= MAX_WORD]
    return words[:limit] if limit is not None else words


@cache
def stopwords() -> frozenset[str]:
    """stopwords-iso ``id`` (758 words in stopwordsiso 0.7) minus :data:`KEEP_WORDS`."""
    return frozenset(stopwordsiso.stopwords("id")) - KEEP_WORDS


@cache
def shipped_protected_words() -> frozenset[str]:
    """Institutional words from ``data/protected_words.txt`` (not the region names)."""
    lines = (DATA_DIR / "protected_words.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if (w := line.split("#", 1)[0].strip()))


@cache
def shipped_synonyms() -> tuple[tuple[str, str], ...]:
    """``(variant, canonical)`` pairs from ``data/synonyms.yaml``."""
    raw = yaml.safe_load((DATA_DIR / "synonyms.yaml").read_text(encoding="utf-8")) or {}
    return tuple((str(v), str(canonical)) for canonical, variants in raw.items() for v in variants)


class Analyzer:
    """The analysis pipeline with explicit data (see the module docstring for the steps).

    ``synonyms``: ``(variant, canonical)`` pairs of free text (folded and split like input);
    ``protected``: words never stemmed (lower-case, folded); ``stop``: stopwords (default
    :func:`stopwords`).
    """

    def __init__(self, *, synonyms: Iterable[tuple[str, str]], protected: Iterable[str],
                 stop: frozenset[str] | None = None) -> None:
        self.stop = stopwords() if stop is None else stop
        self.protected = frozenset(w for p in protected for w in tokenize(p))
        self.phrases: dict[Phrase, Phrase] = {}
        for variant, canonical in synonyms:
            key, value = tuple(tokenize(variant)), tuple(tokenize(canonical))
            if key and value and key != value:
                self.phrases[key] = value
        for value in list(self.phrases.values()):
            self.phrases.setdefault(value, value)  # a canonical form typed as such is final too
        self.longest = max((len(k) for k in self.phrases), default=1)
        self.single = {k[0]: v for k, v in self.phrases.items() if len(k) == 1}
        self._stemmer = snowballstemmer.stemmer("indonesian")
        self._lock = threading.Lock()
        self._stems: dict[str, str] = {}

    def stem(self, word: str, *, remember: bool = True) -> str:
        """Snowball Indonesian stem of one folded word, or the word itself when protected or numeric.
        ``remember=False``: do not add the word to the stem cache (typo candidates, mostly non-words)."""
        if word in self.protected or not word.isalpha() or len(word) <= 3:
            return word
        cached = self._stems.get(word)
        if cached is None:
            with self._lock:  # snowballstemmer objects are not thread-safe
                cached = self._stemmer.stemWord(word)
            if remember and len(self._stems) < 200_000:
                self._stems[word] = cached
        return cached

    def term_of(self, word: str, *, remember: bool = True) -> str | None:
        """The one search term a lone folded ``word`` becomes (steps 3–5), or ``None`` when it becomes
        none or several (a stopword, a synonym for a phrase). Used to stem typo candidates."""
        canonical = self.phrases.get((word,))
        if canonical is not None:
            return canonical[0] if len(canonical) == 1 else None
        if word in self.stop:
            return None
        stem = self.stem(word, remember=remember)
        if stem == word:
            return stem
        found = self.single.get(stem, (stem,))
        return found[0] if len(found) == 1 else None

    def replace_phrases(self, words: list[str]) -> list[tuple[str, bool]]:
        """Step 3: replace synonym variants, longest phrase first, scanning left to right.
        Returns ``(word, is_canonical)``; canonical words skip stopwords and stemming."""
        out: list[tuple[str, bool]] = []
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                canonical = self.phrases.get(tuple(words[i:i + size]))
                if canonical is not None:
                    out.extend((w, True) for w in canonical)
                    i += size
                    break
            else:
                out.append((words[i], False))
                i += 1
        return out

    def analyze(self, text: str, *, limit: int | None = None) -> list[str]:
        """The search terms of ``text`` (steps 1–5). ``limit`` caps the number of input words."""
        return [term for term, _ in self.analyze_words(text, limit=limit)]

    def analyze_words(self, text: str, *, limit: int | None = None) -> list[tuple[str, str | None]]:
        """Like :meth:`analyze`, each term with the folded word it was stemmed from (``None`` for the
        words of a synonym's canonical form, which are final). Typo correction reads the words."""
        terms: list[tuple[str, str | None]] = []
        for word, canonical in self.replace_phrases(tokenize(text, limit=limit)):
            if canonical:
                terms.append((word, None))
                continue
            if word in self.stop:
                continue
            stem = self.stem(word)
            terms.extend((t, word) for t in (self.single.get(stem, (stem,)) if stem != word else (stem,)))
        return terms


# --- the platform's default analyzer -------------------------------------------------------------

_state_lock = threading.Lock()
_default: Analyzer | None = None
_default_version: object = None
_checked_at = 0.0
_VERSION_KEY = "catalog:analyzer-version"


def _shared_version() -> object:
    try:
        from django.core.cache import cache as django_cache

        return django_cache.get(_VERSION_KEY)
    except Exception:  # no Django settings (plain library use) or cache down: keep what we have
        return None


def _db_synonyms() -> list[tuple[str, str]] | None:
    try:
        from satupintu.catalog.models import Synonym

        rows = list(Synonym.objects.values_list("variant", "canonical"))
    except Exception:  # no Django, no table yet (before migrate): fall back to the shipped file
        return None
    return rows or None


def _region_names() -> list[str]:
    try:
        from satupintu.regions.selectors import region_names

        return region_names()
    except Exception:
        return []


def build_default_analyzer() -> Analyzer:
    """A fresh analyzer from the current data: admin synonyms (else the shipped file), shipped
    protected words plus every word of every province and regency/city name. District and village
    names are left out on purpose: thousands of them are ordinary words (``tahunan``, ``mandiri``,
    ``pindahan``) whose stemming matters for search (ADR 0021)."""
    synonyms = _db_synonyms() or list(shipped_synonyms())
    protected = set(shipped_protected_words()) | set(_region_names())
    return Analyzer(synonyms=synonyms, protected=protected)


def default_analyzer() -> Analyzer:
    """The cached default analyzer, rebuilt when :func:`reset_analyzer` ran in any process."""
    global _default, _default_version, _checked_at
    now = time.monotonic()
    if _default is not None and now - _checked_at < RECHECK_SECONDS:
        return _default
    version = _shared_version()
    with _state_lock:
        if _default is None or version != _default_version:
            _default = build_default_analyzer()
            _default_version = version
        _checked_at = now
        return _default


def reset_analyzer() -> None:
    """Forget the cached analyzer here and tell other processes (shared cache) to rebuild theirs."""
    global _default
    try:
        from django.core.cache import cache as django_cache

        django_cache.set(_VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:  # noqa: S110 - no Django settings: only this process matters
        pass
    with _state_lock:
        _default = None


def analyze(text: str) -> list[str]:
    """The search terms of ``text`` with the default analyzer.

    Input: any string (empty, 10,000 characters, emoji, right-to-left text and NUL bytes are
    fine). Output: lower-case, accent-folded, synonym-normalised, stopword-free, stemmed terms in
    input order (possibly empty); at most :data:`MAX_TERMS` input words are considered. Never
    raises for any ``str``. Rules: stopwords-iso ``id``; Snowball Indonesian stemmer; region
    names from the kode wilayah register (Kepmendagri 300.2.2-2138/2025) are never stemmed.
    """
    return default_analyzer().analyze(text, limit=MAX_TERMS)


def analyze_words(text: str) -> list[tuple[str, str | None]]:
    """:func:`analyze` with, for each term, the folded query word it came from (``None`` when it is
    a synonym's canonical word); for typo correction at the level of the typed word."""
    return default_analyzer().analyze_words(text, limit=MAX_TERMS)


def analyze_document(text: str) -> list[str]:
    """Like :func:`analyze` but without the word limit (for indexing long service texts)."""
    return default_analyzer().analyze(text)


def synonym_table() -> Mapping[Phrase, Phrase]:
    """The phrase table in force (folded variant words → canonical words), for the admin and tests."""
    return dict(default_analyzer().phrases)
