"""GET /api/v1/regions: listing, search, pagination and problem responses for bad input."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_without_parameters_lists_the_provinces(small_regions, client: Client) -> None:
    body = client.get("/api/v1/regions").json()
    assert [i["kode"] for i in body["items"]] == ["31", "32"]
    assert body["items"][0] == {"kode": "31", "nama": "DKI Jakarta", "level": 1, "kind": "provinsi", "parent": None}


def test_parent_lists_direct_children_only(small_regions, client: Client) -> None:
    body = client.get("/api/v1/regions", {"parent": "32"}).json()
    assert [(i["kode"], i["kind"]) for i in body["items"]] == [("32.16", "kabupaten"), ("32.75", "kota")]


def test_q_with_parent_searches_descendants(small_regions, client: Client) -> None:
    body = client.get("/api/v1/regions", {"parent": "32", "q": "MARGA"}).json()
    assert [i["kode"] for i in body["items"]] == ["32.75.01.1001"]


def test_pagination_reports_count_and_pages(small_regions, client: Client) -> None:
    body = client.get("/api/v1/regions", {"q": "a", "page_size": 2, "page": 2}).json()
    assert body["page"] == 2
    assert body["pages"] == (body["count"] + 1) // 2
    assert len(body["items"]) == 2


def test_region_detail_has_path_and_postal_code(small_regions, client: Client) -> None:
    body = client.get("/api/v1/regions/32.75.01.1001").json()
    assert body["postalCode"] == "17113"
    assert [p["kode"] for p in body["path"]] == ["32", "32.75", "32.75.01"]


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"parent": "3x"}, "parent", "format"),
        ({"parent": "32.7"}, "parent", "format"),
        ({"parent": "1" * 40}, "parent", "max_length"),
        ({"page": "0"}, "page", "min_value"),
        ({"page": "abc"}, "page", "integer"),
        ({"page_size": "501"}, "page_size", "max_value"),
        ({"level": "9"}, "level", "max_value"),
        ({"q": "x" * 101}, "q", "max_length"),
    ],
)
def test_bad_parameters_give_a_problem_response_naming_the_field(
    small_regions, client: Client, params: dict, field: str, rule: str
) -> None:
    response = client.get("/api/v1/regions", params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert {"field": field, "rule": rule} in [{"field": e["field"], "rule": e["rule"]} for e in problem["errors"]]


def test_unknown_parent_is_404_problem(small_regions, client: Client) -> None:
    response = client.get("/api/v1/regions", {"parent": "99"})
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/not-found"


def test_problem_messages_follow_the_users_language(small_regions, client: Client) -> None:
    client.cookies["satupintu_lang"] = "en"
    english = client.get("/api/v1/regions", {"parent": "3x"}).json()
    client.cookies["satupintu_lang"] = "id"
    indonesian = client.get("/api/v1/regions", {"parent": "3x"}).json()
    assert english["errors"][0]["message"].startswith("Region code must look like")
    assert indonesian["errors"][0]["message"].startswith("Kode wilayah harus")


@pytest.mark.parametrize("q", ["%", "_", "\x00", "' OR 1=1 --", "😀", "مرحبا", "   "])
def test_odd_queries_never_fail(small_regions, client: Client, q: str) -> None:
    response = client.get("/api/v1/regions", {"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["items"], list)


def test_openapi_document_lists_the_regions_operation(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/regions" in schema["paths"]
    assert client.get("/api/docs").status_code == 200


def test_parameter_validation_messages_are_translated(small_regions, client: Client) -> None:
    indonesian = client.get("/api/v1/regions", {"q": "x" * 101}).json()
    assert indonesian["errors"][0]["message"] == "Paling banyak 100 karakter."
    english = client.get("/api/v1/regions", {"q": "x" * 101, "lang": "en"}).json()
    assert english["errors"][0]["message"] == "At most 100 characters."


def test_openapi_documents_problem_responses_for_every_operation(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "application/problem+json" in operation["responses"]["4XX"]["content"], (method, path)


def test_api_docs_page_works_without_javascript(client: Client) -> None:
    """Swagger UI needs JavaScript: without it the page names the OpenAPI document, in the page's language."""
    page = client.get("/api/docs", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert '<html lang="id">' in page and "<noscript>" in page
    assert 'href="/api/v1/openapi.json"' in page and "memerlukan JavaScript" in page
    assert client.get("/api/v1/openapi.json").status_code == 200
    english = client.get("/api/docs?lang=en").content.decode()
    assert '<html lang="en">' in english and "needs JavaScript" in english
