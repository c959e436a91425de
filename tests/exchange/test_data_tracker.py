"""Data tracker: personal-data services need subject and purpose; every read is recorded under the
NIK's blind index (never the NIK) and found again by data_accesses_for_nik."""

from __future__ import annotations

import httpx
import pytest
from django.test import Client

from satupintu.exchange.api import usage_item
from satupintu.exchange.keys import nik_index
from satupintu.exchange.models import DataAccess, MessageLog
from satupintu.exchange.selectors import data_accesses_for_nik
from satupintu.identity.testing import make_platform_admin
from tests.exchange.conftest import CLIENT_ID, SERVICE_PATH, Directory, client_headers

pytestmark = pytest.mark.django_db(transaction=True)
NIK = "3174012345670001"


@pytest.fixture
def personal(directory: Directory) -> Directory:
    directory.service.personal_data = True
    directory.service.data_items = "nama, tanggal lahir, alamat"
    directory.service.legal_basis = "UU 24/2013 Administrasi Kependudukan"
    directory.service.save()
    return directory


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        ({}, ["X-Road-UserId", "X-Road-Purpose"]),
        ({"X-Road-UserId": NIK}, ["X-Road-Purpose"]),
        ({"X-Road-UserId": "12345", "X-Road-Purpose": "bansos"}, ["X-Road-UserId"]),
    ],
)
def test_personal_data_read_without_subject_or_purpose_is_400(personal: Directory, live_server, backend,
                                                              extra, fields) -> None:  # noqa: ANN001
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/{NIK}", headers=client_headers(personal, **extra))
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == fields
    assert backend.hits == []
    assert not DataAccess.objects.exists()


def test_personal_data_read_is_recorded_without_the_plain_nik(personal: Directory, live_server) -> None:  # noqa: ANN001
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/{NIK}",
                         headers=client_headers(personal, **{"X-Road-UserId": NIK,
                                                             "X-Road-Purpose": "Verifikasi penerima bansos"}))
    assert response.status_code == 200
    [access] = data_accesses_for_nik(NIK)
    assert access.subject_index == nik_index(NIK) != NIK
    assert (access.agency_code, access.client) == ("kemensos", CLIENT_ID)
    assert access.purpose == "Verifikasi penerima bansos"
    assert access.legal_basis.startswith("UU 24/2013")
    assert access.data_items == ["nama", "tanggal lahir", "alamat"]
    assert access.message is not None and access.message.request_id == response.headers["X-Road-Request-Id"]
    entry = MessageLog.objects.get(request_id=response.headers["X-Road-Request-Id"])
    assert entry.user_id == "3174********0001"
    item = usage_item(access)
    assert item.readerInstitutionName == "Kementerian Sosial" and item.refrences[0].ReferenceID == f"/persons/{NIK}"
    assert list(data_accesses_for_nik("3174012345670002")) == []


def test_failed_read_is_not_recorded_as_an_access(personal: Directory, live_server) -> None:  # noqa: ANN001
    personal.service.backend_url = "http://127.0.0.1:9"
    personal.service.save()
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/{NIK}",
                         headers=client_headers(personal, **{"X-Road-UserId": NIK, "X-Road-Purpose": "x"}))
    assert response.status_code == 502
    assert not DataAccess.objects.exists()


def test_usage_api_needs_a_signed_in_citizen(db) -> None:  # noqa: ANN001
    browser = Client()
    for path in ("myPersonalDataUsage", "mypersonalDataUsage", "MyPersonalDataUsage/1.0"):
        assert browser.get(f"/api/v1/data/{path}").status_code == 401
    browser.force_login(make_platform_admin("r@example.go.id"))
    response = browser.get("/api/v1/data/myPersonalDataUsage")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_officer_back_office_read_is_listed_for_the_citizen(directory: Directory) -> None:
    from satupintu.core.principal import Principal
    from satupintu.exchange.interface import record_officer_access

    officer = Principal(kind="officer", id="77", agency="dukcapil", roles=frozenset({"verifier"}))
    record_officer_access(nik=NIK, acting=officer, record="application/123", data_items=["nama", "alamat"],
                          purpose="Verifikasi permohonan", legal_basis="PP 96/2018")
    [access] = data_accesses_for_nik(NIK)
    assert (access.agency_name, access.client, access.service) == ("Direktorat Jenderal Dukcapil", "officer:77",
                                                                   "back-office")
    with pytest.raises(ValueError, match="officers"):
        record_officer_access(nik=NIK, acting=Principal.platform(), record="x", data_items=[], purpose="x",
                              legal_basis="")


def test_gateway_read_of_a_citizens_nik_is_on_their_page_and_in_their_api(personal: Directory,
                                                                            live_server) -> None:  # noqa: ANN001
    from satupintu.identity.testing import PASSWORD, make_citizen

    citizen = make_citizen(full_name="Siti Aminah")
    nik = str(citizen.nik())
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/{nik}",
                         headers=client_headers(personal, **{"X-Road-UserId": nik,
                                                             "X-Road-Purpose": "Verifikasi penerima bansos"}))
    assert response.status_code == 200
    assert citizen.nik_index == nik_index(nik)  # one blind index: identity's key and function
    browser = Client()
    assert browser.login(email=citizen.email, password=PASSWORD)
    html = browser.get("/akun/akses-data/").content.decode()
    assert "Verifikasi penerima bansos" in html and "Kementerian Sosial" in html
    [item] = browser.get("/api/v1/data/myPersonalDataUsage").json()
    assert item["readerInstitutionName"] == "Kementerian Sosial"
    assert item["refrences"][0]["ReferenceID"] == f"/persons/{nik}"
