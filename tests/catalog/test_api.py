"""JSON API (/api/v1/services) and the GovStack Registration BB services API (/registration/v1/services)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from django.test import Client

from satupintu.catalog.models import SERVICE_NAMESPACE, Service

pytestmark = pytest.mark.django_db


def test_search_api_returns_ranked_camel_case_items(shared_catalog, client: Client) -> None:
    body = client.get("/api/v1/services", {"q": "akte kelahiran"}).json()
    first = body["items"][0]
    assert first["slug"] == "dukcapil-akta-kelahiran" and first["agency"] == "dukcapil"
    assert first["feeIdr"] == 0 and first["url"] == "/layanan/dukcapil-akta-kelahiran/"
    assert body["page"] == 1 and body["count"] >= len(body["items"]) and body["didYouMean"] is None


def test_search_api_filters_and_pages(shared_catalog, client: Client) -> None:
    body = client.get("/api/v1/services", {"agency": "korlantas", "page_size": 2, "page": 2}).json()
    assert body["count"] == 5 and body["pages"] == 3 and len(body["items"]) == 2
    assert {i["agency"] for i in body["items"]} == {"korlantas"}
    born = client.get("/api/v1/services", {"life_event": "kelahiran"}).json()
    assert "dukcapil-akta-kelahiran" in {i["slug"] for i in born["items"]}


def test_search_api_reports_typo_corrections(shared_catalog, client: Client) -> None:
    body = client.get("/api/v1/services", {"q": "pasport"}).json()
    assert body["items"][0]["slug"].startswith("imigrasi-paspor")
    nothing = client.get("/api/v1/services", {"q": "psspr"}).json()
    assert nothing["count"] == 0 and nothing["didYouMean"] == "paspor"


@pytest.mark.parametrize(("params", "field"), [({"page": 0}, "page"), ({"page": "x"}, "page"),
                                               ({"page_size": 1000}, "page_size"), ({"agency": "a" * 65}, "agency")])
def test_search_api_bad_numbers_are_422_problems_naming_the_field(shared_catalog, client: Client, params: dict,
                                                                 field: str) -> None:
    response = client.get("/api/v1/services", params)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field


def test_service_detail_api_and_404_problem(shared_catalog, client: Client) -> None:
    body = client.get("/api/v1/services/imigrasi-paspor-baru").json()
    assert body["feeVariants"][0]["amountIdr"] == 350000 and body["requirements"]
    assert body["id"] == str(uuid.uuid5(SERVICE_NAMESPACE, "imigrasi-paspor-baru"))
    missing = client.get("/api/v1/services/tidak-ada")
    assert missing.status_code == 404 and missing.json()["type"] == "/problems/not-found"


@pytest.mark.parametrize("slug", ["a\x00b", "ktp baru", "é", "a" * 101])
def test_service_detail_with_a_slug_that_cannot_exist_is_a_404_problem(db, client: Client, slug: str) -> None:
    # A NUL byte reached PostgreSQL and failed with a 500 (integrator trial).
    response = client.get("/api/v1/services/" + quote(slug, safe="%"))
    assert response.status_code == 404 and response.json()["type"] == "/problems/not-found"


def test_search_api_is_in_the_openapi_document(db, client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/services" in paths and "/api/v1/services/{slug}" in paths


def test_govstack_service_list_matches_the_bb_schema(shared_catalog, client: Client) -> None:
    items = client.get("/registration/v1/services").json()
    assert len(items) == Service.objects.count()
    for item in items:
        assert {"id", "name", "type", "version"} <= set(item)
        assert item["type"] == "Public" and isinstance(item["isExecutable"], bool)
        assert uuid.UUID(item["id"])
        assert all(set(p) == {"code", "value"} for p in item["serviceBody"])


def test_govstack_service_list_filters_by_name(shared_catalog, client: Client) -> None:
    items = client.get("/registration/v1/services", {"name": "paspor"}).json()
    assert items and all("aspor" in i["name"] for i in items[:3])
    assert client.get("/registration/v1/services", {"name": "qwxzv"}).json() == []


def test_govstack_service_detail_by_uuid(shared_catalog, client: Client) -> None:
    service = Service.objects.get(slug="polri-skck")
    body = client.get(f"/registration/v1/services/{service.uid}").json()
    assert body["id"] == str(service.uid) and body["name"] == service.name_id
    codes = {p["code"] for p in body["serviceBody"]}
    assert {"requirement", "procedure", "fee", "slug", "agency"} <= codes
    assert {"code": "fee", "value": "Rp 30.000"} in body["serviceBody"]


@pytest.mark.parametrize("service_id", ["not-a-uuid", str(uuid.uuid4()), "%00", "1" * 300])
def test_govstack_unknown_or_malformed_id_is_404_problem(shared_catalog, client: Client, service_id: str) -> None:
    response = client.get(f"/registration/v1/services/{service_id}")
    assert response.status_code == 404 and response.json()["status"] == 404


def test_govstack_openapi_document_lists_the_bb_operations(db, client: Client) -> None:
    spec = client.get("/registration/v1/openapi.json").json()
    ops = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"getServiceList", "getService"} <= ops


def test_govstack_openapi_documents_the_problem_responses(db, client: Client) -> None:
    # Found by schemathesis (issue 10): the 422 (name too long) and 404 (unknown serviceId) problem
    # responses were not in the Registration document, only 200.
    spec = client.get("/registration/v1/openapi.json").json()
    for path in spec["paths"].values():
        for operation in path.values():
            problem = operation["responses"]["4XX"]
            assert "application/problem+json" in problem["content"]


@pytest.mark.parametrize("field", ["agency", "life_event"])
@pytest.mark.parametrize("value", ["\x00", "duk\x00capil", "[\"x", "a b"])
def test_filter_slugs_with_control_or_odd_characters_are_a_problem_not_a_500(
    shared_catalog, client: Client, field: str, value: str  # noqa: ANN001
) -> None:
    # Found by schemathesis: a NUL byte in a filter reached PostgreSQL and failed with a 500.
    response = client.get("/api/v1/services", {field: value, "q": "ktp"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
