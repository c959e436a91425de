"""Issuing: render + sign + store, idempotent per reference, all-or-nothing, audited."""

from __future__ import annotations

import datetime as dt
import re
import stat

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from satupintu.audit.models import AuditEvent
from satupintu.catalog.models import Agency
from satupintu.core.errors import InvalidInput, PermissionDenied
from satupintu.core.principal import Principal
from satupintu.documents.actions import document_path
from satupintu.documents.keys import KeyConfigurationError
from satupintu.documents.models import DocumentStatus, OutcomeDocument
from satupintu.documents.tasks import issue_document, notify_document_ready, principal_to_json
from satupintu.documents.verify import verify_pdf
from tests.documents.conftest import AGENCY_CODE, NIK, content_streams, issue

pytestmark = pytest.mark.django_db


def test_issue_stores_a_signed_pdf_outside_the_web_root_and_audits_it(document, documents_settings) -> None:
    path = document_path(document)
    assert path.is_file() and path.is_relative_to(documents_settings)
    assert not path.is_relative_to(settings.STATIC_ROOT) and not path.is_relative_to(settings.MEDIA_ROOT)
    assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0  # not world-readable
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and document.size == len(data)
    assert document.number == f"SP/{AGENCY_CODE.upper()}/{timezone.localdate().year}/000001"
    assert document.pades_level == "B-B" and document.status == DocumentStatus.VALID
    events = list(AuditEvent.objects.filter(action="document.issued"))
    assert len(events) == 1 and events[0].target_id == str(document.pk)
    assert events[0].details["sha256"] == document.sha256


def test_pdf_shows_the_outcome_with_a_masked_nik_and_the_verification_url(document, signed_pdf) -> None:
    text = content_streams(signed_pdf)
    for expected in (b"Budi Santoso", b"3275********0001", b"Penerbitan Akta Kelahiran", b"31 Desember 2099",
                     document.number.encode(), b"PRM-2026-000123", b"SURAT KEPUTUSAN HASIL LAYANAN",
                     f"https://portal.example.go.id/verifikasi/{document.pk}/".encode()):
        assert expected in text, expected
    assert NIK.encode() not in text and NIK.encode() not in signed_pdf
    assert document.holder_nik_masked == "3275********0001"
    assert not OutcomeDocument.objects.filter(holder_nik_masked=NIK).exists()


def test_the_visible_signature_stamp_names_the_signer_number_and_time_in_wib(document, signed_pdf) -> None:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    field = PdfFileReader(io.BytesIO(signed_pdf)).root["/AcroForm"]["/Fields"][0]
    assert field["/T"] == "TandaTanganInstansi"
    # PDF string literals in the appearance stream escape punctuation as octal (\\072 is ":").
    appearance = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), field["/AP"]["/N"].data)
    for expected in (b"Ditandatangani secara elektronik oleh", b"Dinas Kependudukan dan Pencatatan Sipil",
                     document.number.encode(), b"WIB", b"portal.example.go.id/verifikasi/"):
        assert expected in appearance, expected
    assert tuple(round(v) for v in field["/Rect"]) != (0, 0, 0, 0)  # visible, not an invisible signature


def test_issuing_twice_for_the_same_reference_creates_one_document(agency, documents_settings) -> None:
    first = issue(agency)
    second = issue(agency, decision="A retry with other text changes nothing")
    assert first.pk == second.pk
    assert OutcomeDocument.objects.count() == 1
    assert AuditEvent.objects.filter(action="document.issued").count() == 1
    assert len(list(documents_settings.rglob("*.pdf"))) == 1


def test_numbers_run_per_agency_and_year(agency) -> None:
    numbers = [issue(agency, reference=f"PRM-{i}").number for i in range(3)]
    assert [n.rsplit("/", 1)[1] for n in numbers] == ["000001", "000002", "000003"]


def test_invalid_input_names_each_field_and_keeps_nothing(agency, documents_settings) -> None:
    with pytest.raises(InvalidInput) as caught:
        issue(agency, holder_name=" ", holder_nik="12345", decision="x" * 1501, reference="../etc/passwd",
              valid_until=dt.date(2000, 1, 1), template="fancy", service_name="ok\x00")
    rules = {(e.field, e.rule) for e in caught.value.errors}
    assert rules == {("holder_name", "required"), ("holder_nik", "format"), ("decision", "max_length"),
                     ("reference", "format"), ("valid_until", "min_value"), ("template", "choice"),
                     ("service_name", "format")}
    assert OutcomeDocument.objects.count() == 0 and AuditEvent.objects.count() == 0
    assert not documents_settings.exists() or not list(documents_settings.rglob("*"))


def test_error_messages_are_in_indonesian_by_default(agency) -> None:
    with pytest.raises(InvalidInput) as caught:
        issue(agency, holder_nik="12")
    assert caught.value.errors[0].message == "NIK terdiri dari tepat 16 digit."


def test_agency_without_a_signing_key_fails_clearly_and_keeps_nothing(documents_settings) -> None:
    other = Agency.objects.create(code="imigrasi", name_id="Direktorat Jenderal Imigrasi", kind="lembaga")
    with pytest.raises(KeyConfigurationError, match="satupintu keys init --agency imigrasi"):
        issue(other)
    assert OutcomeDocument.objects.count() == 0
    assert not documents_settings.exists() or not list(documents_settings.rglob("*.pdf"))


@pytest.mark.parametrize(
    "acting",
    [Principal(kind="citizen", id="7001"), Principal(kind="officer", id="9", agency="imigrasi",
                                                      roles=frozenset({"approver"})), Principal.anonymous()],
)
def test_only_the_platform_or_the_agency_may_issue(agency, acting: Principal) -> None:
    with pytest.raises(PermissionDenied):
        issue(agency, acting=acting)
    assert OutcomeDocument.objects.count() == 0


def test_an_officer_of_the_agency_may_issue(agency, officer) -> None:
    assert issue(agency, acting=officer).status == DocumentStatus.VALID


def test_a_new_document_can_supersede_an_old_one(agency, document) -> None:
    newer = issue(agency, reference="PRM-2026-000123-R1", supersedes=document, decision="Perbaikan data.")
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUPERSEDED and document.superseded_by_id == newer.pk
    assert AuditEvent.objects.filter(action="document.superseded", target_id=str(document.pk)).count() == 1


def test_the_task_issues_the_document_and_a_retry_is_harmless(agency, officer) -> None:
    kwargs = dict(agency_code=AGENCY_CODE, holder_name="Siti Aminah", holder_nik=None, service_name="Izin Usaha",
                  decision="Disetujui", valid_until="2099-01-31", reference="PRM-TASK-1",
                  acting=principal_to_json(officer), holder_principal_id="7002")
    first = issue_document.call(**kwargs)
    again = issue_document.call(**kwargs)
    assert first == again
    document = OutcomeDocument.objects.get(pk=first)
    assert document.valid_until == dt.date(2099, 1, 31) and document.holder_nik_masked == ""
    assert verify_pdf(document_path(document).read_bytes()).status == "valid"


def test_ready_e_mail_is_sent_after_commit_when_an_address_is_given(agency, django_capture_on_commit_callbacks,
                                                                   settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        document = issue(agency, notify_email="budi@example.id")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["budi@example.id"] and document.number in message.subject
    assert f"/dokumen/{document.pk}/unduh/" in message.body
    assert "Dokumen Anda" in message.subject
    assert notify_document_ready.call("00000000-0000-0000-0000-000000000000", "x@example.id") == 0


@pytest.mark.django_db(transaction=True)  # the worker closes connections, as in production
def test_approval_enqueues_after_commit_and_the_real_worker_issues_it(agency, officer) -> None:
    """The wiring the applications app will use: enqueue on commit, `satupintu worker` runs it."""
    from django.core.management import call_command
    from django.db import transaction

    kwargs = dict(agency_code=AGENCY_CODE, holder_name="Siti Aminah", holder_nik=NIK, service_name="Izin Usaha",
                  decision="Disetujui", valid_until=None, reference="PRM-WORKER-1", acting=principal_to_json(officer),
                  holder_principal_id="7002")
    with transaction.atomic():
        transaction.on_commit(lambda: issue_document.enqueue(**kwargs))
    assert OutcomeDocument.objects.count() == 0  # queued, not yet run
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    document = OutcomeDocument.objects.get(reference="PRM-WORKER-1")
    assert document.holder_principal_id == "7002"
    assert verify_pdf(document_path(document).read_bytes()).status == "valid"


def test_the_interface_for_the_applications_app(agency, document) -> None:
    from satupintu.documents import interface

    found = interface.document_for_reference(agency_code=AGENCY_CODE, reference="PRM-2026-000123")
    assert found is not None and found.pk == document.pk
    assert interface.document_for_reference(agency_code=AGENCY_CODE, reference="PRM-NONE") is None
    assert interface.download_url(document.pk) == f"/dokumen/{document.pk}/unduh/"
    assert interface.verification_url(document.pk) == f"/verifikasi/{document.pk}/"
