"""The form engine: every field type and rule, conditional display, groups, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from satupintu.applications.forms_engine import SchemaForm, answers_to_data
from tests.applications.conftest import FULL_SCHEMA, VALID_NIK, VALID_NIK_2, pdf_bytes, upload, valid_post

pytestmark = pytest.mark.django_db


def bind(data: dict[str, Any], files: dict[str, Any] | None = None, *, partial: bool = False,
         version: int = 1, lang: str = "en") -> SchemaForm:
    with translation.override(lang):
        form = SchemaForm(FULL_SCHEMA, version=version, data=MultiValueDict({k: v if isinstance(v, list) else [v]
                                                                             for k, v in data.items()}),
                          files=MultiValueDict({k: [v] for k, v in (files or {}).items()}), partial=partial)
        form.is_valid()
        form.errors  # noqa: B018 - evaluate messages in the language
        return form


def errors_of(form: SchemaForm, lang: str = "en") -> dict[str, list[str]]:
    with translation.override(lang):
        return {k: [str(m) for m in v] for k, v in form.errors.items()}


def test_complete_answers_are_cleaned_to_json_values(small_regions) -> None:  # noqa: ANN001
    form = bind(valid_post(
        catatan="ok", jumlah_anak="2", luas="12,5", npwp="01.234.567.8-901.000", email="siti@example.id",
        telepon="0812-3456-7890", wilayah_0="32", wilayah_1="32.75", keperluan=["kerja", "visa"],
        punya_paspor="yes", **{"anggota-count": "2", "anggota-0-nama": "Budi", "anggota-0-nik": VALID_NIK_2,
                               "alamat-street": "Jl. Mawar 1", "alamat-rt": "001", "alamat-rw": "002",
                               "alamat-region_0": "32", "alamat-region_1": "32.75", "alamat-region_2": "32.75.01",
                               "alamat-region_3": "32.75.01.1001", "alamat-postal_code": "17113"}))
    assert form.errors == {}
    assert form.answers == {
        "nama": "Siti Aminah", "catatan": "ok", "jumlah_anak": 2, "luas": "12.5", "tanggal_lahir": "1990-01-01",
        "nik": VALID_NIK, "npwp": "012345678901000", "email": "siti@example.id", "telepon": "+6281234567890",
        "wilayah": "32.75", "alasan": "rusak", "keperluan": ["kerja", "visa"], "punya_paspor": True,
        "alamat": {"street": "Jl. Mawar 1", "rt": "001", "rw": "002", "region": "32.75.01.1001",
                   "postal_code": "17113"},
        "anggota": [{"nama": "Budi", "nik": VALID_NIK_2}],  # the empty second row is dropped
    }


def test_missing_required_fields_are_named_each() -> None:
    form = bind({"_version": "1", "anggota-count": "1"})
    errors = errors_of(form)
    assert set(errors) == {"nama", "tanggal_lahir", "nik", "alasan"}
    assert errors["nama"] == ["This field is required."]


def test_errors_are_in_indonesian_by_default() -> None:
    form = bind({"_version": "1", "nik": "123"}, lang="id")
    errors = errors_of(form, lang="id")
    assert errors["nama"] == ["Isian ini wajib diisi."]
    assert errors["nik"] == ["NIK terdiri dari tepat 16 digit."]


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("nama", "Si", "at least 3"),
    ("nama", "Siti 123", "Letters only."),
    ("nama", "x" * 61, "at most 60"),
    ("catatan", "y" * 51, "at most 50"),
    ("jumlah_anak", "21", "less than or equal to 20"),
    ("jumlah_anak", "-1", "greater than or equal to 0"),
    ("jumlah_anak", "dua", "whole number"),
    ("luas", "0,1", "greater than or equal to 0.5"),
    ("luas", "1.234", "2 decimal places"),
    ("tanggal_lahir", "1899-12-31", "2 January 1900 or later"),
    ("tanggal_lahir", "2999-01-01", "or earlier"),
    ("tanggal_lahir", "31-02-2000", "valid date"),
    ("nik", "9934567890123456", "province code"),
    ("nik", "3275013201900002", "birth date"),
    ("nik", "3275014101900000", "0000"),
    ("npwp", "12345", "15 or 16 digits"),
    ("email", "siti@", "valid email"),
    ("telepon", "12345", "Indonesian phone number"),
    ("alasan", "dicuri", "Select a valid choice"),
    ("punya_paspor", "mungkin", "Select a valid choice"),
])
def test_values_that_break_a_rule_get_an_error_on_their_field(field: str, value: str, fragment: str) -> None:
    form = bind(valid_post(**{field: value}))
    errors = errors_of(form)
    assert list(errors) == [field]
    assert fragment in " ".join(errors[field])
    assert form.data[field] == value  # the entered data is kept for the page


def test_nik_of_a_woman_uses_day_plus_40() -> None:
    assert bind(valid_post(nik="3275017112990001")).errors == {}  # 31-12-99 + 40
    assert "nik" in bind(valid_post(nik="3275017212990001")).errors  # day 32


def test_multichoice_over_max_items() -> None:
    form = bind(valid_post(keperluan=["kerja", "sekolah", "visa"]))
    assert errors_of(form) == {"keperluan": ["Choose at most 2."]}


def test_region_must_be_consistent_and_exist(small_regions) -> None:  # noqa: ANN001
    assert "wilayah" in bind(valid_post(wilayah_0="32", wilayah_1="31.71")).errors
    assert "wilayah" in bind(valid_post(wilayah_0="32")).errors  # regency level required
    assert bind(valid_post(wilayah_0="32", wilayah_1="32.16")).answers["wilayah"] == "32.16"


def test_address_parts_are_checked(small_regions) -> None:  # noqa: ANN001
    form = bind(valid_post(**{"alamat-street": "Jl. Melati", "alamat-rt": "1234", "alamat-postal_code": "12"}))
    assert set(form.errors) == {"alamat-rt", "alamat-postal_code"}


def test_forged_field_names_are_ignored() -> None:
    form = bind(valid_post(is_admin="1", status="disetujui", **{"anggota-7-nama": "X"}))
    assert form.errors == {}
    assert "is_admin" not in form.answers and "status" not in form.answers
    assert form.answers.get("anggota", []) == []


def test_hidden_conditional_field_is_not_required_and_its_answer_is_dropped() -> None:
    form = bind(valid_post(alasan="rusak", nomor_laporan="LP/123"))
    assert form.errors == {}
    assert "nomor_laporan" not in form.answers


def test_shown_conditional_field_is_required() -> None:
    form = bind(valid_post(alasan="hilang"))
    assert set(form.errors) == {"surat_kehilangan", "nomor_laporan"}


def test_shown_conditional_file_is_accepted_when_real(settings, tmp_path) -> None:  # noqa: ANN001
    form = bind(valid_post(alasan="hilang", nomor_laporan="LP/1"),
                {"surat_kehilangan": upload("laporan.pdf", pdf_bytes())})
    assert form.errors == {}
    assert form.new_files["surat_kehilangan"].kind == "pdf"


def test_draft_mode_skips_required_but_not_rules() -> None:
    form = bind({"_version": "1", "jumlah_anak": "99"}, partial=True)
    assert errors_of(form) == {"jumlah_anak": ["Ensure this value is less than or equal to 20."]}
    assert bind({"_version": "1", "nama": "Siti"}, partial=True).answers == {"nama": "Siti"}


def test_form_posted_against_an_old_version_is_refused_with_data_kept() -> None:
    form = bind(valid_post(version_number=1), version=2)
    assert form.errors["__all__"] == ["This form was changed after you opened it. Check your answers and send "
                                      "them again."]
    assert form.data["nama"] == "Siti Aminah"


def test_group_add_and_remove_buttons_change_the_rows_without_js() -> None:
    form = bind(valid_post(**{"anggota-count": "1", "_add-anggota": "1"}))
    assert form.is_refresh()
    assert "anggota-1-nama" in form.fields and "anggota-2-nama" not in form.fields
    form = bind(valid_post(**{"anggota-count": "3", "_remove-anggota": "1"}))
    assert form.group_counts["anggota"] == 2
    forged = bind(valid_post(**{"anggota-count": "100000"}))
    assert forged.group_counts["anggota"] == 5  # capped at max_items


def test_group_rows_validate_their_own_fields() -> None:
    form = bind(valid_post(**{"anggota-count": "2", "anggota-0-nama": "Budi", "anggota-1-nik": "1"}))
    assert set(form.errors) == {"anggota-0-nik", "anggota-1-nik", "anggota-1-nama"}


def test_unbound_form_resumes_from_stored_answers(small_regions) -> None:  # noqa: ANN001
    answers = {"nama": "Siti", "tanggal_lahir": "1990-01-01", "keperluan": ["kerja"], "punya_paspor": False,
               "anggota": [{"nama": "A", "nik": VALID_NIK}, {"nama": "B", "nik": VALID_NIK_2}],
               "wilayah": "32.75", "alamat": {"street": "Jl. X", "region": "32.75.01.1001"}}
    form = SchemaForm(FULL_SCHEMA, version=1, answers=answers)
    assert form.group_counts["anggota"] == 2
    assert form.initial["anggota-1-nik"] == VALID_NIK_2
    assert form.initial["punya_paspor"] == "no"
    # Regions are folded to the field (what the picker widget reads), not the per-level inputs.
    assert form.initial["alamat-region"] == "32.75.01.1001" and form.initial["wilayah"] == "32.75"
    assert "alamat-region_3" not in form.initial and "wilayah_1" not in form.initial
    html = form.as_div()
    assert 'value="Siti"' in html and 'name="anggota-1-nama"' in html
    # The region pickers show the stored choice at every level (not "— pilih —").
    assert form["alamat-region"].value() == "32.75.01.1001" and form["wilayah"].value() == "32.75"
    assert '<option value="32.75.01.1001" selected>' in str(form["alamat-region"])
    assert '<option value="32.75" selected>' in str(form["wilayah"])


def test_json_answers_refuse_unknown_names_and_wrong_types() -> None:
    data, errors = answers_to_data(FULL_SCHEMA, {"nama": "Siti", "hacker": 1, "jumlah_anak": [1],
                                                 "punya_paspor": "yes", "anggota": [{"nama": "A", "x": 1}]},
                                   version=1)
    assert {(e.field, e.rule) for e in errors} == {
        ("hacker", "unknown_field"), ("jumlah_anak", "type"), ("punya_paspor", "type"),
        ("anggota.0.x", "unknown_field")}


def test_relative_date_bound_uses_today() -> None:
    from django.utils import timezone

    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert "or earlier" in " ".join(errors_of(bind(valid_post(tanggal_lahir=tomorrow)))["tanggal_lahir"])


def test_a_post_without_the_version_is_treated_as_stale() -> None:
    data = valid_post()
    del data["_version"]
    assert [e.rule for e in bind(data).field_errors()] == ["stale_version"]
