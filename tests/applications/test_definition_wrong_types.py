"""A definition written by hand in YAML can put a list or a mapping where a name belongs, or a
key YAML reads as a boolean (``on:``) or a number. Each must come back as a field error naming
the path and the rule, never as a crash (a traceback from ``import-online-services``)."""

from __future__ import annotations

import copy
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from satupintu.applications.definitions_io import parse_definition
from satupintu.applications.schema import validate_schema
from satupintu.applications.workflow import validate_workflow
from satupintu.core.errors import InvalidInput
from tests.applications.conftest import FULL_SCHEMA, WORKFLOW, definition_data


def rules_of(errors) -> set[tuple[str, str]]:  # noqa: ANN001
    return {(e.field, e.rule) for e in errors}


def _transition(**changes: Any) -> dict[str, Any]:
    workflow = copy.deepcopy(WORKFLOW)
    workflow["transitions"][0].update(changes)  # verifikasi: diajukan → diverifikasi
    return workflow


@pytest.mark.parametrize(("workflow", "expected"), [
    (_transition(role=["verifier"]), ("workflow.transitions.verifikasi.role", "choice")),
    (_transition(to=["diverifikasi"]), ("workflow.transitions.verifikasi.to", "reference")),
    (_transition(**{"from": [["diajukan"]]}), ("workflow.transitions.verifikasi.from", "reference")),
    ({**copy.deepcopy(WORKFLOW), "initial": ["diajukan"]}, ("workflow.initial", "reference")),
    ({**copy.deepcopy(WORKFLOW), True: 1, "extra": 2}, ("workflow.True", "unknown_key")),
])
def test_a_workflow_with_a_list_where_a_name_belongs_is_reported(workflow: dict[str, Any],
                                                                 expected: tuple[str, str]) -> None:
    assert expected in rules_of(validate_workflow(workflow))


def _schema(index: int, changes: dict[Any, Any]) -> dict[str, Any]:
    schema = copy.deepcopy(FULL_SCHEMA)
    schema["fields"][index].update(changes)
    return schema


# FULL_SCHEMA: 9 wilayah (region), 11 alasan (choice: hilang, rusak), 12 surat_kehilangan (file).
@pytest.mark.parametrize(("schema", "expected"), [
    (_schema(12, {"show_if": {"field": ["alasan"], "equals": "hilang"}}),
     ("form.fields.surat_kehilangan.show_if.field", "type")),
    (_schema(12, {"show_if": {"field": "alasan", "equals": ["hilang"]}}),
     ("form.fields.surat_kehilangan.show_if", "choice")),
    (_schema(12, {"show_if": {"field": "alasan", "in": [["hilang"]]}}),
     ("form.fields.surat_kehilangan.show_if", "choice")),
    (_schema(9, {"region_level": [2]}), ("form.fields.wilayah.region_level", "range")),
    (_schema(9, {"region_level": True}), ("form.fields.wilayah.region_level", "range")),
    (_schema(9, {True: 1, "x": 2}), ("form.fields.wilayah.True", "unknown_key")),
    # 0 bytes would read as "no file can be attached" but meant the platform's limit: refused.
    (_schema(12, {"rules": {"max_bytes": 0}}), ("form.fields.surat_kehilangan.rules.max_bytes", "type")),
    (_schema(12, {"rules": {"max_bytes": True}}), ("form.fields.surat_kehilangan.rules.max_bytes", "type")),
])
def test_a_form_with_a_list_where_a_name_belongs_is_reported(schema: dict[str, Any],
                                                             expected: tuple[str, str]) -> None:
    assert expected in rules_of(validate_schema(schema))


@pytest.mark.parametrize(("changes", "expected"), [
    ({"time_zone": ["Asia/Jakarta"]}, ("time_zone", "choice")),
    ({"documents": [{"code": "lapor", "label": {"id": "a", "en": "b"}, "field": ["surat_kehilangan"]}]},
     ("documents[0].field", "reference")),
    ({True: 1, "extra": 2}, ("True", "unknown_key")),
])
def test_a_definition_with_wrong_types_is_reported_with_its_path(changes: dict[str, Any],
                                                                 expected: tuple[str, str]) -> None:
    data = definition_data()
    data.update(changes)
    with pytest.raises(InvalidInput) as caught:
        parse_definition(data)
    assert expected in rules_of(caught.value.errors)


def test_a_positive_max_bytes_is_accepted() -> None:
    assert not rules_of(validate_schema(_schema(12, {"rules": {"max_bytes": 1}})))


def test_a_file_field_named_by_a_list_is_reported() -> None:
    data = definition_data()
    data["form"]["fields"][12]["name"] = ["surat_kehilangan"]
    with pytest.raises(InvalidInput) as caught:
        parse_definition(data)
    assert ("documents[0].field", "reference") in rules_of(caught.value.errors)


def test_import_of_a_file_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "layanan.yaml").write_bytes("slug: layanan\nname: {id: Pendaftaran \u2013 caf\xe9}\n"
                                             .encode("cp1252"))
    with pytest.raises(CommandError, match=r"layanan\.yaml: byte \d+: the file is not UTF-8 text"):
        call_command("import_online_services", str(tmp_path), "--check", stdout=StringIO())


@pytest.mark.parametrize(("changes", "expected"), [
    ({"name": {"id": "L" * 256, "en": "Service"}}, ("name.id", "max_length")),
    ({"name": {"id": "Layanan", "en": 12}}, ("name.en", "max_length")),
    ({"outcome_template": "t" * 81}, ("outcome_template", "type")),
])
def test_a_name_longer_than_its_column_is_a_field_error_not_a_database_error(
        changes: dict[str, Any], expected: tuple[str, str]) -> None:
    data = definition_data()
    data.update(changes)
    with pytest.raises(InvalidInput) as caught:
        parse_definition(data)
    assert expected in rules_of(caught.value.errors)


@pytest.mark.django_db
def test_import_of_an_over_long_name_writes_nothing(tmp_path: Path, agencies: Any) -> None:
    import yaml

    from satupintu.applications.models import OnlineServiceDefinition

    data = definition_data()
    data["name"] = {"id": "Layanan " * 40, "en": "Service"}
    (tmp_path / "layanan.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError, match=r"layanan\.yaml: name\.id: "):
        call_command("import_online_services", str(tmp_path), stdout=StringIO())
    assert not OnlineServiceDefinition.objects.filter(slug="uji-layanan").exists()


# FULL_SCHEMA: 0 nama (text), 2 jumlah_anak (number), 4 tanggal_lahir (date).
@pytest.mark.parametrize(("show_if", "expected"), [
    ({"field": "nama", "equals": ["Siti"]}, ("form.fields.tanggal_lahir.show_if", "type")),
    ({"field": "nama", "in": [{"a": 1}]}, ("form.fields.tanggal_lahir.show_if", "type")),
    ({"field": "jumlah_anak", "equals": "3"}, ("form.fields.tanggal_lahir.show_if", "type")),
    ({"field": "jumlah_anak", "in": [True]}, ("form.fields.tanggal_lahir.show_if", "type")),
])
def test_show_if_compares_a_text_or_number_field_with_a_value_of_its_kind(show_if: dict[str, Any],
                                                                         expected: tuple[str, str]) -> None:
    # A list here passed before and then broke the form page ("Only if …" looks the value up).
    assert expected in rules_of(validate_schema(_schema(4, {"show_if": show_if})))


def test_show_if_on_a_text_or_number_field_with_a_value_of_its_kind_is_valid() -> None:
    assert validate_schema(_schema(4, {"show_if": {"field": "nama", "in": ["Siti", "Budi"]}})) == []
    assert validate_schema(_schema(4, {"show_if": {"field": "jumlah_anak", "equals": 3}})) == []


def test_yaml_aliases_are_refused_before_anything_expands_them(tmp_path: Path) -> None:
    """A "billion laughs" definition: ten lines of nested aliases are 10**9 strings once the
    definition is checked or hashed. The import names the file, the line and the rule instead."""
    lines = ['a0: &a0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    (tmp_path / "layanan.yaml").write_text("slug: layanan\n" + "\n".join(lines) + "\nform: *a9\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"layanan\.yaml: line 3: Alias YAML \(\*a0\) tidak diperbolehkan"):
        call_command("import_online_services", str(tmp_path), "--check", stdout=StringIO())
