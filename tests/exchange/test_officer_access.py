"""Issue 7: an officer opening a citizen's application or uploaded file in the back-office is
listed on that citizen's "Siapa yang mengakses data saya" page and in the usage API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.datastructures import MultiValueDict

from satupintu.applications.actions import application_apply
from satupintu.applications.models import Application, DefinitionVersion
from satupintu.catalog.models import Agency
from satupintu.exchange.models import DataAccess
from satupintu.identity.models import User
from satupintu.identity.testing import PASSWORD, make_citizen, make_officer
from tests.applications.conftest import (  # noqa: F401 - fixtures used by name
    agencies,
    pdf_bytes,
    upload,
    valid_post,
    version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def applied(version: DefinitionVersion, settings, tmp_path) -> tuple[User, Application]:  # noqa: ANN001, F811
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")
    citizen = make_citizen(full_name="Siti Aminah")
    data = MultiValueDict({k: [v] for k, v in valid_post(alasan="hilang", nomor_laporan="LP/1").items()})
    app = application_apply(acting=citizen.as_principal(), definition=version.definition, data=data,
                            files=MultiValueDict({"surat_kehilangan": [upload("lap.pdf", pdf_bytes())]}),
                            idempotency_key="k")
    return citizen, app


def _officer_browser(agency_code: str) -> Client:
    browser = Client()
    browser.force_login(make_officer(agency=Agency.objects.get(code=agency_code), roles=["verifier"],
                                     with_totp=True))
    return browser


def _citizen_browser(citizen: User) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="id")
    assert browser.login(email=citizen.email, password=PASSWORD)
    return browser


def test_officer_opening_an_application_and_its_file_shows_up_for_the_citizen(
        applied: tuple[User, Application]) -> None:
    import uuid

    from satupintu.catalog.models import Service

    citizen, app = applied
    Service.objects.update_or_create(slug=app.definition.service_slug, defaults={
        "uid": uuid.uuid4(), "agency": app.agency, "name_id": "Layanan uji", "summary_id": "Uji",
        "legal_basis": ["Permendagri 109/2019 tentang Formulir dan Buku Administrasi Kependudukan"]})
    officer = _officer_browser("dukcapil")
    assert officer.get(f"/backoffice/permohonan/{app.pk}/").status_code == 200
    upload_id = app.answers["surat_kehilangan"]["upload"]
    assert officer.get(f"/permohonan/{app.pk}/berkas/{upload_id}/").status_code == 200
    html = _citizen_browser(citizen).get("/akun/akses-data/").content.decode()
    assert "Ditjen Dukcapil" in html and "Pemrosesan permohonan" in html
    assert "data permohonan" in html and "surat_kehilangan" in html
    assert "Pasal 20 ayat (2) huruf e" in html  # the legal basis of the read (UU 27/2022) ...
    assert "Permendagri 109/2019" in html  # ... after the service's own (dasar hukum)
    officer_id = DataAccess.objects.first().client.removeprefix("officer:")
    assert f"Petugas no. {officer_id} (back-office)" in html and "officer:" not in html
    assert all(a.legal_basis for a in DataAccess.objects.all())
    usage = _citizen_browser(citizen).get("/api/v1/data/myPersonalDataUsage").json()
    assert [(u["readerInstitutionName"], u["service"]) for u in usage] == [("Ditjen Dukcapil", "back-office")] * 2
    assert {u["refrences"][0]["ReferenceID"] for u in usage} == {f"application/{app.tracking_number}",
                                                                 f"application/{app.tracking_number}/file"}


def test_the_applicant_viewing_their_own_application_is_not_a_data_access(
        applied: tuple[User, Application]) -> None:
    citizen, app = applied
    upload_id = app.answers["surat_kehilangan"]["upload"]
    assert _citizen_browser(citizen).get(f"/permohonan/{app.pk}/berkas/{upload_id}/").status_code == 200
    assert not DataAccess.objects.exists()


def test_officer_of_another_agency_gets_404_and_nothing_is_recorded(applied: tuple[User, Application]) -> None:
    _citizen, app = applied
    assert _officer_browser("polri").get(f"/backoffice/permohonan/{app.pk}/").status_code == 404
    assert not DataAccess.objects.exists()
