"""The citizen's "who accessed my data" page. Until the identity branch lands, the signed-in citizen
is represented the way identity will present it: ``request.principal`` (a citizen) and
``request.user.nik`` (see ``exchange/interface.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory

from satupintu.core.principal import Principal
from satupintu.exchange.keys import nik_index
from satupintu.exchange.models import DataAccess
from satupintu.exchange.views import my_data_accesses

pytestmark = pytest.mark.django_db
NIK = "3174014101900001"


@pytest.fixture
def accesses(gateway_keys) -> None:  # noqa: ANN001
    for agency, name, hour in [("kemensos", "Kementerian Sosial", 1), ("bpjs", "BPJS Kesehatan", 2)]:
        DataAccess.objects.create(occurred_at=datetime(2026, 11, 30, hour, 5, tzinfo=UTC), subject_index=nik_index(NIK),
                                  agency_code=agency, agency_name=name, client=f"SPLP-DEV/GOV/{agency.upper()}/app",
                                  service="SPLP-DEV/GOV/DUKCAPIL/kependudukan/populasi",
                                  record="/data/penduduk/1.0/read", data_items=["nama", "alamat"],
                                  purpose=f"Verifikasi {agency}", legal_basis="UU 24/2013", request_id=f"r{hour}")
    DataAccess.objects.create(occurred_at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC),
                              subject_index=nik_index("3174010101010101"), agency_code="kemensos",
                              agency_name="Kementerian Sosial", client="x", service="y", record="z",
                              purpose="someone else's", request_id="r3")


def _get(query: str = "", zone: str = "") -> object:
    request = RequestFactory().get(f"/akun/akses-data/{query}")
    request.principal = Principal(kind="citizen", id="42")  # type: ignore[attr-defined]
    request.user = SimpleNamespace(nik=NIK, is_authenticated=True, time_zone=zone)  # type: ignore[attr-defined]
    request.LANGUAGE_CODE = "id"  # type: ignore[attr-defined]
    return my_data_accesses(request)


def test_citizen_sees_only_their_own_accesses_in_wib(accesses) -> None:  # noqa: ANN001
    html = _get().content.decode()  # type: ignore[attr-defined]
    assert "Verifikasi kemensos" in html and "Verifikasi bpjs" in html
    assert "someone else" not in html
    assert "08:05" in html and "WIB" in html  # 01:05 UTC is 08:05 WIB


def test_time_zone_follows_the_citizen(accesses) -> None:  # noqa: ANN001
    html = _get(zone="Asia/Jayapura").content.decode()  # type: ignore[attr-defined]
    assert "10:05" in html and "WIT" in html


def test_filter_by_agency_and_download_csv(accesses) -> None:  # noqa: ANN001
    html = _get("?instansi=bpjs").content.decode()  # type: ignore[attr-defined]
    assert "Verifikasi bpjs" in html and "Verifikasi kemensos" not in html
    response = _get("?instansi=kemensos&format=csv")
    assert response["Content-Disposition"].startswith("attachment")  # type: ignore[index]
    lines = response.content.decode().strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 2 and "Verifikasi kemensos" in lines[1] and "2026-11-30 08:05:00 WIB" in lines[1]


def test_anonymous_is_sent_to_sign_in_and_officers_are_refused(db) -> None:  # noqa: ANN001
    assert Client().get("/akun/akses-data/").status_code == 302
    from satupintu.identity.testing import make_platform_admin

    browser = Client()
    browser.force_login(make_platform_admin("r@example.go.id"))
    assert browser.get("/akun/akses-data/").status_code == 403


def test_page_is_in_indonesian(accesses) -> None:  # noqa: ANN001
    from django.utils import translation

    with translation.override("id"):
        html = _get().content.decode()  # type: ignore[attr-defined]
    assert "Siapa yang mengakses data saya" in html and "2 akses" in html and "Unduh (CSV)" in html
