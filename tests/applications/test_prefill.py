"""Prefill from pluggable sources (identity claims now, registers through the exchange later)."""

from __future__ import annotations

from typing import Any

from satupintu.applications.forms_engine import SchemaForm
from satupintu.applications.identity_link import IdentitySource
from satupintu.applications.prefill import prefill_answers, register_source, unregister_source
from satupintu.core.principal import Principal
from tests.applications.conftest import FULL_SCHEMA, VALID_NIK


class ClaimsSource:
    name = "identity"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def claims(self, principal: Principal, context: object = None) -> dict[str, Any]:
        self.asked.append(principal.id)
        return {"nik": VALID_NIK, "name": "Siti Aminah", "phone": ""}


def schema_with_prefill() -> dict[str, Any]:
    fields = [dict(f) for f in FULL_SCHEMA["fields"]]
    fields[0]["prefill"] = "identity.name"
    fields[5]["prefill"] = "identity.nik"
    fields[8]["prefill"] = "identity.phone"
    fields[7]["prefill"] = "registry.email"
    return {**FULL_SCHEMA, "fields": fields}


def test_known_claims_prefill_the_form_and_unknown_sources_are_left_empty() -> None:
    source = ClaimsSource()
    register_source(source)
    try:
        me = Principal(kind="citizen", id="w1")
        answers = prefill_answers(schema_with_prefill(), me)
        assert answers == {"nama": "Siti Aminah", "nik": VALID_NIK}
        assert source.asked == ["w1"]  # one call per source
        form = SchemaForm(schema_with_prefill(), version=1, answers=answers)
        assert form.initial["nik"] == VALID_NIK
    finally:
        unregister_source("identity")
        register_source(IdentitySource())  # the app's own source, registered in AppConfig.ready
    assert prefill_answers(schema_with_prefill(), Principal(kind="citizen", id="w1")) == {}
