"""The Indonesian analyzer: folding, synonyms, stopwords, stemming with protected place names."""

from __future__ import annotations

import pytest

from satupintu.catalog.analyzer import (
    Analyzer,
    analyze,
    analyze_words,
    reset_analyzer,
    shipped_synonyms,
    stopwords,
    tokenize,
)

pytestmark = pytest.mark.django_db


def test_bekasi_stays_a_place_and_is_not_read_as_bekas(small_regions) -> None:
    assert analyze("Disdukcapil Kota Bekasi") == ["dukcapil", "kota", "bekasi"]
    assert "bekas" not in analyze("KTP Bekasi")


def test_kependudukan_does_not_collapse_into_duduk() -> None:
    terms = analyze("Administrasi Kependudukan dan penduduk")
    assert "kependudukan" in terms and "penduduk" in terms
    assert "duduk" not in terms and "nduduk" not in terms


def test_region_names_from_the_register_are_protected_from_stemming(small_regions) -> None:
    from satupintu.regions.models import Region

    bare = Analyzer(synonyms=[], protected=[])
    assert bare.analyze("Kediri") == ["diri"]  # what Snowball alone does to the place name
    Region.objects.create(kode="35", nama="Jawa Timur", level=1, nama_lower="jawa timur")
    Region.objects.create(kode="35.06", nama="Kabupaten Kediri", level=2, parent_id="35", nama_lower="kabupaten kediri")
    reset_analyzer()
    assert analyze("Kediri") == ["kediri"]


def test_ordinary_words_are_stemmed_the_same_at_index_and_query_time() -> None:
    assert analyze("pencatatan") == analyze("mencatat") == ["catat"]
    assert analyze("perpanjangan") == analyze("perpanjang") == ["perpanjang"]  # a synonym: final form
    assert analyze("Pencatatan Kelahiran") == ["catat", "lahir"]


def test_each_term_knows_the_typed_word_it_came_from() -> None:
    # Typo correction reads the typed word: the stem of a misspelt word ("lahran") says too little.
    assert analyze_words("Akte kelahran yang kembar") == [("akta", None), ("lahran", "kelahran"), ("kembar", "kembar")]
    assert [term for term, _ in analyze_words("Akte kelahran yang kembar")] == analyze("Akte kelahran yang kembar")


def test_a_lone_word_becomes_the_term_a_query_would_give() -> None:
    default = Analyzer(synonyms=shipped_synonyms(), protected=["bekasi"])
    assert default.term_of("kelahiran") == "lahir"
    assert default.term_of("perpanjangan") == "perpanjang"  # synonym of the word
    assert default.term_of("bikin") == "urus"
    assert default.term_of("bekasi") == "bekasi"  # protected: not stemmed
    assert default.term_of("yang") is None  # stopword
    assert default.term_of("kartu") == "kartu"


@pytest.mark.parametrize(("variant", "canonical"), [
    ("e-KTP", ["ktp"]), ("KTP-el", ["ktp"]), ("ektp", ["ktp"]), ("kartu tanda penduduk", ["ktp"]),
    ("akte", ["akta"]), ("Kartu Keluarga", ["kk"]), ("bikin", ["urus"]), ("buat", ["urus"]),
    ("mengurus", ["urus"]), ("passport", ["paspor"]), ("SIM A", ["sim", "sima"]),
])
def test_synonyms_and_abbreviations_map_to_one_form(variant: str, canonical: list[str]) -> None:
    assert analyze(variant) == canonical


def test_stopwords_are_dropped_but_service_words_are_kept() -> None:
    assert "yang" in stopwords() and "baru" not in stopwords()
    assert analyze("bagaimana cara bikin ktp yang baru") == ["urus", "ktp", "baru"]


def test_lower_case_and_accent_folding() -> None:
    assert tokenize("PASPOR Café naïve") == ["paspor", "cafe", "naive"]


@pytest.mark.parametrize("text", ["", "   ", "!!!???...", "🙂🎉", '"*:NEAR-AND"', "\x00\x00", "مرحبا بالعالم",
                                  "a" * 10_000, "ktp " * 5000])
def test_any_text_is_analysed_without_error(text: str) -> None:
    terms = analyze(text)
    assert isinstance(terms, list) and all(isinstance(t, str) and t for t in terms)
    assert len(terms) <= 64


def test_fts_syntax_becomes_plain_words() -> None:
    assert analyze('"paspor" NEAR ktp* -sim AND kk:1') == ["paspor", "near", "ktp", "sim", "and", "kk", "1"]


def test_admin_synonym_table_replaces_the_shipped_one() -> None:
    from satupintu.catalog.models import Synonym

    assert analyze("ijazah") == ["ijazah"]
    Synonym.objects.create(variant="ijazah", canonical="diploma")
    reset_analyzer()
    assert analyze("ijazah") == ["diploma"]
    assert analyze("e-ktp") == ["e", "ktp"]  # the shipped table no longer applies once the admin has rows


def test_shipped_synonym_file_parses_into_pairs() -> None:
    pairs = dict(shipped_synonyms())
    assert pairs["akte"] == "akta" and pairs["e-ktp"] == "ktp"
