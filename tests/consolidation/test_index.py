"""SPBE index computation against hand-computed cases, for both shipped frameworks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from satupintu.consolidation.index import compute_index, framework_def
from satupintu.consolidation.models import Framework, Indicator
from satupintu.consolidation.reference import ReferenceDataError, validate_framework

pytestmark = pytest.mark.django_db

P59 = "permenpanrb-59-2020"
P7 = "spbe-7-aspek-provisional"


def _fdef(code: str):  # noqa: ANN202
    return framework_def(Framework.objects.get(code=code))


def test_permenpanrb_59_2020_is_shipped_with_its_structure_and_weights() -> None:
    fw = Framework.objects.get(code=P59)
    assert fw.provisional is False
    assert fw.domains.count() == 4 and fw.aspects.count() == 8 and fw.indicators.count() == 47
    assert {d.name: d.weight for d in fw.domains.all()} == {
        "Kebijakan Internal SPBE": Decimal("13.00"), "Tata Kelola SPBE": Decimal("25.00"),
        "Manajemen SPBE": Decimal("16.50"), "Layanan SPBE": Decimal("45.50")}
    weights = dict(Indicator.objects.filter(framework=fw).values_list("number", "weight"))
    expected = {n: Decimal("1.30") for n in range(1, 11)} | {n: Decimal("2.50") for n in range(11, 21)} | {
        n: Decimal("1.50") for n in range(21, 32)} | {n: Decimal("2.75") for n in range(32, 42)} | {
        n: Decimal("3.00") for n in range(42, 48)}
    assert weights == expected
    assert sum(weights.values()) == Decimal("100.00")
    assert list(fw.bands.values_list("name", "min_index")) == [
        ("Memuaskan", Decimal("4.20")), ("Sangat Baik", Decimal("3.50")), ("Baik", Decimal("2.60")),
        ("Cukup", Decimal("1.80")), ("Kurang", Decimal("0.00"))]


def test_provisional_framework_has_seven_weighted_aspects() -> None:
    fw = Framework.objects.get(code=P7)
    assert fw.provisional is True
    assert {a.name: a.weight for a in fw.aspects.all()} == {
        "Tata Kelola": 10, "Penyelenggara": 10, "Data": 15, "Keamanan": 15, "Teknologi": 10,
        "Keterpaduan Layanan": 15, "Kepuasan Pengguna": 25}
    assert [(b.name, b.min_index) for b in fw.bands.all()] == [
        ("Memuaskan", Decimal("4.00")), ("Sangat Baik", Decimal("3.50")), ("Baik", Decimal("2.50")),
        ("Cukup", Decimal("1.50")), ("Kurang", Decimal("1.00"))]


@pytest.mark.parametrize("code", [P59, P7])
def test_all_ones_give_1_00_kurang(code: str) -> None:
    fdef = _fdef(code)
    result = compute_index(fdef, {i.number: 1 for i in fdef.indicators})
    assert (result.overall, result.predicate, result.complete) == (Decimal("1.00"), "Kurang", True)
    assert set(result.by_aspect.values()) == {Decimal("1.00")}


@pytest.mark.parametrize("code", [P59, P7])
def test_all_fives_give_5_00_memuaskan(code: str) -> None:
    fdef = _fdef(code)
    result = compute_index(fdef, {i.number: 5 for i in fdef.indicators})
    assert (result.overall, result.predicate) == (Decimal("5.00"), "Memuaskan")


def test_mixed_case_permenpanrb_59_2020_by_hand() -> None:
    # Indicators 1-10 at 3, 11-20 at 2, 21-31 at 4, 32-41 at 1, 42-47 at 5:
    # (13×3 + 25×2 + 16.5×4 + 27.5×1 + 18×5) / 100 = 272.5 / 100 = 2.725 → 2.73 (half up) → Baik.
    levels = {n: 3 if n <= 10 else 2 if n <= 20 else 4 if n <= 31 else 1 if n <= 41 else 5 for n in range(1, 48)}
    result = compute_index(_fdef(P59), levels)
    assert result.overall == Decimal("2.73")
    assert result.predicate == "Baik"
    # Domain 4 Layanan: (27.5×1 + 18×5) / 45.5 = 117.5 / 45.5 = 2.5824 → 2.58.
    assert result.by_domain == {1: Decimal("3.00"), 2: Decimal("2.00"), 3: Decimal("4.00"), 4: Decimal("2.58")}
    # Aspect 2 (11-14) and 3 (15-18) at 2; aspect 8 (42-47) at 5.
    assert result.by_aspect[2] == Decimal("2.00") and result.by_aspect[8] == Decimal("5.00")


def test_mixed_case_provisional_framework_by_hand() -> None:
    # (10×4 + 10×3 + 15×2 + 15×5 + 10×1 + 15×3 + 25×4) / 100 = 330 / 100 = 3.30 → Baik (2.5–<3.5).
    levels = {1: 4, 2: 3, 3: 2, 4: 5, 5: 1, 6: 3, 7: 4}
    result = compute_index(_fdef(P7), levels)
    assert (result.overall, result.predicate) == (Decimal("3.30"), "Baik")


@pytest.mark.parametrize(("index_level", "expected"), [
    (Decimal("4.20"), "Memuaskan"), (Decimal("4.19"), "Sangat Baik"), (Decimal("3.50"), "Sangat Baik"),
    (Decimal("3.49"), "Baik"), (Decimal("2.60"), "Baik"), (Decimal("2.59"), "Cukup"), (Decimal("1.80"), "Cukup"),
    (Decimal("1.79"), "Kurang"),
])
def test_band_edges_of_permenpanrb_59_2020(index_level: Decimal, expected: str) -> None:
    from satupintu.consolidation.index import predicate_for

    assert predicate_for(index_level, _fdef(P59).bands) == expected


def test_incomplete_assessment_has_no_overall_index_but_has_aspects() -> None:
    result = compute_index(_fdef(P7), {1: 5, 2: None})
    assert result.overall is None and result.predicate == "" and not result.complete
    assert result.by_aspect[1] == Decimal("5.00") and result.by_aspect[2] is None


def test_level_outside_1_to_5_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        compute_index(_fdef(P7), {1: 6})


def test_framework_file_with_weights_not_adding_up_is_refused() -> None:
    data = {"code": "x", "name": "x", "source": "x", "levels": {"min": 1, "max": 5}, "domains": [],
            "aspects": [{"number": 1, "name": "A", "weight": 60,
                         "indicators": [{"number": 1, "name": "i", "weight": 50}]}],
            "bands": [{"name": "Kurang", "min_index": 0}]}
    with pytest.raises(ReferenceDataError, match="aspect 1 weight"):
        validate_framework(data, "x.yaml")
    data["aspects"][0]["weight"] = 50
    with pytest.raises(ReferenceDataError, match="sum to 50.00, not 100"):
        validate_framework(data, "x.yaml")


def test_a_new_regulation_is_a_new_data_file(tmp_path) -> None:  # noqa: ANN001
    from satupintu.consolidation.reference import sync_framework

    text = """code: test-2030\nname: Test 2030\nsource: Permen 1/2030\nprovisional: true\nlevels: {min: 1, max: 5}
domains: []\naspects:\n - {number: 1, name: A, weight: 40, indicators: [{number: 1, name: a, weight: 40}]}
 - {number: 2, name: B, weight: 60, indicators: [{number: 2, name: b, weight: 60}]}
bands:\n - {name: Tinggi, min_index: 3}\n - {name: Rendah, min_index: 1}\n"""
    path = tmp_path / "test-2030.yaml"
    path.write_text(text, encoding="utf-8")
    assert sync_framework(path) is True
    fdef = _fdef("test-2030")
    assert compute_index(fdef, {1: 5, 2: 1}).overall == Decimal("2.60")  # (40×5 + 60×1)/100
    assert compute_index(fdef, {1: 5, 2: 1}).predicate == "Rendah"
    assert sync_framework(path) is False  # idempotent
    path.write_text(text.replace("weight: 40", "weight: 40").replace("Tinggi", "Sangat Tinggi"), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="immutable"):
        sync_framework(path)
