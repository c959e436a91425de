"""``GET /api/v1/data/myPersonalDataUsage`` pages with ``page``/``pageSize`` and refuses bad values
with a 422 naming the parameter and the rule, as ``GET /api/v1/services`` does for its own."""

from __future__ import annotations

import pytest
from django.test import Client

from satupintu.core.principal import Principal
from satupintu.exchange.interface import record_officer_access
from satupintu.identity.testing import make_citizen

pytestmark = pytest.mark.django_db
OFFICER = Principal(kind="officer", id="77", agency="dukcapil", roles=frozenset({"verifier"}))


@pytest.fixture
def browser() -> Client:
    citizen = make_citizen(full_name="Siti Aminah")
    for number in range(5):
        record_officer_access(nik=str(citizen.nik()), acting=OFFICER, record=f"application/{number}",
                              data_items=["nama"], purpose="Verifikasi permohonan", legal_basis="PP 96/2018")
    browser = Client()
    browser.force_login(citizen)
    return browser


def _records(response: object) -> list[str]:
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    return [item["refrences"][0]["ReferenceID"] for item in response.json()]  # type: ignore[attr-defined]


def test_usage_pages_newest_first(browser: Client) -> None:
    everything = _records(browser.get("/api/v1/data/myPersonalDataUsage"))
    assert sorted(everything) == [f"application/{n}" for n in range(5)]
    first = _records(browser.get("/api/v1/data/myPersonalDataUsage", {"pageSize": 2}))
    third = _records(browser.get("/api/v1/data/mypersonalDataUsage", {"page": 3, "pageSize": 2}))
    assert first == everything[:2] and third == everything[4:]
    assert _records(browser.get("/api/v1/data/myPersonalDataUsage", {"page": 4, "pageSize": 2})) == []


@pytest.mark.parametrize(("query", "field", "rule", "message"), [
    ({"page": "abc"}, "page", "integer", "Must be a whole number."),
    ({"page": "0"}, "page", "min_value", "Must be at least 1."),
    ({"pageSize": "-1"}, "pageSize", "min_value", "Must be at least 1."),
    ({"pageSize": "1001"}, "pageSize", "max_value", "Must be at most 1000."),
])
def test_bad_paging_is_422_naming_the_parameter_and_rule_like_the_services_api(
        browser: Client, query: dict, field: str, rule: str, message: str) -> None:
    for path in ("/api/v1/data/myPersonalDataUsage", "/api/v1/data/mypersonalDataUsage",
                 "/api/v1/data/MyPersonalDataUsage/1.0"):
        response = browser.get(path, {**query, "lang": "en"})
        assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"] == [{"field": field, "rule": rule, "message": message}]
    services = browser.get("/api/v1/services", {"page": query.get("page", "1"), "lang": "en"})
    if field == "page":  # the same parameter, the same answer
        assert services.status_code == 422 and services.json()["errors"][0]["rule"] == rule
