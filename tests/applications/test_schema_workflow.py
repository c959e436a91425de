"""Validation of form schemas, workflows and whole definitions when an admin saves them."""

from __future__ import annotations

import copy

import pytest

from satupintu.applications.definitions_io import parse_definition
from satupintu.applications.schema import validate_schema
from satupintu.applications.workflow import Workflow, validate_workflow
from satupintu.core.errors import InvalidInput
from tests.applications.conftest import FULL_SCHEMA, WORKFLOW, citizen, definition_data, officer, texts


def rules_of(errors) -> set[tuple[str, str]]:  # noqa: ANN001
    return {(e.field, e.rule) for e in errors}


def test_the_full_schema_and_workflow_are_valid() -> None:
    assert validate_schema(FULL_SCHEMA) == []
    assert validate_workflow(WORKFLOW) == []


def test_schema_errors_name_the_field_path() -> None:
    schema = copy.deepcopy(FULL_SCHEMA)
    schema["fields"][0]["rules"]["pattern"] = "([a-z"
    schema["fields"][2]["rules"]["min"] = 30  # larger than max 20
    schema["fields"][3]["type"] = "money"
    schema["fields"][11]["choices"].append({"value": "hilang", "label": texts("Lagi", "Again")})
    schema["fields"][12]["show_if"] = {"field": "keperluan_x", "equals": "a"}
    schema["fields"][16]["fields"][0]["rules"] = {"min": 1}
    schema["fields"][16]["fields"].append({"name": "sub", "type": "group", "label": texts("a", "b"),
                                           "fields": [{"name": "x", "type": "text", "label": texts("a", "b")}]})
    schema["fields"].append({"name": "nama", "type": "text", "label": {"id": "Nama"}})
    assert rules_of(validate_schema(schema)) == {
        ("form.fields.nama.rules.pattern", "pattern"),
        ("form.fields.jumlah_anak.rules.min", "range"),
        ("form.fields.luas.type", "choice"),
        ("form.fields.alasan.choices[2].value", "unique"),
        ("form.fields.surat_kehilangan.show_if.field", "reference"),
        ("form.fields.anggota.fields.nama.rules.min", "unknown_rule"),
        ("form.fields.anggota.fields.sub.type", "nesting"),
        ("form.fields.nama.label", "texts"),
        ("form.fields.nama", "unique"),
    }


def test_show_if_must_point_backwards_and_to_a_known_choice() -> None:
    schema = {"format": 1, "fields": [
        {"name": "a", "type": "text", "label": texts("A", "A"), "show_if": {"field": "b", "equals": "x"}},
        {"name": "b", "type": "choice", "label": texts("B", "B"),
         "choices": [{"value": "x", "label": texts("X", "X")}]},
        {"name": "c", "type": "text", "label": texts("C", "C"), "show_if": {"field": "b", "in": ["x", "y"]}},
        {"name": "d", "type": "text", "label": texts("D", "D"), "show_if": {"field": "b"}},
    ]}
    assert rules_of(validate_schema(schema)) == {
        ("form.fields.a.show_if.field", "reference"), ("form.fields.c.show_if", "choice"),
        ("form.fields.d.show_if", "type")}


def test_bad_shapes_are_reported_not_crashing() -> None:
    assert rules_of(validate_schema([])) == {("form", "type")}
    assert ("form.fields", "required") in rules_of(validate_schema({"format": 1, "fields": []}))
    assert ("form.fields[0]", "type") in rules_of(validate_schema({"format": 1, "fields": ["x"]}))
    assert ("form.format", "version") in rules_of(validate_schema({"format": 9, "fields": FULL_SCHEMA["fields"]}))


def test_workflow_errors() -> None:
    wf = copy.deepcopy(WORKFLOW)
    wf["states"].append({"name": "lupa", "label": texts("Lupa", "Forgotten")})
    wf["transitions"].append({"name": "keluar", "from": ["disetujui"], "to": "ditolak", "role": "verifier",
                              "label": texts("a", "b")})
    wf["transitions"].append({"name": "hantu", "from": ["diajukan"], "to": "tidak_ada", "role": "raja",
                              "label": texts("a", "b")})
    wf["transitions"][0]["reason_required"] = "ya"
    assert rules_of(validate_workflow(wf)) == {
        ("workflow.states.lupa", "unreachable"), ("workflow.states.lupa", "dead_end"),
        ("workflow.transitions.keluar.from", "final"), ("workflow.transitions.hantu.to", "reference"),
        ("workflow.transitions.hantu.role", "choice"), ("workflow.transitions.verifikasi.reason_required", "type")}
    assert ("workflow.initial", "reference") in rules_of(validate_workflow({**WORKFLOW, "initial": "x"}))
    no_final = {**WORKFLOW, "states": [s for s in WORKFLOW["states"] if "final" not in s]}
    assert ("workflow.states", "final") in rules_of(validate_workflow(no_final))


def test_allowed_transitions_follow_roles() -> None:
    wf = Workflow(WORKFLOW)
    verifier = officer("dukcapil", "verifier")
    approver = officer("dukcapil", "approver")
    assert [t.name for t in wf.allowed_transitions("diajukan", verifier, is_applicant=False)] == [
        "verifikasi", "minta_perbaikan"]
    assert wf.allowed_transitions("diajukan", approver, is_applicant=False) == []
    assert [t.name for t in wf.allowed_transitions("diverifikasi", approver, is_applicant=False)] == [
        "setujui", "tolak"]
    assert [t.name for t in wf.allowed_transitions("perlu_perbaikan", citizen(), is_applicant=True)] == [
        "kirim_perbaikan"]
    assert wf.allowed_transitions("perlu_perbaikan", citizen(2), is_applicant=False) == []


def test_definition_parse_collects_every_problem() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_definition(definition_data(slug="Bad Slug", level_of_assurance=7, extra=1,
                                          documents=[{"code": "x", "label": texts("a", "b"), "field": "nama"}]))
    assert rules_of(exc.value.errors) == {("slug", "pattern"), ("level_of_assurance", "range"),
                                          ("extra", "unknown_key"), ("documents[0].field", "reference")}
