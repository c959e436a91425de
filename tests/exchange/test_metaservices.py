"""Metaservices: listClients, listMethods, allowedMethods, getOpenAPI (GovStack IM directory API)."""

from __future__ import annotations

import httpx
import pytest

from tests.exchange.conftest import INSTANCE, Directory, client_headers

pytestmark = pytest.mark.django_db(transaction=True)
PROVIDER = f"/r1/{INSTANCE}/GOV/DUKCAPIL/kependudukan"


def test_list_clients_names_members_and_subsystems(directory: Directory, live_server) -> None:  # noqa: ANN001
    body = httpx.get(f"{live_server.url}/listClients").json()
    ids = {(m["id"]["objectType"], m["id"]["memberCode"], m["id"].get("subsystemCode")) for m in body["member"]}
    assert ("MEMBER", "DUKCAPIL", None) in ids
    assert ("SUBSYSTEM", "KEMENSOS", "bansos") in ids
    assert httpx.get(f"{live_server.url}/listClients?instanceId=OTHER").status_code == 400
    posted = httpx.post(f"{live_server.url}/listClients")
    assert posted.status_code == 405 and posted.headers["X-Road-Error"] == "Client.BadRequest"
    assert posted.headers["Allow"] == "GET, HEAD"
    assert posted.headers["Content-Type"] == "application/problem+json"
    assert posted.json()["detail"] == "Metaservices answer GET, HEAD only."


@pytest.mark.parametrize("name", ["listMethods", "allowedMethods", "getOpenAPI"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_another_method_on_a_metaservice_is_405_with_allow(directory: Directory, live_server, name: str,  # noqa: ANN001
                                                           method: str) -> None:
    response = httpx.request(method, f"{live_server.url}{PROVIDER}/{name}?serviceCode=penduduk",
                             headers=client_headers(directory))
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert response.headers["X-Road-Error"] == "Client.BadRequest"
    assert response.json()["errors"] == [{"field": "method", "rule": "allowed", "message": "Use GET."}]


def test_list_methods_reads_endpoints_from_the_openapi_document(directory: Directory, live_server) -> None:  # noqa: ANN001
    body = httpx.get(f"{live_server.url}{PROVIDER}/listMethods", headers=client_headers(directory)).json()
    [service] = body["service"]
    assert service["serviceCode"] == "penduduk"
    assert service["endpointList"]["member"] == [{"method": "GET", "path": "/persons/{nik}"}]


def test_allowed_methods_follow_the_clients_right(directory: Directory, live_server) -> None:  # noqa: ANN001
    body = httpx.get(f"{live_server.url}{PROVIDER}/allowedMethods", headers=client_headers(directory)).json()
    endpoints = body["service"][0]["endpointList"]["member"]
    assert {"method": "GET", "path": "/persons/**"} in endpoints
    assert {"method": "POST", "path": "/public/**"} in endpoints
    directory.right.delete()
    body = httpx.get(f"{live_server.url}{PROVIDER}/allowedMethods", headers=client_headers(directory)).json()
    assert body["service"] == []


def test_get_openapi(directory: Directory, live_server) -> None:  # noqa: ANN001
    url = f"{live_server.url}{PROVIDER}/getOpenAPI"
    response = httpx.get(url, params={"serviceCode": "penduduk"}, headers=client_headers(directory))
    assert response.status_code == 200 and response.json()["openapi"] == "3.0.0"
    missing = httpx.get(url, headers=client_headers(directory))
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "serviceCode"
    assert httpx.get(url, params={"serviceCode": "nope"}, headers=client_headers(directory)).status_code == 404


def test_metaservices_need_an_authenticated_client(directory: Directory, live_server) -> None:  # noqa: ANN001
    response = httpx.get(f"{live_server.url}{PROVIDER}/listMethods", headers={"X-Road-Client": "A/B/C/D"})
    assert response.status_code == 401
