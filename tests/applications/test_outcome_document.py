"""Approval produces a signed outcome document (issue 8) through the real task worker; the
citizen downloads it from the status page; a rejection makes none."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils.datastructures import MultiValueDict

from satupintu.applications.actions import application_apply, application_transition
from satupintu.applications.models import DefinitionVersion
from satupintu.documents.interface import OutcomeDocument
from satupintu.documents.verify import verify_pdf
from tests.applications.conftest import valid_post
from tests.applications.people import citizen_loa2, officer_signed_in

KEYS_PASSWORD = "wire-apps-keys"


@pytest.fixture(scope="module")
def signing_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A development CA with a signing key for the test agency ``dukcapil``."""
    from satupintu.documents import keys

    old = os.environ.get("SATUPINTU_KEYS_PASSWORD")
    os.environ["SATUPINTU_KEYS_PASSWORD"] = KEYS_PASSWORD
    directory = tmp_path_factory.mktemp("keys")
    keys.init_dev_ca(directory, platform_name="satupintu")
    keys.issue_agency_certificate(code="dukcapil", name="Ditjen Dukcapil", directory=directory)
    yield directory
    if old is None:
        os.environ.pop("SATUPINTU_KEYS_PASSWORD", None)
    else:
        os.environ["SATUPINTU_KEYS_PASSWORD"] = old


@pytest.fixture
def documents_settings(signing_keys: Path, tmp_path: Path, settings) -> Iterator[None]:  # noqa: ANN001
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with override_settings(SATUPINTU_KEYS_DIR=signing_keys, SATUPINTU_DOCUMENTS_DIR=tmp_path / "documents",
                           SATUPINTU_TSA_URL="", SATUPINTU_PUBLIC_URL="https://portal.example.go.id"):
        yield


def _submitted(version: DefinitionVersion, user) -> object:  # noqa: ANN001
    return application_apply(acting=user.as_principal(), definition=version.definition,
                             data=MultiValueDict({k: [v] for k, v in valid_post(nik=user.nik()).items()}),
                             idempotency_key="outcome")


@pytest.mark.django_db(transaction=True)  # the worker closes connections, as in production
def test_approving_produces_a_signed_pdf_the_citizen_downloads(version: DefinitionVersion,
                                                               documents_settings) -> None:  # noqa: ANN001
    citizen, me = citizen_loa2(full_name="Siti Aminah")
    officer, _client = officer_signed_in(version.definition.agency)
    app = _submitted(version, citizen)
    application_transition(acting=officer.as_principal(), application_id=app.pk, transition="verifikasi")
    application_transition(acting=officer.as_principal(), application_id=app.pk, transition="setujui")
    assert OutcomeDocument.objects.count() == 0  # queued after commit, not yet run
    assert "Dokumen hasil Anda sedang disiapkan." in me.get(f"/permohonan/{app.pk}/").content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    document = OutcomeDocument.objects.get()
    assert (document.reference, document.agency.code) == (app.tracking_number, "dukcapil")
    assert document.holder_name == "Siti Aminah" and document.holder_nik_masked == citizen.nik_masked
    assert document.holder_principal_id == str(citizen.pk)
    assert document.decision == f"Permohonan Layanan uji nomor {app.tracking_number} disetujui."
    status = me.get(f"/permohonan/{app.pk}/").content.decode()
    assert "Unduh dokumen" in status
    assert f'href="/dokumen/{document.pk}/unduh/"' in status and f'href="/verifikasi/{document.pk}/"' in status
    download = me.get(f"/dokumen/{document.pk}/unduh/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    pdf = b"".join(download.streaming_content)
    assert verify_pdf(pdf).status == "valid"
    ready = [m for m in mail.outbox if document.number in m.subject]
    assert len(ready) == 1 and ready[0].to == [citizen.email]
    # Approving again is impossible and running the worker again changes nothing.
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert OutcomeDocument.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_rejecting_makes_no_document(version: DefinitionVersion, documents_settings) -> None:  # noqa: ANN001
    citizen, me = citizen_loa2()
    officer, _client = officer_signed_in(version.definition.agency)
    app = _submitted(version, citizen)
    application_transition(acting=officer.as_principal(), application_id=app.pk, transition="verifikasi")
    application_transition(acting=officer.as_principal(), application_id=app.pk, transition="tolak",
                           reason="Berkas tidak sesuai")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert OutcomeDocument.objects.count() == 0
    status = me.get(f"/permohonan/{app.pk}/").content.decode()
    assert "Unduh dokumen" not in status and "sedang disiapkan" not in status
