"""A valid upload survives a failed save of the web form (rule 4, "bad input loses nothing";
ADR 0115): kept as a staged document of that citizen for that input of that form, shown as
already uploaded, used by the next save of the same form, never by anyone else's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from satupintu.applications import access
from satupintu.applications.models import Application, DefinitionVersion, StagedDocument, Upload
from satupintu.audit.models import AuditEvent
from satupintu.core.errors import NotFound
from tests.applications.conftest import pdf_bytes, upload, valid_post
from tests.applications.people import citizen_loa2

pytestmark = pytest.mark.django_db

NEW = "/permohonan/layanan/uji-layanan/"
BAD_NIK = "1234"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


def lost_post(**overrides: object) -> dict[str, object]:
    """A complete POST with reason "lost" (the loss report file is then required)."""
    return {**valid_post(), "alasan": "hilang", "nomor_laporan": "LP/7", **overrides}


def kept_uid(html: str, key: str = "surat_kehilangan") -> str:
    match = re.search(rf'name="_staged-{key}" value="([0-9a-f-]{{36}})"', html)
    assert match is not None, html
    return match.group(1)


def test_valid_file_is_kept_when_another_answer_is_wrong_and_used_by_the_next_save(
        version: DefinitionVersion) -> None:
    user, me = citizen_loa2()
    failed = me.post(NEW, lost_post(nik=BAD_NIK, _review="1", surat_kehilangan=upload("lap.pdf", pdf_bytes())))
    assert failed.status_code == 422
    html = failed.content.decode()
    assert Application.objects.count() == 0 and Upload.objects.count() == 0  # the answers are not saved
    staged = StagedDocument.objects.get()
    assert (staged.owner_kind, staged.owner_id) == ("citizen", user.as_principal().id)
    assert (staged.application_id, staged.field_path, staged.name) == (None, "surat_kehilangan", "lap.pdf")
    assert kept_uid(html) == str(staged.uid)
    assert "Sudah diunggah: lap.pdf (" in html and "pilih berkas lain hanya untuk menggantinya" in html
    assert "Berkas yang lolos pemeriksaan sudah disimpan" in html
    event = AuditEvent.objects.get(action="application_document.staged")
    assert event.target_id == str(staged.pk) and event.details["field"] == "surat_kehilangan"
    assert event.details["sha256"] == staged.sha256
    # The fix, without choosing the file again: the kept file answers the required field.
    done = me.post(NEW, lost_post(_review="1", **{"_staged-surat_kehilangan": str(staged.uid)}))
    assert done.status_code == 302 and done["Location"].endswith("/tinjau/")
    app = Application.objects.get()
    assert app.answers["surat_kehilangan"]["name"] == "lap.pdf"
    assert app.uploads.get().sha256 == staged.sha256
    assert StagedDocument.objects.count() == 0  # used up


def test_a_kept_file_survives_a_second_failure_and_a_new_choice_replaces_it(version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    first = me.post(NEW, lost_post(nik=BAD_NIK, _save="1", surat_kehilangan=upload("lap.pdf", pdf_bytes())))
    uid = kept_uid(first.content.decode())
    again = me.post(NEW, lost_post(nik=BAD_NIK, _save="1", **{"_staged-surat_kehilangan": uid}))
    assert again.status_code == 422 and kept_uid(again.content.decode()) == uid
    assert StagedDocument.objects.count() == 1 and AuditEvent.objects.filter(
        action="application_document.staged").count() == 1
    # Choosing another file replaces the kept one (which is then deleted).
    replaced = me.post(NEW, lost_post(nik=BAD_NIK, _save="1", surat_kehilangan=upload("baru.pdf", pdf_bytes(2)),
                                      **{"_staged-surat_kehilangan": uid}))
    new_uid = kept_uid(replaced.content.decode())
    assert new_uid != uid and "baru.pdf" in replaced.content.decode()
    assert list(StagedDocument.objects.values_list("name", flat=True)) == ["baru.pdf"]


def test_a_file_that_fails_its_own_checks_is_not_kept(version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    failed = me.post(NEW, lost_post(nik=BAD_NIK, _save="1",
                                    surat_kehilangan=upload("lap.pdf", b"%PDF-1.4 not really")))
    assert failed.status_code == 422
    assert StagedDocument.objects.count() == 0 and '_staged-' not in failed.content.decode()


def test_another_citizen_cannot_use_a_kept_file(version: DefinitionVersion) -> None:
    _owner, me = citizen_loa2()
    uid = kept_uid(me.post(NEW, lost_post(nik=BAD_NIK, _save="1",
                                          surat_kehilangan=upload("lap.pdf", pdf_bytes()))).content.decode())
    other_user, other = citizen_loa2()
    tried = other.post(NEW, lost_post(_review="1", **{"_staged-surat_kehilangan": uid}))
    assert tried.status_code == 422  # the required file is missing for them
    assert "lap.pdf" not in tried.content.decode() and uid not in tried.content.decode()
    assert not Application.objects.filter(applicant_id=other_user.as_principal().id).exists()
    # Their own draft does not take it either.
    draft = other.post(NEW, {**valid_post(), "_save": "1"})
    edit = draft["Location"]
    tried = other.post(edit, lost_post(_review="1", **{"_staged-surat_kehilangan": uid}))
    assert tried.status_code == 422 and Upload.objects.count() == 0
    assert StagedDocument.objects.get().uid.hex == uid.replace("-", "")  # still the owner's


def test_a_kept_file_is_bound_to_its_form(version: DefinitionVersion) -> None:
    """The chokepoint: only its uploader, for that input, on that form (draft or a new one)."""
    user, me = citizen_loa2()
    draft = me.post(NEW, {**valid_post(), "_save": "1"})
    app = Application.objects.get()
    failed = me.post(draft["Location"], lost_post(nik=BAD_NIK, _save="1",
                                                  surat_kehilangan=upload("lap.pdf", pdf_bytes())))
    assert failed.status_code == 422
    staged = StagedDocument.objects.get()
    assert (staged.application_id, staged.field_path) == (app.pk, "surat_kehilangan")
    app.refresh_from_db()
    assert "surat_kehilangan" not in app.answers and app.uploads.count() == 0  # nothing saved on error
    owner = user.as_principal()
    assert access.access_staged_document_by_uid(owner, str(staged.uid), field_path="surat_kehilangan",
                                                application_id=app.pk) == staged
    for field_path, application_id in (("surat_kehilangan", None), ("surat_kehilangan", app.pk + 1),
                                       ("anggota.0.nama", app.pk)):
        with pytest.raises(NotFound):
            access.access_staged_document_by_uid(owner, str(staged.uid), field_path=field_path,
                                                 application_id=application_id)
    # A new-application form does not take a file kept for a draft.
    tried = me.post(NEW, lost_post(_review="1", **{"_staged-surat_kehilangan": str(staged.uid)}))
    assert tried.status_code == 422 and Application.objects.count() == 1
    # The draft's own form does.
    done = me.post(draft["Location"], lost_post(_review="1", **{"_staged-surat_kehilangan": str(staged.uid)}))
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.answers["surat_kehilangan"]["name"] == "lap.pdf" and StagedDocument.objects.count() == 0


def test_add_another_row_keeps_showing_the_kept_file(version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    uid = kept_uid(me.post(NEW, lost_post(nik=BAD_NIK, _save="1",
                                          surat_kehilangan=upload("lap.pdf", pdf_bytes()))).content.decode())
    more = me.post(NEW, lost_post(nik=BAD_NIK, **{"_add-anggota": "1", "_staged-surat_kehilangan": uid}))
    html = more.content.decode()
    assert 'name="anggota-1-nama"' in html and kept_uid(html) == uid and "Sudah diunggah: lap.pdf" in html


def test_a_file_chosen_together_with_add_another_is_kept_and_used_by_the_next_save(
        version: DefinitionVersion) -> None:
    """ADR 0122: "add another" re-renders without saving; the file chosen with it is not lost."""
    user, me = citizen_loa2()
    bad = me.post(NEW, lost_post(**{"_add-anggota": "1",
                                    "surat_kehilangan": upload("lap.pdf", b"%PDF-1.4 not really")}))
    assert bad.status_code == 200 and 'name="anggota-1-nama"' in bad.content.decode()
    assert StagedDocument.objects.count() == 0 and "_staged-" not in bad.content.decode()  # fails its checks
    more = me.post(NEW, lost_post(**{"_add-anggota": "1", "surat_kehilangan": upload("lap.pdf", pdf_bytes())}))
    assert more.status_code == 200
    html = more.content.decode()
    assert 'name="anggota-1-nama"' in html and "Sudah diunggah: lap.pdf (" in html
    assert Application.objects.count() == 0 and Upload.objects.count() == 0  # nothing saved
    staged = StagedDocument.objects.get()
    assert (staged.owner_id, staged.application_id, staged.field_path) == (
        user.as_principal().id, None, "surat_kehilangan")
    assert kept_uid(html) == str(staged.uid)
    assert AuditEvent.objects.get(action="application_document.staged").target_id == str(staged.pk)
    done = me.post(NEW, lost_post(**{"anggota-count": "2", "_review": "1",
                                     "_staged-surat_kehilangan": str(staged.uid)}))
    assert done.status_code == 302
    app = Application.objects.get()
    assert app.answers["surat_kehilangan"]["name"] == "lap.pdf" and app.uploads.get().sha256 == staged.sha256
    assert StagedDocument.objects.count() == 0


def test_a_file_chosen_with_add_another_on_a_draft_is_kept_for_that_draft_and_replaces_a_kept_one(
        version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    edit = me.post(NEW, {**valid_post(), "_save": "1"})["Location"]
    app = Application.objects.get()
    first = me.post(edit, lost_post(**{"_add-anggota": "1", "surat_kehilangan": upload("lap.pdf", pdf_bytes())}))
    uid = kept_uid(first.content.decode())
    assert StagedDocument.objects.get().application_id == app.pk
    app.refresh_from_db()
    assert "surat_kehilangan" not in app.answers and app.uploads.count() == 0  # a re-render saves no answer
    # A second re-render with a new file replaces the kept one; without a file it keeps it.
    second = me.post(edit, lost_post(**{"anggota-count": "2", "_remove-anggota": "1", "_staged-surat_kehilangan": uid,
                                        "surat_kehilangan": upload("baru.pdf", pdf_bytes(2))}))
    new_uid = kept_uid(second.content.decode())
    assert new_uid != uid and list(StagedDocument.objects.values_list("name", flat=True)) == ["baru.pdf"]
    third = me.post(edit, lost_post(**{"_add-anggota": "1", "_staged-surat_kehilangan": new_uid}))
    assert kept_uid(third.content.decode()) == new_uid and StagedDocument.objects.count() == 1
    done = me.post(edit, lost_post(**{"_review": "1", "_staged-surat_kehilangan": new_uid}))
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.answers["surat_kehilangan"]["name"] == "baru.pdf" and StagedDocument.objects.count() == 0


def test_kept_file_message_in_english(version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    me.cookies["satupintu_lang"] = "en"
    failed = me.post(NEW, lost_post(nik=BAD_NIK, _save="1", surat_kehilangan=upload("lap.pdf", pdf_bytes())))
    html = failed.content.decode()
    assert "Already uploaded: lap.pdf (" in html and "choose another file only to replace it" in html
    assert "The files that passed the checks were kept" in html


def test_expired_kept_files_are_cleared_by_the_daily_command(version: DefinitionVersion, settings) -> None:  # noqa: ANN001
    _user, me = citizen_loa2()
    uid = kept_uid(me.post(NEW, lost_post(nik=BAD_NIK, _save="1",
                                          surat_kehilangan=upload("lap.pdf", pdf_bytes()))).content.decode())
    old = timezone.now() - dt.timedelta(hours=settings.SATUPINTU_REGISTRATION_DOCUMENT_HOURS + 1)
    StagedDocument.objects.update(created_at=old)
    call_command("applications_clear_staged")
    assert StagedDocument.objects.count() == 0
    # An expired reference is simply not a file any more: the required field asks for one.
    tried = me.post(NEW, lost_post(_review="1", **{"_staged-surat_kehilangan": uid}))
    assert tried.status_code == 422 and Application.objects.count() == 0


def test_a_file_in_a_group_row_is_kept_for_that_row(agencies) -> None:  # noqa: ANN001
    from satupintu.applications.actions import definition_import
    from satupintu.applications.definitions_io import parse_definition
    from satupintu.core.principal import Principal
    from tests.applications.conftest import definition_data, texts

    form = {"format": 1, "fields": [{"name": "saksi", "type": "group", "label": texts("Saksi", "Witnesses"),
                                     "fields": [
                                         {"name": "nama", "type": "text", "required": True,
                                          "label": texts("Nama", "Name")},
                                         {"name": "ktp", "type": "file", "required": True, "accept": ["pdf"],
                                          "label": texts("KTP", "ID card")}]}]}
    definition_import(content=parse_definition(definition_data(slug="uji-berkas", service="uji-berkas", form=form,
                                                               documents=[])), acting=Principal.platform())
    _user, me = citizen_loa2()
    url = "/permohonan/layanan/uji-berkas/"
    rows = {"_version": "1", "saksi-count": "2", "saksi-0-nama": "Budi", "saksi-1-nama": ""}
    failed = me.post(url, {**rows, "_review": "1", "saksi-0-ktp": upload("budi.pdf", pdf_bytes()),
                           "saksi-1-ktp": upload("ani.pdf", pdf_bytes(2))})
    assert failed.status_code == 422
    html = failed.content.decode()
    assert dict(StagedDocument.objects.values_list("field_path", "name")) == {
        "saksi.0.ktp": "budi.pdf", "saksi.1.ktp": "ani.pdf"}
    first, second = kept_uid(html, "saksi-0-ktp"), kept_uid(html, "saksi-1-ktp")
    done = me.post(url, {**rows, "saksi-1-nama": "Ani", "_review": "1",
                         "_staged-saksi-0-ktp": first, "_staged-saksi-1-ktp": second})
    assert done.status_code == 302
    answers = Application.objects.get().answers
    assert [(r["nama"], r["ktp"]["name"]) for r in answers["saksi"]] == [("Budi", "budi.pdf"), ("Ani", "ani.pdf")]
    assert StagedDocument.objects.count() == 0  # both used up


def test_only_the_web_form_keeps_files(version: DefinitionVersion) -> None:
    """The Registration API brings its own staged documents: a failed save there stages nothing more."""
    from django.utils.datastructures import MultiValueDict

    from satupintu.applications.actions import FormInvalid, application_save_draft
    from tests.applications.conftest import citizen

    data = MultiValueDict({k: [v] for k, v in lost_post(nik=BAD_NIK).items()})
    files = MultiValueDict({"surat_kehilangan": [upload("lap.pdf", pdf_bytes())]})
    with pytest.raises(FormInvalid) as failed:
        application_save_draft(acting=citizen(), definition=version.definition, data=data, files=files)
    assert failed.value.form.staged_files == {} and StagedDocument.objects.count() == 0
    with pytest.raises(FormInvalid) as kept:
        application_save_draft(acting=citizen(), definition=version.definition, data=data, files=files,
                               keep_files=True)
    staged = StagedDocument.objects.get()
    assert kept.value.form.staged_files == {"surat_kehilangan": {"uid": str(staged.uid), "name": "lap.pdf",
                                                                 "size": staged.size}}
