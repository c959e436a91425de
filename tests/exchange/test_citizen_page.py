"""The citizen's "who accessed my data" page, for a real identity citizen signed in with their
password: only their own reads, times in their zone (from the NIK's province, ADR 0086), filter,
CSV download, Indonesian."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.test import Client

from satupintu.exchange.keys import nik_index
from satupintu.exchange.models import DataAccess
from satupintu.identity.models import User
from satupintu.identity.testing import PASSWORD, make_citizen, make_platform_admin, valid_nik

pytestmark = pytest.mark.django_db


def _record(nik: str) -> None:
    for agency, name, hour in [("kemensos", "Kementerian Sosial", 1), ("bpjs", "BPJS Kesehatan", 2)]:
        DataAccess.objects.create(occurred_at=datetime(2026, 11, 30, hour, 5, tzinfo=UTC), subject_index=nik_index(nik),
                                  agency_code=agency, agency_name=name, client=f"SPLP-DEV/GOV/{agency.upper()}/app",
                                  service="SPLP-DEV/GOV/DUKCAPIL/kependudukan/populasi",
                                  record="/data/penduduk/1.0/read", data_items=["nama", "alamat"],
                                  purpose=f"Verifikasi {agency}", legal_basis="UU 24/2013", request_id=f"r{hour}")
    DataAccess.objects.create(occurred_at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC),
                              subject_index=nik_index("3174010101010101"), agency_code="kemensos",
                              agency_name="Kementerian Sosial", client="x", service="y", record="z",
                              purpose="someone else's", request_id="r3")


def _signed_in(citizen: User) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="id")
    assert browser.login(email=citizen.email, password=PASSWORD)
    return browser


@pytest.fixture
def citizen() -> User:
    user = make_citizen(full_name="Siti Aminah", nik=valid_nik(province="31", sex="F"))
    _record(str(user.nik()))
    return user


def test_citizen_sees_only_their_own_accesses_in_wib(citizen: User) -> None:
    html = _signed_in(citizen).get("/akun/akses-data/").content.decode()
    assert "Verifikasi kemensos" in html and "Verifikasi bpjs" in html
    assert "someone else" not in html
    assert "08:05" in html and "WIB" in html  # 01:05 UTC is 08:05 WIB (DKI Jakarta, province 31)


@pytest.mark.parametrize(("province", "time", "label"), [("94", "10:05", "WIT"), ("51", "09:05", "WITA")])
def test_time_zone_follows_the_province_of_the_citizens_nik(province: str, time: str, label: str) -> None:
    user = make_citizen(nik=valid_nik(province=province, sex="F"))
    _record(str(user.nik()))
    html = _signed_in(user).get("/akun/akses-data/").content.decode()
    assert time in html and label in html


def test_filter_by_agency_and_download_csv(citizen: User) -> None:
    browser = _signed_in(citizen)
    html = browser.get("/akun/akses-data/?instansi=bpjs").content.decode()
    assert "Verifikasi bpjs" in html and "Verifikasi kemensos" not in html
    response = browser.get("/akun/akses-data/?instansi=kemensos&format=csv")
    assert response["Content-Disposition"].startswith("attachment")
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 2 and "Verifikasi kemensos" in lines[1] and "2026-11-30 08:05:00 WIB" in lines[1]


def test_csv_download_neutralises_a_formula_in_a_client_supplied_purpose(citizen: User) -> None:
    payload = '=HYPERLINK("http://evil.example","klik")'
    DataAccess.objects.create(occurred_at=datetime(2026, 11, 30, 4, 0, tzinfo=UTC),
                              subject_index=nik_index(str(citizen.nik())), agency_code="evil", agency_name="@SUM(1+1)",
                              client="-2+3", service="+cmd", record="\tx", purpose=payload, legal_basis="\r=1",
                              request_id="r-evil")
    response = _signed_in(citizen).get("/akun/akses-data/?instansi=evil&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    _, agency, client, service, record, _, purpose, legal_basis = rows[1]
    assert purpose == "'" + payload, "a formula must show as text, never run in a spreadsheet"
    assert (agency, client, service, record, legal_basis) == ("'@SUM(1+1)", "'-2+3", "'+cmd", "'\tx", "'\r=1")


def test_usage_api_lists_the_signed_in_citizens_reads_only(citizen: User) -> None:
    response = _signed_in(citizen).get("/api/v1/data/myPersonalDataUsage")
    assert response.status_code == 200
    assert sorted(item["readerInstitutionName"] for item in response.json()) == ["BPJS Kesehatan",
                                                                                 "Kementerian Sosial"]


def test_anonymous_is_sent_to_sign_in_and_officers_are_refused(db) -> None:  # noqa: ANN001
    assert Client().get("/akun/akses-data/").status_code == 302
    browser = Client()
    browser.force_login(make_platform_admin("r@example.go.id"))
    assert browser.get("/akun/akses-data/").status_code == 403


def test_page_is_in_indonesian(citizen: User) -> None:
    html = _signed_in(citizen).get("/akun/akses-data/").content.decode()
    assert "Siapa yang mengakses data saya" in html and "2 akses" in html and "Unduh (CSV)" in html
