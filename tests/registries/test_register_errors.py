"""Errors of the population register (``/registri/data/penduduk/1.0``), called as the gateway calls
it: the DR API's own 404 for ``read``; problems for everything else, in the caller's language, a
400 for a body that is not a JSON object and a 422 naming each field or parameter and its rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client

from tests.exchange.conftest import gateway_keys  # noqa: F401 - fixture used by name

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("gateway_keys")]
NIK = "3174014101900001"
BASE = "/registri/data/penduduk/1.0"
GATEWAY = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_ROAD_CLIENT": "SPLP-DEV/GOV/KEMENSOS/bansos", "HTTP_X_ROAD_USERID": NIK}
SPEC = (Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "govstack" / "bb-digital-registries"
        / "GovStack_Digital_registries_BB_Data_API_template-1.3.0.yaml")


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()[:500]
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_read_of_an_unknown_nik_answers_exactly_the_dr_specs_404() -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    specified = spec["paths"]["/data/{registryName}/{versionNumber}/read"]["post"]["responses"]["404"]
    schema = specified["content"]["application/json"]["schema"]
    response = Client().post(f"{BASE}/read", {"query": {"content": {"nik": NIK}}}, content_type="application/json",
                             **GATEWAY)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": schema["properties"]["detail"]["enum"][0]} == {"detail": "no record found"}


@pytest.mark.parametrize(("body", "rule", "indonesian"), [
    ("{", "json", "Isi permintaan bukan JSON yang valid (baris 1, kolom 2)."),
    ("[" * 5000 + "]" * 5000, "max_depth", "Isi permintaan bersarang terlalu dalam (paling banyak 32 tingkat)."),
    ('{"query": ' + "[" * 100 + "]" * 100 + "}", "max_depth",
     "Isi permintaan bersarang terlalu dalam (paling banyak 32 tingkat)."),
    ("[]", "object", "Isi permintaan harus berupa objek JSON."),
])
@pytest.mark.parametrize("operation", ["read", "exists"])
def test_a_body_that_is_not_a_json_object_is_a_translated_400(body: str, rule: str, indonesian: str,
                                                               operation: str) -> None:
    response = Client().post(f"{BASE}/{operation}", body, content_type="application/json", **GATEWAY)
    got = _problem(response, 400)
    assert got["title"] == "Isi permintaan tidak valid" and got["detail"] == indonesian
    assert got["errors"] == [{"field": "body", "rule": rule, "message": indonesian}]


@pytest.mark.parametrize("body", [{"query": {}}, {"query": []}, {"query": {"content": {"nik": 3174014101900001}}}])
def test_a_missing_or_wrong_nik_is_a_422_naming_it_in_the_callers_language(body: dict) -> None:
    got = _problem(Client().post(f"{BASE}/read", body, content_type="application/json", **GATEWAY), 422)
    assert got["errors"] == [{"field": "query.content.nik", "rule": "format", "message": "Wajib diisi NIK 16 digit."}]
    english = Client().post(f"{BASE}/read?lang=en", body, content_type="application/json",
                            HTTP_ACCEPT_LANGUAGE="en", **GATEWAY)
    assert _problem(english, 422)["errors"][0]["message"] == "A 16-digit NIK is required."


@pytest.mark.parametrize(("query", "field", "rule", "message"), [
    ({"pageSize": "abc"}, "pageSize", "integer", "Harus bilangan bulat."),
    ({"pageSize": "-1"}, "pageSize", "min_value", "Paling kecil 1."),
    ({"pageSize": "1000"}, "pageSize", "max_value", "Paling besar 100."),
    ({"page": "0"}, "page", "min_value", "Paling kecil 1."),
    ({"page": "abc"}, "page", "integer", "Harus bilangan bulat."),
])
def test_list_paging_errors_are_422_like_the_other_apis(query: dict, field: str, rule: str, message: str) -> None:
    got = _problem(Client().get(BASE, query, **GATEWAY), 422)
    assert got["errors"] == [{"field": field, "rule": rule, "message": message}]
    ours = Client().get("/api/v1/services", {"page": query.get("page", "1"), "page_size": query.get("pageSize", "20")})
    assert (ours.status_code, ours.json()["errors"][0]["rule"]) == (422, rule)  # the same rule on /api/v1


def test_a_body_over_the_size_limit_is_a_413_problem(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"query": {"content": {"nik": NIK}}, "padding": "x" * 2000}
    got = _problem(Client().post(f"{BASE}/read?lang=en", body, content_type="application/json", **GATEWAY), 413)
    assert got["errors"] == [{"field": "body", "rule": "max_size",
                              "message": "The body is larger than the limit of 1000 bytes."}]


@pytest.mark.parametrize(("query", "field"), [
    ({"query.birthDate": "1990-13-01"}, "query.birthDate"),  # the pattern's shape, not a date: was a 500
    ({"query.birthDate": "0000-01-01"}, "query.birthDate"),
    ({"query.birthDate": "١٩٩٠-٠٥-١٧"}, "query.birthDate"),  # Arabic-Indic digits are not YYYY-MM-DD
    ({"search": "Siti\x00"}, "search"),  # PostgreSQL cannot take a NUL byte in a query: was a 500 there
    ({"query.familyCardNumber": "\x00"}, "query.familyCardNumber"),
    ({"query.regionCode": "٣٢"}, "query.regionCode"),
])
def test_list_filters_that_cannot_match_are_422_naming_them(query: dict, field: str) -> None:
    got = _problem(Client().get(BASE, query, **GATEWAY), 422)
    assert [(e["field"], e["rule"]) for e in got["errors"]] == [(field, "format")]


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("get", "/read", "POST"), ("put", "/read", "POST"), ("get", "/exists", "POST"),
    ("post", "", "GET"), ("delete", "", "GET"),
])
def test_another_method_is_a_405_problem_with_allow(method: str, path: str, allowed: str) -> None:
    response = getattr(Client(enforce_csrf_checks=True), method)(BASE + path, **GATEWAY)
    got = _problem(response, 405)
    assert response["Allow"] == allowed
    assert got["title"] == "Metode tidak diizinkan" and got["detail"] == f"Gunakan {allowed}."
