"""A minimal Indonesian text analyzer for the overlap analysis.

``analyze(text) -> list[str]``: lower-case, fold accents (NFKD, combining marks dropped),
split on anything that is not a letter or digit, drop Indonesian stopwords and one-letter
tokens, stem with the Snowball Indonesian stemmer (Tala's algorithm).

The catalogue app ships the platform's analyzer (``satupintu.catalog.analyzer.analyze``) on
another branch; every function here that vectorises takes the analyzer as a parameter, and
:data:`DEFAULT_ANALYZER` is the one place to point at the catalogue's once merged
(docs/consolidation.md, "Merging").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import snowballstemmer

Analyzer = Callable[[str], list[str]]

# Common Indonesian function words (a small subset of the Tala stopword list), plus English
# articles that appear in app descriptions.
STOPWORDS = frozenset("""
ada adalah agar akan aku antara apa apabila atas atau bagaimana bagi bahwa banyak baru belum bisa
dalam dan dapat dari demikian dengan di dia ia ini itu jika juga kami kamu karena kata ke kepada
ketika lagi lain lalu maka mana masih melalui mereka milik oleh pada para per pun saat sampai
sangat saja sebagai sebuah secara sedang sehingga sejak seperti serta setiap suatu sudah supaya
tanpa tentang tersebut terhadap tetapi untuk yaitu yakni yang
the of and for to in on a an
""".split())

_TOKEN_RE = re.compile(r"[a-z0-9]+")
# Combining marks (Unicode category Mn) that NFKD splits off accented Latin letters.
_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_stemmer = snowballstemmer.stemmer("indonesian")


def fold(text: str) -> str:
    """Lower-case and strip accents: ``"Élan Kota"`` → ``"elan kota"``."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", lowered))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball Indonesian stem of one folded word (cached: inventory vocabularies are small)."""
    return str(_stemmer.stemWord(word))


def analyze(text: str) -> list[str]:
    """Tokens of ``text`` for TF-IDF: folded, stopwords removed, stemmed."""
    return [stem(tok) for tok in _TOKEN_RE.findall(fold(text)) if len(tok) > 1 and tok not in STOPWORDS]


def _catalog_analyzer(text: str) -> list[str]:
    from satupintu.catalog.analyzer import analyze_document

    return analyze_document(text)


# The platform's Indonesian analyzer (catalogue search): synonyms, protected place names, stemming.
DEFAULT_ANALYZER: Analyzer = _catalog_analyzer
