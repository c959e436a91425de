"""Typo correction at the level of the typed word (ADR 0114), on SQLite FTS5 and PostgreSQL (this file runs on both).

A misspelt *inflected* word stems to a non-word ("kelahran" → "lahran") whose closest stem can be a
wrong one ("laman"); the correction must go back to the typed word ("kelahiran" → "lahir").
"""

from __future__ import annotations

import pytest

from satupintu.catalog.analyzer import analyze, analyze_words
from satupintu.catalog.models import Agency, SearchTerm, Service, service_uuid
from satupintu.catalog.search import SURFACE_WORDS, Filters, correct, edits1, reindex_all, run_search
from satupintu.catalog.selectors import search_services

pytestmark = pytest.mark.django_db

SMALL = [
    # slug, name, summary, keywords, views
    ("akta-kelahiran", "Penerbitan Akta Kelahiran", "Pencatatan kelahiran anak dan penerbitan kutipan akta.",
     ["akta kelahiran"], 0),
    ("legalisasi-akta", "Legalisasi Akta", "Legalisasi salinan akta dan dokumen melalui laman daring.",
     ["legalisasi", "laman"], 0),
    ("paspor-baru", "Paspor Baru", "Permohonan paspor untuk pertama kali di kantor imigrasi.", ["paspor"], 50_000),
    ("perpanjangan-paspor", "Perpanjangan Paspor", "Penggantian paspor yang habis masa berlakunya.",
     ["paspor", "perpanjangan"], 0),
    ("pindah-bekasi", "Surat Pindah Bekasi", "Surat pindah penduduk keluar Kota Bekasi.", ["pindah"], 0),
]


@pytest.fixture
def small_catalog(small_regions):  # noqa: ANN001, ANN201
    """Five services written here (not the shared catalogue), indexed; "laman" is in the vocabulary."""
    agency = Agency.objects.create(code="uji", name_id="Instansi Uji", kind="lembaga")
    for slug, name, summary, keywords, views in SMALL:
        Service.objects.create(slug=slug, uid=service_uuid(slug), agency=agency, name_id=name, summary_id=summary,
                               keywords=keywords, view_count=views)
    reindex_all()
    return SMALL


def _slugs(q: str, **kwargs) -> list[str]:
    return [s.slug for s in search_services(q=q, **kwargs).services]


def test_small_catalogue_a_misspelt_inflected_word_finds_its_service_first(small_catalog) -> None:
    assert SearchTerm.objects.filter(term="laman").exists()  # the stem-level correction's wrong pick
    assert SearchTerm.objects.filter(term="lahir").exists()
    assert analyze("akta kelahran") == ["akta", "lahran"]  # the stem is no word
    result = run_search("akta kelahran", filters=Filters(), limit=10, offset=0)
    assert result.terms == ["akta", "lahir"] and result.corrected == "akta lahir"
    assert _slugs("akta kelahran")[0] == "akta-kelahiran"
    assert _slugs("akta kelahran") == _slugs("akta kelahiran")


def test_small_catalogue_a_typo_in_a_synonym_word_finds_the_synonym(small_catalog) -> None:
    # "perpanjangn" stems to "panjangn"; no stem is near it ("perpanjangan" is indexed as the synonym
    # "perpanjang"), so without the typed word only "paspor" was searched and the popular
    # "Paspor Baru" came first.
    assert not SearchTerm.objects.filter(term="panjang").exists()
    assert _slugs("perpanjangn paspor")[0] == "perpanjangan-paspor"
    assert run_search("perpanjangn paspor", filters=Filters(), limit=10, offset=0).terms == ["perpanjang", "paspor"]


def test_small_catalogue_a_correct_query_is_not_altered(small_catalog) -> None:
    for q in ("akta kelahiran", "perpanjangan paspor", "surat pindah bekasi"):
        result = run_search(q, filters=Filters(), limit=10, offset=0)
        assert result.terms == analyze(q) and result.corrected is None, q
        terms, words = zip(*analyze_words(q), strict=True)
        assert correct(list(terms), words=list(words)) == list(terms)


def test_small_catalogue_region_names_stay_untouched(small_catalog) -> None:
    # "bekasi" is protected; "bekas" (one edit away on the surface) must not replace it.
    assert correct(["bekasi"], words=["bekasi"]) == ["bekasi"]
    assert _slugs("pindah bekasi")[0] == "pindah-bekasi"


def test_small_catalogue_did_you_mean_still_works(small_catalog) -> None:
    # "psspr": two edits from "paspor", one too many for 5 letters; the loose pass suggests it.
    result = run_search("psspr", filters=Filters(), limit=10, offset=0)
    assert result.total == 0 and result.suggestion == "paspor"


def test_edits1_is_every_single_edit() -> None:
    found = edits1("ab")
    assert {"b", "a", "ba", "xb", "ax", "xab", "axb", "abx"} <= found and "ab" not in found
    # 2 deletions + 1 transposition + 2×25 replacements + 3×26 insertions less 2 repeated ("aab", "abb")
    assert len(found) == 2 + 1 + 50 + 76


def test_only_the_first_unknown_words_of_a_query_are_corrected_on_the_surface(small_catalog) -> None:
    # Each surface correction analyses hundreds of candidates, so a query of many typos is bounded:
    # past SURFACE_WORDS unknown words, only the stem-level correction applies.
    garbage = [f"qzvx{c}kw" for c in "bcdfghjk"[:SURFACE_WORDS]]
    analysed = analyze_words(" ".join([*garbage, "kelahran"]))
    terms, words = [t for t, _ in analysed], [w for _, w in analysed]
    assert correct(terms[-1:], words=words[-1:]) == ["lahir"]
    assert correct(terms, words=words)[-1] == "laman"


# --- the shared 60-service catalogue ---------------------------------------------------------------

@pytest.mark.parametrize(("query", "expected"), [
    ("akta kelahran", "dukcapil-akta-kelahiran"),         # was 3rd: "lahran" → "laman"
    ("akta kemtian", "dukcapil-akta-kematian"),           # "mtian": no stem near it
    ("perpanjangn sim c", "polri-sim-c-perpanjangan"),    # "panjangn": no stem near it
    ("surat kehlangan polisi", "polri-surat-kehilangan"),  # "hlangan" → "tangan"
    ("cek tgihan bpjs", "bpjs-kesehatan-cek-status"),     # "tgihan" → "than"
    ("ktp digitl", "dukcapil-ikd-aktivasi"),              # "digitl" → "digit"
])
def test_shared_catalogue_inflected_typos_rank_the_service_first(shared_catalog, query: str, expected: str) -> None:
    assert _slugs(query, page_size=3)[0] == expected


def test_shared_catalogue_a_typo_already_fixed_by_its_stem_gives_the_same_terms(shared_catalog) -> None:
    # "pendaftarn" stems to "daftarn", one edit from "daftar": fixed before, and still the same.
    typo = run_search("pendaftarn penduduk", filters=Filters(), limit=10, offset=0)
    right = run_search("pendaftaran penduduk", filters=Filters(), limit=10, offset=0)
    assert typo.terms == right.terms == ["daftar", "penduduk"] and typo.ids == right.ids


def test_shared_catalogue_correct_labelled_queries_are_not_altered(shared_catalog) -> None:
    for q in ("akta kelahiran", "perpanjangan sim c", "surat kehilangan polisi", "cek tagihan bpjs", "ktp digital"):
        result = run_search(q, filters=Filters(), limit=10, offset=0)
        assert result.terms == analyze(q) and result.corrected is None, q
