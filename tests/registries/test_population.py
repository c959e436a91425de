"""Population register: demo import, GovStack DR read/exists/list through the gateway, refusal of
callers that are not the gateway, and the data tracker recording each read."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from satupintu.audit.models import AuditEvent
from satupintu.core.principal import Principal
from satupintu.exchange.interface import nik_index
from satupintu.exchange.models import AccessRight, DataAccess, MessageLog, Service
from satupintu.exchange.selectors import data_accesses_for_nik
from satupintu.registries.actions import population_import
from satupintu.registries.models import Person
from tests.exchange.conftest import (  # noqa: F401 - fixtures used by name
    INSTANCE,
    Directory,
    backend,
    client_headers,
    directory,
    gateway_keys,
    oauth_client,
    provider_introspection,
)

NIK = "3174014101900001"
REGISTER = f"/r1/{INSTANCE}/GOV/DUKCAPIL/kependudukan/populasi/data/penduduk/1.0"
PREFILL = {"X-Road-UserId": NIK, "X-Road-Purpose": "Prefill permohonan layanan"}


@pytest.fixture
def register(directory: Directory, live_server) -> Directory:  # noqa: ANN001, F811
    population_import(acting=Principal.platform())
    service = Service.objects.create(provider=directory.provider, service_code="populasi",
                                     backend_url=f"{live_server.url}/registri", personal_data=True,
                                     data_items="nama,tempat/tanggal lahir,alamat,nomor KK",
                                     legal_basis="UU 24/2013 jo. UU 24/2006 Administrasi Kependudukan")
    AccessRight.objects.create(client=directory.client, service=service, methods="GET,POST",
                               path_prefixes="/data/penduduk/1.0")
    return directory


@pytest.mark.django_db
def test_demo_import_creates_then_updates_and_is_audited(gateway_keys) -> None:  # noqa: ANN001, F811
    assert population_import(acting=Principal.platform()) == {"created": 11, "updated": 0}
    assert population_import(acting=Principal.platform()) == {"created": 0, "updated": 11}
    assert AuditEvent.objects.filter(action="registries.population_imported").count() == 2
    raw = b"".join(bytes(p.nik_encrypted) for p in Person.objects.all())
    assert NIK.encode() not in raw and not Person.objects.filter(nik_index=NIK).exists()


@pytest.mark.django_db
def test_invalid_row_writes_nothing(tmp_path: Path, gateway_keys) -> None:  # noqa: ANN001, F811
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"nik": NIK, "name": "A", "birthPlace": "X", "birthDate": "1990-01-01", "sex": "L",
                                "address": "x", "regionCode": "31.71", "familyCardNumber": "1"},
                               {"nik": "123", "name": "B"}]))
    with pytest.raises(ValidationError, match="row 2: nik"):
        population_import(path=bad, acting=Principal.platform())
    assert not Person.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_prefill_read_through_the_gateway_is_logged_and_tracked(register: Directory, live_server) -> None:  # noqa: ANN001
    response = httpx.post(f"{live_server.url}{REGISTER}/read", json={"query": {"content": {"nik": NIK}}},
                          headers=client_headers(register, **PREFILL))
    assert response.status_code == 200, response.text
    assert response.json()["content"]["name"] == "Budi Santoso"
    assert response.json()["content"]["familyCardNumber"] == "3171010101100001"
    assert MessageLog.objects.get(request_id=response.headers["X-Road-Request-Id"]).status == 200
    [access] = data_accesses_for_nik(NIK)
    assert access.purpose == "Prefill permohonan layanan"
    assert access.record == "/data/penduduk/1.0/read"
    assert access.service.endswith("/populasi")


@pytest.mark.django_db(transaction=True)
def test_exists_and_not_found(register: Directory, live_server) -> None:  # noqa: ANN001
    other = "3174010101010101"
    url = f"{live_server.url}{REGISTER}"
    headers = client_headers(register, **{**PREFILL, "X-Road-UserId": other})
    answer = httpx.post(f"{url}/exists", json={"query": {"content": {"nik": other}}}, headers=headers).json()
    assert answer == {"answer": {"status": False, "message": "Object not found"}}
    missing = httpx.post(f"{url}/read", json={"query": {"content": {"nik": other}}}, headers=headers)
    assert missing.status_code == 404 and missing.json() == {"detail": "no record found"}
    assert DataAccess.objects.count() == 1  # the exists check; the 404 read returned no data
    bad = httpx.post(f"{url}/read", json={"query": {}}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.content.nik"


@pytest.mark.django_db(transaction=True)
def test_list_searches_only_the_data_subject(register: Directory, live_server) -> None:  # noqa: ANN001
    """Budi's family card has three residents, but a list on Budi's behalf answers only Budi: the others'
    data would leave the register without a data-access record of their own."""
    url = f"{live_server.url}{REGISTER}"
    body = httpx.get(url, params={"query.familyCardNumber": "3171010101100001", "pageSize": 2},
                     headers=client_headers(register, **PREFILL)).json()
    assert body["count"] == 1 and [r["nik"] for r in body["results"]] == [NIK]
    assert body["next"] is None and body["previous"] is None
    body = httpx.get(url, params={"query.regionCode": "32.16", "search": "rina"},
                     headers=client_headers(register, **PREFILL)).json()
    assert body["count"] == 0 and body["results"] == []  # Rina is not the subject
    bad = httpx.get(url, params={"pageSize": 1000}, headers=client_headers(register, **PREFILL))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "pageSize"
    # A page past the end is empty and points back to the last page (a client that pages until
    # the results run out stops; it used to get the last page again, for ever).
    past = httpx.get(url, params={"page": 10**6}, headers=client_headers(register, **PREFILL)).json()
    assert past == {"count": 1, "next": None, "previous": "?page=1", "results": []}
    assert {a.subject_index for a in DataAccess.objects.all()} == {nik_index(NIK)}


@pytest.mark.django_db(transaction=True)
def test_reading_another_resident_than_the_subject_is_refused(register: Directory, live_server) -> None:  # noqa: ANN001
    siti = "3171015705900002"
    url = f"{live_server.url}{REGISTER}"
    for path in ("/read", "/exists"):
        response = httpx.post(f"{url}{path}", json={"query": {"content": {"nik": siti}}},
                              headers=client_headers(register, **PREFILL))  # X-Road-UserId: Budi
        assert response.status_code == 403, response.text
        assert response.json()["errors"][0]["field"] == "query.content.nik"
        assert "content" not in response.json()
    assert not DataAccess.objects.exists()  # nothing was read, so nobody's list shows a read


@pytest.mark.django_db(transaction=True)
def test_register_needs_a_data_subject(register: Directory, live_server) -> None:  # noqa: ANN001
    response = Client().post("/registri/data/penduduk/1.0/read", {"query": {"content": {"nik": NIK}}},
                             content_type="application/json", HTTP_X_ROAD_CLIENT="SPLP-DEV/GOV/KEMENSOS/bansos",
                             REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "X-Road-UserId"


@pytest.mark.django_db(transaction=True)
def test_register_refuses_callers_that_are_not_the_gateway(register: Directory, live_server, settings) -> None:  # noqa: ANN001
    direct = f"{live_server.url}/registri/data/penduduk/1.0/read"
    body = {"query": {"content": {"nik": NIK}}}
    assert httpx.post(direct, json=body).status_code == 401  # no client header
    settings.SATUPINTU_REGISTRIES_GATEWAY_ADDRESSES = ["10.20.30.40"]
    response = httpx.post(direct, json=body, headers={"X-Road-Client": "SPLP-DEV/GOV/KEMENSOS/bansos"})
    assert response.status_code == 401
    assert Client().get("/registri/data/penduduk/1.0", HTTP_X_ROAD_CLIENT="A/B/C/D",
                        REMOTE_ADDR="10.0.0.9").status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("provider_introspection")
def test_prefill_source_reads_through_the_gateway_with_a_token(register: Directory, live_server) -> None:  # noqa: ANN001
    """The prefill source authenticates with a real client-credentials token from the platform's
    own provider (``/o/token/``), which the gateway introspects at ``/o/introspect/``."""
    from satupintu.exchange.client import ExchangeCallFailed, ExchangeClient
    from satupintu.exchange.models import Member, Subsystem
    from satupintu.registries.interface import population_prefill

    portal_member = Member.objects.create(instance=INSTANCE, member_class="GOV", member_code="SATUPINTU",
                                          name="satupintu", agency=register.kemensos)
    portal = Subsystem.objects.create(member=portal_member, code="portal", oauth_client_id="satupintu-portal")
    AccessRight.objects.create(client=portal, service=Service.objects.get(service_code="populasi"),
                               methods="POST", path_prefixes="/data/penduduk/1.0/read")
    token = oauth_client("satupintu-portal").token(live_server.url)
    exchange = ExchangeClient(gateway_url=live_server.url, client_id=f"{INSTANCE}/GOV/SATUPINTU/portal",
                              token=lambda: token)
    service = f"{INSTANCE}/GOV/DUKCAPIL/kependudukan/populasi"
    data = population_prefill(nik=NIK, purpose="Prefill: permohonan akta", exchange=exchange, service=service)
    assert data is not None and data["name"] == "Budi Santoso" and data["birthDate"] == "1990-01-01"
    assert population_prefill(nik="3174010101010101", purpose="x", exchange=exchange, service=service) is None
    with pytest.raises(ExchangeCallFailed) as failure:
        ExchangeClient(gateway_url=live_server.url, client_id=f"{INSTANCE}/GOV/SATUPINTU/portal",
                       token=lambda: "stolen").call("POST", service, "/data/penduduk/1.0/read", json={})
    assert failure.value.status == 401
    [access] = data_accesses_for_nik(NIK)
    assert access.client == f"{INSTANCE}/GOV/SATUPINTU/portal" and access.purpose == "Prefill: permohonan akta"
