"""Citizen and officer pages without JavaScript: apply, add a row, draft, resume, review, submit,
status timeline, revise, officer queue and actions, and the cross-agency 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from satupintu.applications.models import Application, DefinitionVersion
from tests.applications.conftest import VALID_NIK, VALID_NIK_2, pdf_bytes, upload, valid_post
from tests.applications.people import citizen_loa2, officer_signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


def test_anonymous_is_sent_to_sign_in(version: DefinitionVersion) -> None:
    response = Client().get("/permohonan/layanan/uji-layanan/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_citizen_applies_without_javascript(version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    page = me.get("/permohonan/layanan/uji-layanan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_add-anggota"' in html and "Hanya jika Alasan adalah Hilang." in html
    assert "<script" not in html.split("</main>")[0].split("<main")[1]
    # "Add another" re-renders with a second row, data kept, nothing saved.
    more = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), "_add-anggota": "1"})
    assert 'name="anggota-1-nama"' in more.content.decode() and 'value="Siti Aminah"' in more.content.decode()
    assert Application.objects.count() == 0
    # Bad input comes back with errors next to the fields, in Indonesian, data kept.
    bad = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), "jumlah_anak": "99", "_review": "1"})
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "Pastikan nilai ini lebih kecil dari atau sama dengan 20." in body and 'value="99"' in body
    assert Application.objects.count() == 0
    # Save and review, then submit twice (double click): one application.
    saved = me.post("/permohonan/layanan/uji-layanan/", {
        **valid_post(), "alasan": "hilang", "nomor_laporan": "LP/7", "anggota-0-nama": "Budi",
        "anggota-0-nik": VALID_NIK_2, "_review": "1", "surat_kehilangan": upload("lap.pdf", pdf_bytes())})
    assert saved.status_code == 302 and saved["Location"].endswith("/tinjau/")
    review = me.get(saved["Location"])
    assert "Budi" in review.content.decode() and "lap.pdf" in review.content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', review.content.decode()).group(1)
    first = me.post(saved["Location"], {"idempotency_key": key})
    second = me.post(saved["Location"], {"idempotency_key": key})
    assert first.status_code == second.status_code == 302
    app = Application.objects.get()
    assert app.status == "in_process" and app.tracking_number
    status = me.get(first["Location"])
    assert app.tracking_number in status.content.decode() and "Diajukan" in status.content.decode()
    assert citizen_loa2()[1].get(first["Location"]).status_code == 404


def test_draft_is_resumed_with_answers_and_files(version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    saved = me.post("/permohonan/layanan/uji-layanan/", {"_version": "1", "nama": "Siti", "alasan": "hilang",
                                                         "anggota-count": "1", "_save": "1",
                                                         "surat_kehilangan": upload("lap.pdf", pdf_bytes())})
    assert saved.status_code == 302 and saved["Location"].endswith("/ubah/")
    page = me.get(saved["Location"]).content.decode()
    assert 'value="Siti"' in page and "lap.pdf" in page
    # The resumed form carries the version it is for, as the browser will send it back.
    sent_version = (re.search(r'name="_version" value="(\d+)"', page)
                    or re.search(r'value="(\d+)" name="_version"', page))
    assert sent_version is not None and sent_version.group(1) == str(version.number)
    # Finishing the draft later keeps the stored file (not required again).
    done = me.post(saved["Location"], {**valid_post(), "alasan": "hilang", "nomor_laporan": "LP/1", "_review": "1"})
    assert done.status_code == 302
    assert Application.objects.get().answers["surat_kehilangan"]["name"] == "lap.pdf"


def test_officer_queue_and_actions_are_agency_scoped(version: DefinitionVersion) -> None:
    from django.utils.datastructures import MultiValueDict

    from satupintu.applications.actions import application_apply
    from satupintu.catalog.models import Agency

    applicant, _me = citizen_loa2()
    app = application_apply(acting=applicant.as_principal(), definition=version.definition,
                            data=MultiValueDict({k: [v] for k, v in valid_post(nik=VALID_NIK).items()}),
                            idempotency_key="q")
    _officer, verifier = officer_signed_in(version.definition.agency, "verifier")
    queue = verifier.get("/backoffice/permohonan/").content.decode()
    assert app.tracking_number in queue
    assert "<td>Diajukan</td>" in queue and "(diajukan)" not in queue  # the workflow's label, not its state id
    assert "<td>Submitted</td>" in verifier.get("/backoffice/permohonan/?lang=en").content.decode()
    _other, police = officer_signed_in(Agency.objects.get(code="polri"), "verifier")
    assert app.tracking_number not in police.get("/backoffice/permohonan/").content.decode()
    url = f"/backoffice/permohonan/{app.pk}/"
    assert police.get(url).status_code == 404
    page = verifier.get(url).content.decode()
    assert 'value="verifikasi"' in page and 'value="setujui"' not in page
    from satupintu.audit.models import AuditEvent

    viewed = AuditEvent.objects.get(action="application.viewed")
    assert (viewed.actor_agency, viewed.details["subject"]) == ("dukcapil", f"citizen:{applicant.pk}")
    no_reason = verifier.post(url, {"transition": "minta_perbaikan", "reason": "", "lock_version": app.lock_version})
    assert no_reason.status_code == 422
    done = verifier.post(url, {"transition": "verifikasi", "lock_version": app.lock_version})
    assert done.status_code == 302
    stale = officer_signed_in(version.definition.agency, "verifier")[1].post(
        url, {"transition": "minta_perbaikan", "reason": "x", "lock_version": app.lock_version})
    assert stale.status_code == 409 and "Petugas lain baru saja" in stale.content.decode()
    app.refresh_from_db()
    assert app.state == "diverifikasi"


def test_revision_round_trip_through_pages(version: DefinitionVersion) -> None:
    from django.utils.datastructures import MultiValueDict

    from satupintu.applications.actions import application_apply, application_transition

    applicant, me = citizen_loa2()
    verifier, _client = officer_signed_in(version.definition.agency, "verifier")
    app = application_apply(acting=applicant.as_principal(), definition=version.definition,
                            data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="r")
    application_transition(acting=verifier.as_principal(), application_id=app.pk,
                           transition="minta_perbaikan", reason="Nama kurang lengkap")
    status = me.get(f"/permohonan/{app.pk}/").content.decode()
    assert "Nama kurang lengkap" in status and 'value="kirim_perbaikan"' in status
    assert me.post(f"/permohonan/{app.pk}/ubah/", {**valid_post(), "nama": "Siti Aminah Putri", "_save": "1"}
                   ).status_code == 302
    assert me.post(f"/permohonan/{app.pk}/", {"transition": "kirim_perbaikan"}).status_code == 302
    app.refresh_from_db()
    assert (app.state, app.answers["nama"]) == ("diajukan", "Siti Aminah Putri")


def test_my_applications_lists_only_mine(version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    me.post("/permohonan/layanan/uji-layanan/", {"_version": "1", "nama": "Siti", "anggota-count": "1", "_save": "1"})
    assert "Layanan uji" in me.get("/permohonan/saya/").content.decode()
    assert "Layanan uji" not in citizen_loa2()[1].get("/permohonan/saya/").content.decode()


def test_the_service_page_offers_saved_drafts_and_each_draft_has_its_own_link_text(
        version: DefinitionVersion) -> None:  # noqa: ARG001
    _user, me = citizen_loa2()
    assert "saved-drafts" not in me.get("/permohonan/layanan/uji-layanan/").content.decode()
    for name in ("Siti", "Budi"):
        me.post("/permohonan/layanan/uji-layanan/", {"_version": "1", "nama": name, "anggota-count": "1", "_save": "1"})
    drafts = list(Application.objects.order_by("-updated_at"))
    page = me.get("/permohonan/layanan/uji-layanan/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Anda punya draf tersimpan untuk layanan ini" in page
    assert [int(i) for i in re.findall(r'href="/permohonan/(\d+)/ubah/"', page)] == [d.pk for d in drafts]
    mine = me.get("/permohonan/saya/").content.decode()
    assert mine.count("Draf disimpan ") == 2
    assert not re.search(r">\s*Draf\s*</a>", mine)  # no two links that both just say "Draf"
    assert "saved-drafts" not in citizen_loa2()[1].get("/permohonan/layanan/uji-layanan/").content.decode()


def test_submitting_an_incomplete_draft_shows_the_form_that_posts_back_to_edit(version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    saved = me.post("/permohonan/layanan/uji-layanan/", {"_version": "1", "nama": "Siti", "anggota-count": "1",
                                                         "_save": "1"})
    assert saved.status_code == 302
    app = Application.objects.get()
    review_url = f"/permohonan/{app.pk}/tinjau/"
    response = me.post(review_url, {"idempotency_key": "abc"})
    assert response.status_code == 422
    body = response.content.decode()
    assert f'action="/permohonan/{app.pk}/ubah/"' in body and 'value="Siti"' in body
    assert "Isian ini wajib diisi." in body
    # The page is titled by the service's name, not its slug.
    assert "<h1>Layanan uji</h1>" in body and "<title>Layanan uji" in body and "uji-layanan</h1>" not in body
    app.refresh_from_db()
    assert app.status == "draft" and app.tracking_number is None
    # A submitted application cannot be edited any more: the edit page sends back to the status.
    done = me.post(f"/permohonan/{app.pk}/ubah/", {**valid_post(), "_review": "1"})
    assert done.status_code == 302
    me.post(review_url, {"idempotency_key": "abc"})
    assert me.get(f"/permohonan/{app.pk}/ubah/")["Location"] == f"/permohonan/{app.pk}/"


def test_officer_takes_the_task_from_its_page(version: DefinitionVersion) -> None:
    from django.utils.datastructures import MultiValueDict

    from satupintu.applications.actions import application_apply

    applicant, _me = citizen_loa2()
    app = application_apply(acting=applicant.as_principal(), definition=version.definition,
                            data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="c")
    officer, verifier = officer_signed_in(version.definition.agency, "verifier")
    url = f"/backoffice/permohonan/{app.pk}/"
    page = verifier.get(url).content.decode()
    assert 'name="claim"' in page and "Ambil tugas ini" in page
    # "Application" here is a permohonan, not the consolidation app's "Aplikasi" (same msgid).
    assert f"<h1>Permohonan {app.tracking_number}</h1>" in page
    assert f"<h1>Permohonan {app.tracking_number}</h1>" in _me.get(f"/permohonan/{app.pk}/").content.decode()
    taken = verifier.post(url, {"claim": "1", "lock_version": app.lock_version})
    assert taken.status_code == 302
    app.refresh_from_db()
    assert app.claimed_by == officer.as_principal().id
    assert app.events.filter(action="claimed").exists()
    page = verifier.get(url).content.decode()
    assert 'name="claim"' not in page and "Anda telah mengambil tugas ini." in page
    # A second officer sees it taken and cannot take it.
    _other, colleague = officer_signed_in(version.definition.agency, "verifier")
    assert "Petugas lain telah mengambil tugas ini." in colleague.get(url).content.decode()
    refused = colleague.post(url, {"claim": "1", "lock_version": app.lock_version})
    assert refused.status_code == 409 and "Tugas ini sudah diambil petugas lain." in refused.content.decode()


def test_main_menu_leads_to_my_applications_and_the_queue(version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    _officer, verifier = officer_signed_in(version.definition.agency, "verifier")
    citizen_menu = me.get("/permohonan/saya/").content.decode().split('<ul class="nav">')[1].split("</ul>")[0]
    assert '<a href="/permohonan/saya/">Permohonan saya</a>' in citizen_menu and "/backoffice/" not in citizen_menu
    officer_menu = verifier.get("/backoffice/permohonan/").content.decode().split('<ul class="nav">')[1]
    assert '<a href="/backoffice/permohonan/">Antrean permohonan</a>' in officer_menu.split("</ul>")[0]
    anonymous = Client().get("/layanan/").content.decode()
    assert "/permohonan/saya/" not in anonymous and "/backoffice/permohonan/" not in anonymous


def test_form_with_a_region_field_loads_the_region_picker_script(version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    html = me.get("/permohonan/layanan/uji-layanan/").content.decode()
    assert 'data-region-picker' in html and 'src="/static/satupintu/js/region-picker.js"' in html


def test_added_group_row_is_kept_when_the_draft_is_saved(version: DefinitionVersion) -> None:
    """The form re-rendered by "add another" posts back the new row count, so the row the
    citizen then fills in is saved (it was dropped when the hidden count kept the old value)."""
    _user, me = citizen_loa2()
    more = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), "_add-anggota": "1"}).content.decode()
    count = re.search(r'<input type="hidden" name="anggota-count" value="(\d+)"', more)
    assert count is not None and count.group(1) == "2"
    fewer = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), "anggota-count": "2",
                                                         "_remove-anggota": "1"}).content.decode()
    assert re.search(r'name="anggota-count" value="1"', fewer) and 'name="anggota-1-nama"' not in fewer
    saved = me.post("/permohonan/layanan/uji-layanan/", {
        **valid_post(), "anggota-count": count.group(1), "anggota-0-nama": "Budi", "anggota-0-nik": VALID_NIK_2,
        "anggota-1-nama": "Ani", "anggota-1-nik": VALID_NIK, "_save": "1"})
    assert saved.status_code == 302
    assert [row["nama"] for row in Application.objects.get().answers["anggota"]] == ["Budi", "Ani"]


def test_resumed_draft_keeps_its_regions(version: DefinitionVersion) -> None:
    """A saved region (a region field and an address's region) is shown selected when the draft
    is resumed, so saving the resumed form keeps it (it was shown empty and then erased)."""
    _user, me = citizen_loa2()
    saved = me.post("/permohonan/layanan/uji-layanan/", {
        **valid_post(), "wilayah_0": "32", "wilayah_1": "32.75", "alamat-street": "Jl. Melati 5",
        "alamat-region_0": "32", "alamat-region_1": "32.75", "alamat-region_2": "32.75.01",
        "alamat-region_3": "32.75.01.1001", "_save": "1"})
    assert saved.status_code == 302
    page = me.get(saved["Location"]).content.decode()
    assert re.search(r'<option value="32\.75" selected>', page)
    assert re.search(r'<option value="32\.75\.01\.1001" selected>', page)
    # The answers show the regions by name (with the code), not the bare code.
    status = me.get(saved["Location"].replace("/ubah/", "/")).content.decode()
    assert "Kota Bekasi (32.75)" in status and "Jl. Melati 5, Margahayu (32.75.01.1001)" in status
    again = me.post(saved["Location"], {**valid_post(), "wilayah_0": "32", "wilayah_1": "32.75", "_save": "1"})
    assert again.status_code == 302
    assert Application.objects.get().answers["wilayah"] == "32.75"


# --- fresh-user findings (appfix) -----------------------------------------------------------

def test_draft_keeps_a_partly_chosen_region(version: DefinitionVersion) -> None:
    """"Simpan draf" with only the province of an address chosen saves the draft (the region's
    required depth is a completeness rule: it applies at review and submit, not at draft save)."""
    _user, me = citizen_loa2()
    saved = me.post("/permohonan/layanan/uji-layanan/", {
        "_version": "1", "nama": "Siti", "anggota-count": "1", "alamat-region_0": "32", "wilayah_0": "32",
        "_save": "1"})
    assert saved.status_code == 302 and saved["Location"].endswith("/ubah/")
    app = Application.objects.get()
    assert app.answers["alamat"] == {"region": "32"} and app.answers["wilayah"] == "32"
    page = me.get(saved["Location"]).content.decode()
    assert re.search(r'<option value="32" selected>', page)
    # A format error is still reported on a draft, nothing is written and the answers stay in the form.
    bad = me.post(saved["Location"], {"_version": "1", "nama": "Siti Aminah", "nik": "123", "anggota-count": "1",
                                      "alamat-region_0": "32", "_save": "1"})
    assert bad.status_code == 422 and 'value="Siti Aminah"' in bad.content.decode()
    app.refresh_from_db()
    assert app.answers["nama"] == "Siti"
    # Submitting it checks the depth again.
    submit = me.post(f"/permohonan/{app.pk}/tinjau/", {"idempotency_key": "k1"})
    assert submit.status_code == 422 and "Pilih sampai tingkat desa/kelurahan." in submit.content.decode()


def test_save_and_review_checks_every_rule_first(version: DefinitionVersion) -> None:
    """"Simpan dan tinjau" on an incomplete form comes back with every error at its field and
    the answers kept, instead of a review page with an empty summary and a submit button."""
    _user, me = citizen_loa2()
    empty = me.post("/permohonan/layanan/uji-layanan/", {"_version": "1", "anggota-count": "1", "_review": "1"})
    assert empty.status_code == 422 and Application.objects.count() == 0
    body = empty.content.decode()
    assert "Ajukan permohonan" not in body and "<h1>Layanan uji</h1>" in body and "<title>Layanan uji" in body
    for name in ("nama", "tanggal_lahir", "nik", "alasan"):
        assert f'<p class="field-error" id="id_{name}_error">Isian ini wajib diisi.</p>' in body, name
    # A draft saved half-way: "Simpan dan tinjau" from the edit page checks everything too
    # (the region's depth included), keeps the answers and leaves the stored draft as it was.
    me.post("/permohonan/layanan/uji-layanan/", {"_version": "1", "nama": "Siti", "anggota-count": "1",
                                                 "_save": "1"})
    app = Application.objects.get()
    again = me.post(f"/permohonan/{app.pk}/ubah/", {**valid_post(), "alamat-region_0": "32", "_review": "1"})
    assert again.status_code == 422
    body = again.content.decode()
    assert "Pilih sampai tingkat desa/kelurahan." in body and 'value="Siti Aminah"' in body
    app.refresh_from_db()
    assert app.answers["nama"] == "Siti"
    # Opening the review page of an incomplete draft (the status page links it) shows the form.
    review = me.get(f"/permohonan/{app.pk}/tinjau/")
    assert review.status_code == 422 and "Ajukan permohonan" not in review.content.decode()
    assert f'action="/permohonan/{app.pk}/ubah/"' in review.content.decode()
    assert "Isian ini wajib diisi." in review.content.decode()
    done = me.post(f"/permohonan/{app.pk}/ubah/", {**valid_post(), "_review": "1"})
    assert done.status_code == 302 and done["Location"].endswith("/tinjau/")
    assert "Ajukan permohonan" in me.get(done["Location"]).content.decode()


def test_timeline_shows_labels_not_workflow_ids(version: DefinitionVersion) -> None:
    """The timeline (citizen and officer) names each step by the workflow's own labels and the
    platform's events in words, in the user's language; the raw ids never show."""
    from django.utils.datastructures import MultiValueDict

    from satupintu.applications.actions import application_apply, application_claim, application_transition

    applicant, me = citizen_loa2()
    verifier, officer_page = officer_signed_in(version.definition.agency, "verifier")
    app = application_apply(acting=applicant.as_principal(), definition=version.definition,
                            data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="t")
    application_claim(acting=verifier.as_principal(), application_id=app.pk)
    application_transition(acting=verifier.as_principal(), application_id=app.pk,
                           transition="minta_perbaikan", reason="Nama kurang lengkap")

    def timeline(client: Client, url: str) -> str:
        html = client.get(url).content.decode()
        return re.sub(r"<time[^>]*>[^<]*</time>", "", html.split('<ol class="timeline">')[1].split("</ol>")[0])

    citizen_id = timeline(me, f"/permohonan/{app.pk}/")
    assert "— Permohonan dikirim → Diajukan</li>" in citizen_id
    assert "— Diambil oleh petugas</li>" in citizen_id
    assert "— Minta perbaikan → Perlu perbaikan: Nama kurang lengkap</li>" in citizen_id
    citizen_en = timeline(me, f"/permohonan/{app.pk}/?lang=en")
    assert "— Application sent → Submitted</li>" in citizen_en and "— Taken by an officer</li>" in citizen_en
    assert "— Ask for a fix → Needs revision: Nama kurang lengkap</li>" in citizen_en
    officer_id = timeline(officer_page, f"/backoffice/permohonan/{app.pk}/")
    assert ": Minta perbaikan → Perlu perbaikan: Nama kurang lengkap</li>" in officer_id
    assert ": Diambil oleh petugas</li>" in officer_id
    for raw in ("submitted", "claimed", "minta_perbaikan", "perlu_perbaikan", "diajukan"):
        assert raw not in citizen_id and raw not in citizen_en and raw not in officer_id


def test_a_malformed_form_version_gets_the_changed_form_message(version: DefinitionVersion) -> None:
    """A tampered or garbled hidden ``_version`` is reported like a stale one, without the
    internal field name or a number-format error."""
    _user, me = citizen_loa2()
    saved = me.post("/permohonan/layanan/uji-layanan/", {"_version": "1", "nama": "Siti", "anggota-count": "1",
                                                         "_save": "1"})
    for posted in ("abc", "1.0", ""):
        response = me.post(saved["Location"], {**valid_post(), "_version": posted, "_save": "1"})
        assert response.status_code == 422
        body = response.content.decode()
        assert "Formulir ini diubah setelah Anda membukanya." in body and 'value="Siti Aminah"' in body
        assert "version:" not in body and "Masukkan keseluruhan angka bilangan." not in body
    assert Application.objects.get().answers["nama"] == "Siti"


def test_officer_queue_pages_through_every_application_keeping_the_filters(
        version: DefinitionVersion, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils.datastructures import MultiValueDict

    from satupintu.applications import pages
    from satupintu.applications.actions import application_apply

    monkeypatch.setattr(pages, "QUEUE_PAGE_SIZE", 2)
    applicant, _me = citizen_loa2()
    numbers = [application_apply(acting=applicant.as_principal(), definition=version.definition,
                                 data=MultiValueDict({k: [v] for k, v in valid_post(nik=VALID_NIK).items()}),
                                 idempotency_key=f"antre-{i}").tracking_number for i in range(3)]
    _officer, verifier = officer_signed_in(version.definition.agency, "verifier")
    first = verifier.get("/backoffice/permohonan/?status=in_process").content.decode()
    assert "3 permohonan cocok." in first and "Halaman 1 dari 2" in first
    assert 'href="?status=in_process&amp;page=2"' in first
    second = verifier.get("/backoffice/permohonan/?status=in_process&page=2").content.decode()
    shown = [n for n in numbers if n in first] + [n for n in numbers if n in second]
    assert sorted(shown) == sorted(numbers)  # each application on exactly one page
    assert verifier.get("/backoffice/permohonan/?page=x").status_code == 200


def test_officer_pages_name_the_service_in_english_on_request(version: DefinitionVersion) -> None:
    from django.utils.datastructures import MultiValueDict

    from satupintu.applications.actions import application_apply

    applicant, _me = citizen_loa2()
    app = application_apply(acting=applicant.as_principal(), definition=version.definition,
                            data=MultiValueDict({k: [v] for k, v in valid_post(nik=VALID_NIK).items()}),
                            idempotency_key="en")
    _officer, verifier = officer_signed_in(version.definition.agency, "verifier")
    queue = verifier.get("/backoffice/permohonan/?lang=en").content.decode()
    assert "<td>Test service</td>" in queue and "Layanan uji" not in queue
    detail = verifier.get(f"/backoffice/permohonan/{app.pk}/?lang=en").content.decode()
    assert "<p>Test service · Status" in detail
    assert "<td>Layanan uji</td>" in verifier.get("/backoffice/permohonan/").content.decode()


def test_an_action_the_officers_role_does_not_allow_is_explained_on_the_application_page(
        version: DefinitionVersion) -> None:
    from django.utils.datastructures import MultiValueDict

    from satupintu.applications.actions import application_apply

    applicant, _me = citizen_loa2()
    app = application_apply(acting=applicant.as_principal(), definition=version.definition,
                            data=MultiValueDict({k: [v] for k, v in valid_post(nik=VALID_NIK).items()}),
                            idempotency_key="peran")
    _officer, operator = officer_signed_in(version.definition.agency, "operator")
    response = operator.post(f"/backoffice/permohonan/{app.pk}/",
                             {"transition": "verifikasi", "lock_version": app.lock_version})
    assert response.status_code == 403
    body = response.content.decode()
    assert f"<h1>Permohonan {app.tracking_number}</h1>" in body
    assert "Peran Anda tidak mengizinkan tindakan ini: Verifikasi." in body
    app.refresh_from_db()
    assert app.state == "diajukan"


@pytest.mark.parametrize(("query", "field"), [("number=SP%00", "Nomor permohonan"), ("service=a%00b", "Layanan"),
                                              ("status=terbang", "Status"), ("number=" + "9" * 41, "Nomor permohonan")])
def test_a_queue_filter_that_is_not_plain_text_or_a_choice_is_a_field_error_not_a_500(
        version: DefinitionVersion, query: str, field: str) -> None:
    _officer, verifier = officer_signed_in(version.definition.agency, "verifier")
    response = verifier.get(f"/backoffice/permohonan/?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error-summary" role="alert"' in body and f"{field}: " in body
    assert 'href="#f-' in body  # the summary links to the page's own filter field
