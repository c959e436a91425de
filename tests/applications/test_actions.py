"""Drafts, submission, cancel, workflow transitions, access, statistics — on the real database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from satupintu.applications import actions
from satupintu.applications.access import access_application_by_id, access_upload_by_id
from satupintu.applications.actions import (
    FormInvalid,
    application_apply,
    application_cancel,
    application_claim,
    application_save_draft,
    application_submit,
    application_transition,
    definition_import,
)
from satupintu.applications.definitions_io import parse_definition
from satupintu.applications.models import Application, ApplicationEvent, DefinitionVersion, ImmutableVersion, Upload
from satupintu.applications.selectors import my_applications, queue_for, service_statistics
from satupintu.audit.models import AuditEvent
from satupintu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from satupintu.core.principal import Principal
from tests.applications.conftest import (
    FULL_SCHEMA,
    citizen,
    definition_data,
    officer,
    pdf_bytes,
    upload,
    valid_post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


def post(**overrides) -> MultiValueDict:  # noqa: ANN003
    data = valid_post(**overrides)
    return MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in data.items()})


def submitted(version: DefinitionVersion, who: Principal | None = None, key: str = "k1") -> Application:
    return application_apply(acting=who or citizen(), definition=version.definition, data=post(),
                             idempotency_key=key)


def test_draft_is_saved_resumed_and_submitted(version: DefinitionVersion) -> None:
    me = citizen()
    draft = application_save_draft(acting=me, definition=version.definition,
                                   data=MultiValueDict({"_version": ["1"], "nama": ["Siti Aminah"]}))
    assert draft.status == "draft" and draft.tracking_number is None
    assert draft.answers == {"nama": "Siti Aminah"}
    resumed = access_application_by_id(me, draft.pk)
    draft = application_save_draft(acting=me, application=resumed, data=post())
    assert draft.answers["nik"] == "3275014101900002"
    done = application_submit(acting=me, application=draft, idempotency_key="klik-1")
    assert done.tracking_number.startswith(f"SP-{timezone.localdate().year}-")
    assert done.state == "diajukan" and done.status == "in_process" and done.due_at is not None
    assert list(done.events.values_list("action", flat=True)) == ["created", "submitted"]
    assert AuditEvent.objects.filter(action="application.submitted", target_id=str(done.pk)).count() == 1


def test_submit_twice_with_same_key_creates_one_application(version: DefinitionVersion) -> None:
    first = submitted(version, key="abc")
    again = submitted(version, key="abc")
    assert first.pk == again.pk
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(action="application.submitted").count() == 1
    draft = application_save_draft(acting=citizen(), definition=version.definition, data=post())
    application_submit(acting=citizen(), application=draft, idempotency_key="d1")
    assert application_submit(acting=citizen(), application=draft, idempotency_key="d1").pk == draft.pk
    with pytest.raises(Conflict):
        application_submit(acting=citizen(), application=draft, idempotency_key="d2")


def test_tracking_numbers_are_consecutive(version: DefinitionVersion) -> None:
    numbers = [submitted(version, key=f"k{i}").tracking_number for i in range(3)]
    tails = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert tails == [tails[0], tails[0] + 1, tails[0] + 2]


def test_submitting_an_incomplete_draft_names_the_fields_and_writes_nothing(version: DefinitionVersion) -> None:
    me = citizen()
    draft = application_save_draft(acting=me, definition=version.definition,
                                   data=MultiValueDict({"_version": ["1"], "nama": ["Siti Aminah"]}))
    events = AuditEvent.objects.count()
    with pytest.raises(FormInvalid) as exc:
        application_submit(acting=me, application=draft, idempotency_key="x")
    assert {e.field for e in exc.value.errors} == {"tanggal_lahir", "nik", "alasan"}
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.tracking_number is None
    assert AuditEvent.objects.count() == events


def test_invalid_apply_stores_nothing_including_files(version: DefinitionVersion, settings) -> None:  # noqa: ANN001
    from pathlib import Path

    with pytest.raises(FormInvalid) as exc:
        application_apply(acting=citizen(), definition=version.definition,
                          data=post(alasan="hilang", nomor_laporan="", jumlah_anak="500"),
                          files=MultiValueDict({"surat_kehilangan": [upload("a.pdf", pdf_bytes())]}),
                          idempotency_key="bad")
    assert {e.field for e in exc.value.errors} == {"nomor_laporan", "jumlah_anak"}
    assert exc.value.form.data["jumlah_anak"] == "500"
    assert Application.objects.count() == 0 and Upload.objects.count() == 0
    root = Path(settings.SATUPINTU_UPLOAD_ROOT)
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_apply_with_a_file_stores_it_outside_the_web_root(version: DefinitionVersion, settings) -> None:  # noqa: ANN001
    app = application_apply(acting=citizen(), definition=version.definition,
                            data=post(alasan="hilang", nomor_laporan="LP/1"),
                            files=MultiValueDict({"surat_kehilangan": [upload("../../etc/passwd.pdf", pdf_bytes())]}),
                            idempotency_key="f")
    ref = app.answers["surat_kehilangan"]
    stored = Upload.objects.get(pk=ref["upload"])
    assert ref["name"] == "passwd.pdf" and stored.kind == "pdf"
    assert ".." not in stored.storage_name and "passwd" not in stored.storage_name
    assert app.upload_bytes == stored.size


def test_citizen_sees_only_own_and_officers_only_their_agency(version: DefinitionVersion, agencies) -> None:  # noqa: ANN001
    app = submitted(version)
    assert access_application_by_id(citizen(1), app.pk) == app
    assert access_application_by_id(officer("dukcapil"), app.pk) == app
    for outsider in (citizen(2), officer("polri"), officer("dukcapil", "auditor"), Principal.anonymous(),
                     Principal(kind="officer", id="x", roles=frozenset({"verifier"}))):
        with pytest.raises(NotFound):
            access_application_by_id(outsider, app.pk)
    with pytest.raises(NotFound):
        access_application_by_id(officer("dukcapil"), 999999)
    with pytest.raises(NotFound):
        access_application_by_id(officer("dukcapil"), "1 OR 1=1")
    draft = application_save_draft(acting=citizen(), definition=version.definition, data=post())
    with pytest.raises(NotFound):  # drafts are private to the applicant
        access_application_by_id(officer("dukcapil"), draft.pk)
    assert list(queue_for(officer("polri"))) == []
    assert list(queue_for(officer("dukcapil"))) == [app]
    assert set(my_applications(citizen())) == {app, draft}


def test_cross_agency_transition_is_a_404(version: DefinitionVersion) -> None:
    app = submitted(version)
    with pytest.raises(NotFound):
        application_transition(acting=officer("polri", "verifier"), application_id=app.pk, transition="verifikasi")


def test_full_workflow_with_revision_and_approval(version: DefinitionVersion) -> None:
    me, verifier, approver = citizen(), officer("dukcapil", "verifier"), officer("dukcapil", "approver", n=2)
    app = submitted(version)
    with pytest.raises(PermissionDenied):
        application_transition(acting=approver, application_id=app.pk, transition="verifikasi")
    with pytest.raises(InvalidInput) as exc:
        application_transition(acting=verifier, application_id=app.pk, transition="minta_perbaikan", reason=" ")
    assert exc.value.errors[0].field == "reason"
    app = application_transition(acting=verifier, application_id=app.pk, transition="minta_perbaikan",
                                 reason="Foto KK buram")
    assert app.state == "perlu_perbaikan"
    app = application_save_draft(acting=me, application=app, data=post(nama="Siti Aminah Putri"))
    assert app.answers["nama"] == "Siti Aminah Putri" and app.status == "in_process"
    app = application_transition(acting=me, application_id=app.pk, transition="kirim_perbaikan")
    app = application_transition(acting=verifier, application_id=app.pk, transition="verifikasi")
    app = application_transition(acting=approver, application_id=app.pk, transition="setujui")
    assert app.status == "finished" and app.outcome == "approved" and app.finished_at is not None
    assert list(app.events.values_list("action", flat=True)) == [
        "created", "submitted", "minta_perbaikan", "kirim_perbaikan", "verifikasi", "setujui"]
    assert ApplicationEvent.objects.get(application=app, action="minta_perbaikan").reason == "Foto KK buram"
    assert AuditEvent.objects.filter(action="application.transitioned").count() == 4
    with pytest.raises(Conflict):
        application_transition(acting=approver, application_id=app.pk, transition="tolak", reason="x")


def test_stale_screen_loses_with_a_clear_conflict(version: DefinitionVersion) -> None:
    app = submitted(version)
    seen = app.lock_version
    application_transition(acting=officer("dukcapil", "verifier"), application_id=app.pk, transition="verifikasi",
                           expected_lock_version=seen)
    with pytest.raises(Conflict, match="Petugas lain baru saja"):
        application_transition(acting=officer("dukcapil", "verifier", n=2), application_id=app.pk,
                               transition="minta_perbaikan", reason="x", expected_lock_version=seen)


def test_claim_by_two_officers_only_one_gets_it(version: DefinitionVersion) -> None:
    app = submitted(version)
    application_claim(acting=officer("dukcapil", "verifier"), application_id=app.pk)
    with pytest.raises(Conflict, match="sudah diambil petugas lain"):
        application_claim(acting=officer("dukcapil", "verifier", n=2), application_id=app.pk)


def test_cancel_only_before_processing(version: DefinitionVersion) -> None:
    app = submitted(version, key="a")
    assert application_cancel(acting=citizen(), application=app).status == "cancelled"
    other = submitted(version, key="b")
    application_transition(acting=officer("dukcapil", "verifier"), application_id=other.pk, transition="verifikasi")
    with pytest.raises(Conflict):
        application_cancel(acting=citizen(), application=other)
    with pytest.raises(NotFound):
        application_cancel(acting=citizen(2), application=other)


def test_only_citizens_apply(version: DefinitionVersion) -> None:
    with pytest.raises(PermissionDenied):
        application_save_draft(acting=officer("dukcapil"), definition=version.definition, data=post())


def test_old_version_form_is_refused_on_a_new_application(version: DefinitionVersion) -> None:
    data = definition_data()
    data["form"]["fields"][0]["rules"]["max_length"] = 80
    new, changed = definition_import(content=parse_definition(data), acting=Principal.platform())
    assert changed and new.number == 2
    with pytest.raises(FormInvalid) as exc:
        application_apply(acting=citizen(), definition=version.definition, data=post(version_number=1),
                          idempotency_key="old")
    assert exc.value.errors[0].rule == "stale_version"
    assert Application.objects.count() == 0
    app = application_apply(acting=citizen(), definition=version.definition, data=post(version_number=2),
                            idempotency_key="new")
    assert app.version == new


def test_draft_keeps_its_version_after_a_new_one_is_published(version: DefinitionVersion) -> None:
    draft = application_save_draft(acting=citizen(), definition=version.definition, data=post())
    data = definition_data()
    data["sla_working_days"] = 9
    definition_import(content=parse_definition(data), acting=Principal.platform())
    done = application_submit(acting=citizen(), application=draft, idempotency_key="z")
    assert done.version == version


def test_published_version_is_immutable(version: DefinitionVersion) -> None:
    version.sla_working_days = 99
    with pytest.raises(ImmutableVersion):
        version.save()
    with pytest.raises(ImmutableVersion):
        DefinitionVersion.objects.filter(pk=version.pk).update(sla_working_days=99)
    with pytest.raises(ImmutableVersion):
        version.delete()
    from django.db import DatabaseError, connection, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE applications_definitionversion SET sla_working_days = 99 WHERE id = %s", [version.pk])
    version.refresh_from_db()
    assert version.sla_working_days == 3


def test_reimport_is_idempotent(version: DefinitionVersion) -> None:
    again, changed = definition_import(content=parse_definition(definition_data()), acting=Principal.platform())
    assert (again.pk, changed) == (version.pk, False)
    assert DefinitionVersion.objects.count() == 1


def test_agency_admin_edits_only_their_agency(agencies) -> None:  # noqa: ANN001
    admin = Principal(kind="officer", id="adm", agency="polri", roles=frozenset({"agency_admin"}))
    with pytest.raises(PermissionDenied):
        definition_import(content=parse_definition(definition_data()), acting=admin)
    v, _ = definition_import(content=parse_definition(definition_data(agency="polri")), acting=admin)
    assert v.definition.agency.code == "polri"


def test_statistics_per_service(version: DefinitionVersion) -> None:
    verifier, approver = officer("dukcapil", "verifier"), officer("dukcapil", "approver", n=2)
    apps = [submitted(version, key=f"s{i}") for i in range(3)]
    for app in apps[:2]:
        application_transition(acting=verifier, application_id=app.pk, transition="verifikasi")
    application_transition(acting=approver, application_id=apps[0].pk, transition="setujui")
    application_transition(acting=approver, application_id=apps[1].pk, transition="tolak", reason="Tidak lengkap")
    Application.objects.filter(pk=apps[1].pk).update(finished_at=apps[1].due_at + dt.timedelta(days=1))
    stats = service_statistics(officer("dukcapil"), version.definition)
    assert (stats.received, stats.finished, stats.in_process, stats.approved, stats.rejected) == (3, 2, 1, 1, 1)
    assert stats.sla_compliance == 0.5
    assert stats.median_hours is not None and stats.median_working_days is not None
    assert service_statistics(officer("polri"), version.definition).received == 0


def test_sla_counted_in_the_agency_zone(agencies) -> None:  # noqa: ANN001
    v, _ = definition_import(content=parse_definition(definition_data(agency="pemda-94-01", slug="nabire")),
                             acting=Principal.platform())
    assert actions.agency_zone(v.definition).key == "Asia/Jayapura"


def test_officer_file_view_is_recorded_as_data_access(version: DefinitionVersion, client) -> None:  # noqa: ANN001
    app = application_apply(acting=citizen(), definition=version.definition,
                            data=post(alasan="hilang", nomor_laporan="LP/1"),
                            files=MultiValueDict({"surat_kehilangan": [upload("lap.pdf", pdf_bytes())]}),
                            idempotency_key="v")
    up = access_upload_by_id(officer("dukcapil"), app.pk, app.answers["surat_kehilangan"]["upload"])
    with pytest.raises(NotFound):
        access_upload_by_id(officer("polri"), app.pk, up.pk)
    actions.record_file_view(acting=officer("dukcapil"), upload=up)
    event = AuditEvent.objects.get(action="application_file.viewed")
    assert event.details["subject"] == "citizen:warga-1"


def test_schema_in_the_database_is_the_one_imported(version: DefinitionVersion) -> None:
    assert version.form_schema == FULL_SCHEMA
