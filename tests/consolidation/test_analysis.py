"""Overlap grouping, waste estimate, flags, similar pairs and the moratorium check on a small
hand-made inventory whose duplicates are known."""

from __future__ import annotations

import pytest

from satupintu.consolidation.analysis import (
    KEEP,
    REPLACE_GENERAL,
    REPLACE_PLATFORM,
    AppRow,
    Assumption,
    closest,
    flagged,
    function_groups,
    load_rows,
    similar_pairs,
    waste_totals,
)
from satupintu.consolidation.models import Application
from satupintu.consolidation.text import analyze


def app(i: int, agency: str, name: str, function: str, budget: int, *, users: str = "internal",
        description: str = "", status: str = "live", login: bool = False, exchange: bool = False,
        services: tuple[str, ...] = ()) -> AppRow:
    return AppRow(id=i, agency=agency, agency_name=agency.upper(), name=name, description=description,
                  function=function, budget_idr=budget, users_kind=users, service_slugs=services,
                  uses_national_login=login, uses_exchange=exchange, status=status)


# Known duplicates: three personnel apps (01.05, has aplikasi umum SIASN) in three agencies;
# two complaint portals (01.10 → public, no aplikasi umum in this test's mapping) in two agencies;
# two internal agriculture apps (04.01, internal, no aplikasi umum) in two agencies; one
# tourism app alone; a retired personnel app that must not count; a defence pair.
INVENTORY = [
    app(1, "kab-a", "SIMPEG Kabupaten A", "01.05", 400_000_000, description="Sistem informasi kepegawaian"),
    app(2, "kab-b", "Sistem Informasi Kepegawaian Kab B", "01.05", 300_000_000, login=True, exchange=True),
    app(3, "prov-c", "e-Pegawai Provinsi C", "01.05", 200_000_000),
    app(4, "kab-a", "SIMPEG Lama", "01.05", 900_000_000, status="retired"),
    app(5, "kab-a", "Aplikasi Pengaduan Masyarakat", "01.10", 100_000_000, users="public",
        description="Pengaduan pelayanan publik warga"),
    app(6, "kab-b", "Pengaduan Masyarakat Online", "01.10", 150_000_000, users="public",
        description="Layanan pengaduan masyarakat secara daring"),
    app(7, "kab-a", "Data Petani", "04.01", 120_000_000),
    app(8, "prov-c", "Kartu Tani Digital", "04.01", 80_000_000),
    app(9, "kab-b", "Destinasi Wisata", "08.01", 50_000_000, users="public"),
    app(10, "kemhan", "Logistik Pertahanan", "02.01", 5_000_000_000),
    app(11, "tni", "Logistik Alutsista", "02.01", 4_000_000_000),
]
ASSUME = Assumption(shared_cost_factor_pct=120, onboarding_cost_idr=50_000_000)
GENERAL = {"01.05": "SIASN"}


def test_groups_are_functions_used_by_two_or_more_agencies_excluding_retired_apps() -> None:
    groups = {g.function: g for g in function_groups(INVENTORY, assumption=ASSUME, general_apps=GENERAL)}
    assert set(groups) == {"01.05", "01.10", "04.01", "02.01"}  # 08.01 has one agency only
    assert [a.id for a in groups["01.05"].apps] == [1, 2, 3]  # retired app 4 left out
    assert groups["01.05"].agencies == ["kab-a", "kab-b", "prov-c"]
    assert groups["01.05"].combined_budget_idr == 900_000_000


def test_recommendations_and_waste_by_hand() -> None:
    groups = {g.function: g for g in function_groups(INVENTORY, assumption=ASSUME, general_apps=GENERAL)}
    personnel = groups["01.05"]
    # shared = 400M × 120% + 50M × (3 − 1) = 580M; waste = 900M − 580M = 320M.
    assert (personnel.recommendation, personnel.general_app) == (REPLACE_GENERAL, "SIASN")
    assert (personnel.shared_cost_idr, personnel.waste_idr) == (580_000_000, 320_000_000)
    # split by budget share: kab-a 4/9, kab-b 3/9, prov-c 2/9 of 320M.
    assert personnel.waste_by_agency == {"kab-a": 142_222_222, "kab-b": 106_666_666, "prov-c": 71_111_111}
    complaints = groups["01.10"]
    # shared = 150M × 1.2 + 50M × 1 = 230M; waste = 250M − 230M = 20M; public apps → this platform.
    assert (complaints.recommendation, complaints.waste_idr) == (REPLACE_PLATFORM, 20_000_000)
    farming = groups["04.01"]
    # shared = 120M × 1.2 + 50M = 194M; waste = 200M − 194M = 6M, but internal apps → keep, not counted.
    assert (farming.recommendation, farming.reason, farming.counted, farming.waste_idr) == (
        KEEP, "internal_specific", False, 6_000_000)
    assert (groups["02.01"].recommendation, groups["02.01"].reason) == (KEEP, "sector")
    national, per_agency = waste_totals(groups.values())
    assert national == 340_000_000
    assert per_agency == {"kab-a": 142_222_222 + 8_000_000, "kab-b": 106_666_666 + 12_000_000, "prov-c": 71_111_111}


def test_editing_the_assumption_changes_the_estimate() -> None:
    cheap = Assumption(shared_cost_factor_pct=100, onboarding_cost_idr=0)
    groups = {g.function: g for g in function_groups(INVENTORY, assumption=cheap, general_apps=GENERAL)}
    assert groups["01.05"].waste_idr == 500_000_000  # 900M − 400M


def test_apps_missing_login_or_exchange_are_flagged() -> None:
    assert [a.id for a in flagged(INVENTORY)] == [1, 3, 5, 6, 7, 8, 9, 10, 11]


def test_similar_pairs_find_the_known_duplicates_across_agencies() -> None:
    pairs = similar_pairs(INVENTORY, analyzer=analyze, threshold=0.3)
    found = {(p.a.id, p.b.id) for p in pairs}
    assert (5, 6) in found  # the two complaint portals
    assert (1, 2) in found  # "SIMPEG ... kepegawaian" vs "Sistem Informasi Kepegawaian"
    assert (9, 10) not in found and (7, 9) not in found
    assert all(p.score >= 0.3 for p in pairs)
    assert pairs == sorted(pairs, key=lambda p: -p.score)


def test_the_analyzer_is_a_parameter() -> None:
    calls: list[str] = []

    def spy(text: str) -> list[str]:
        calls.append(text)
        return text.lower().split()

    similar_pairs(INVENTORY, analyzer=spy, threshold=0.5)
    assert len(calls) == len(INVENTORY)


def test_moratorium_check_shows_closest_apps_and_services() -> None:
    services = [{"id": "lapor-pengaduan-pelayanan-publik", "name": "Pengaduan Pelayanan Publik (SP4N-LAPOR!)",
                 "summary": "Sampaikan pengaduan", "agency": "kemenpanrb"},
                {"id": "oss-nib", "name": "Nomor Induk Berusaha", "summary": "Perizinan usaha", "agency": "bkpm"}]
    apps, found = closest("Aplikasi pengaduan masyarakat kabupaten", rows=INVENTORY, services=services,
                          function="01.10")
    assert {apps[0].key, apps[1].key} == {"5", "6"} and apps[0].same_function
    assert found[0].key == "lapor-pengaduan-pelayanan-publik"
    assert "oss-nib" not in {m.key for m in found}


@pytest.mark.django_db
def test_load_rows_reads_the_database_inventory(agencies) -> None:  # noqa: ANN001
    from tests.consolidation.conftest import make_app

    make_app(agencies["bkn"], "siasn", build_budget_idr=5, run_budget_idr=7, service_slugs=["bkn-sscasn"])
    rows = load_rows(Application.objects.all())
    assert len(rows) == 1 and rows[0].budget_idr == 12 and rows[0].service_slugs == ("bkn-sscasn",)
    assert rows[0].agency == "bkn"


def test_default_analyzer_folds_accents_drops_stopwords_and_stems() -> None:
    assert analyze("Pelayanan PERIZINAN untuk Café — Kota") == ["layan", "izin", "cafe", "kota"]
    assert analyze("") == []
