"""Bad input on the citizen and officer pages: each error names its field and rule in the
user's language, never a 500 or a misleading "someone else acted", and nothing is written."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.utils.datastructures import MultiValueDict

from satupintu.applications.actions import application_apply
from satupintu.applications.models import Application, ApplicationEvent, DefinitionVersion
from tests.applications.conftest import valid_post
from tests.applications.people import citizen_loa2, officer_signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


def _submitted(version: DefinitionVersion) -> tuple[Application, Client]:
    applicant, me = citizen_loa2()
    app = application_apply(acting=applicant.as_principal(), definition=version.definition,
                            data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="k")
    return app, me


def _sent_back(version: DefinitionVersion, reason: str) -> tuple[Application, Client]:
    """A submitted application that a verifier sent back to its applicant with ``reason``."""
    from satupintu.applications.actions import application_transition

    app, me = _submitted(version)
    verifier, _client = officer_signed_in(version.definition.agency, "verifier")
    application_transition(acting=verifier.as_principal(), application_id=app.pk, transition="minta_perbaikan",
                           reason=reason)
    return app, me


def _text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def _unchanged(app: Application) -> None:
    before = app.lock_version
    app.refresh_from_db()
    assert (app.state, app.lock_version) == ("diajukan", before)
    assert not ApplicationEvent.objects.filter(application=app).exclude(action__in=("created", "submitted")).exists()


def test_officer_action_with_a_non_numeric_lock_version_is_a_form_error_not_a_conflict(
        version: DefinitionVersion) -> None:
    app, _me = _submitted(version)
    _officer, verifier = officer_signed_in(version.definition.agency, "verifier")
    url = f"/backoffice/permohonan/{app.pk}/"
    for posted in ({"transition": "verifikasi", "lock_version": "abc"}, {"transition": "verifikasi"},
                   {"claim": "1", "lock_version": "-1"}):
        response = verifier.post(url, posted)
        assert response.status_code == 400
        body = _text(response)
        assert "isian tersembunyi lock_version harus berupa bilangan bulat" in body
        assert "Petugas lain baru saja" not in body
    english = verifier.post(f"{url}?lang=en", {"transition": "verifikasi", "lock_version": "1x"})
    assert english.status_code == 400
    assert "its hidden field lock_version must be a whole number" in _text(english)
    _unchanged(app)
    assert not app.claimed_by


def test_officer_action_without_a_chosen_action_says_so(version: DefinitionVersion) -> None:
    app, _me = _submitted(version)
    _officer, verifier = officer_signed_in(version.definition.agency, "verifier")
    url = f"/backoffice/permohonan/{app.pk}/"
    empty = verifier.post(url, {"lock_version": str(app.lock_version)})
    assert empty.status_code == 400
    body = _text(empty)
    assert "Tidak ada tindakan yang dipilih" in body and "Tindakan  tidak dikenal" not in body
    english = verifier.post(f"{url}?lang=en", {"transition": "  ", "lock_version": str(app.lock_version)})
    assert english.status_code == 400 and "No action was chosen" in _text(english)
    # A completely empty POST names both missing hidden fields.
    nothing = _text(verifier.post(url, {}))
    assert "Tidak ada tindakan yang dipilih" in nothing and "isian tersembunyi lock_version" in nothing
    _unchanged(app)


def test_officer_reason_longer_than_the_limit_is_refused_with_a_field_error(version: DefinitionVersion) -> None:
    app, me = _submitted(version)
    _officer, verifier = officer_signed_in(version.definition.agency, "verifier")
    url = f"/backoffice/permohonan/{app.pk}/"
    too_long = verifier.post(url, {"transition": "minta_perbaikan", "lock_version": str(app.lock_version),
                                   "reason": "x" * 100_000})
    assert too_long.status_code == 422
    assert "Alasan terlalu panjang: paling banyak 2000 karakter (saat ini 100000)." in _text(too_long)
    english = verifier.post(f"{url}?lang=en", {"transition": "minta_perbaikan", "reason": "y" * 2001,
                                               "lock_version": str(app.lock_version)})
    assert "The reason is too long: at most 2000 characters (it has 2001)." in _text(english)
    assert "x" * 2001 not in me.get(f"/permohonan/{app.pk}/").content.decode()
    _unchanged(app)
    # At the limit it is taken, and shown to the citizen whole.
    done = verifier.post(url, {"transition": "minta_perbaikan", "lock_version": str(app.lock_version),
                               "reason": "z" * 2000})
    assert done.status_code == 302
    assert ApplicationEvent.objects.get(application=app, action="minta_perbaikan").reason == "z" * 2000


def _complete_draft(me: Client) -> Application:
    saved = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), "_review": "1"})
    assert saved.status_code == 302 and saved["Location"].endswith("/tinjau/")
    return Application.objects.get()


def test_submit_without_a_valid_idempotency_key_says_the_page_expired_and_offers_it_again(
        version: DefinitionVersion) -> None:
    _user, me = citizen_loa2()
    app = _complete_draft(me)
    url = f"/permohonan/{app.pk}/tinjau/"
    for posted in ({}, {"idempotency_key": ""}, {"idempotency_key": "k" * 81}, {"idempotency_key": "a\x01b"}):
        response = me.post(url, posted)
        assert response.status_code == 400
        body = _text(response)
        assert ("Halaman ini sudah kedaluwarsa atau tidak lengkap: isian tersembunyi idempotency_key tidak ada "
                "atau tidak valid.") in body
        assert "Permintaan berisi isian yang tidak valid." not in body
        assert 'name="idempotency_key" value="' in body  # a fresh key: pressing Submit again works
    english = _text(me.post(f"{url}?lang=en", {}))
    assert "This page has expired or is incomplete: its hidden field idempotency_key is missing" in english
    app.refresh_from_db()
    assert (app.status, app.tracking_number) == ("draft", None)
    assert me.post(url, {"idempotency_key": "fresh"}).status_code == 302
    app.refresh_from_db()
    assert app.status == "in_process"


def test_applicant_transition_without_a_chosen_action_says_so(version: DefinitionVersion) -> None:
    app, me = _submitted(version)
    response = me.post(f"/permohonan/{app.pk}/", {}, follow=True)
    body = _text(response)
    assert "Tidak ada tindakan yang dipilih" in body and "Permintaan berisi isian yang tidak valid." not in body
    _unchanged(app)


def _status_cell(page: str, tracking_number: str) -> str:
    row = page.split(f">{tracking_number}</a>")[1].split("</tr>")[0]
    return row.rsplit("<td>", 1)[1].split("</td>")[0]


def test_my_applications_shows_the_same_status_label_as_the_status_page(version: DefinitionVersion) -> None:
    from satupintu.applications.actions import application_cancel

    app, me = _sent_back(version, "Nama kurang lengkap")
    status = me.get(f"/permohonan/{app.pk}/").content.decode()
    assert "Status: <strong>Perlu perbaikan</strong>" in status
    assert _status_cell(me.get("/permohonan/saya/").content.decode(), app.tracking_number) == "Perlu perbaikan"
    assert _status_cell(me.get("/permohonan/saya/?lang=en").content.decode(), app.tracking_number) == "Needs revision"
    # A cancelled application is "Dibatalkan" on both pages, not the state it was cancelled in.
    other = application_apply(acting=app_owner(app), definition=version.definition,
                              data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="c2")
    application_cancel(acting=app_owner(app), application=other)
    assert "Status: <strong>Dibatalkan</strong>" in me.get(f"/permohonan/{other.pk}/").content.decode()
    assert _status_cell(me.get("/permohonan/saya/").content.decode(), other.tracking_number) == "Dibatalkan"


def app_owner(app: Application):  # noqa: ANN201
    from satupintu.core.principal import Principal

    return Principal(kind=app.applicant_kind, id=app.applicant_id, display=app.applicant_display)


def test_edit_page_of_a_sent_back_application_shows_the_officers_reason_escaped(version: DefinitionVersion) -> None:
    app, me = _sent_back(version, "Foto <b>buram</b> & nama kurang")
    page = me.get(f"/permohonan/{app.pk}/ubah/").content.decode()
    top = page.split("<h1>")[1].split("<form")[0]
    assert "Petugas meminta Anda memperbaiki permohonan ini" in top
    assert "Alasan: Foto &lt;b&gt;buram&lt;/b&gt; &amp; nama kurang" in top and "<b>buram" not in page
    english = me.get(f"/permohonan/{app.pk}/ubah/?lang=en").content.decode()
    assert "The officer asked you to fix this application" in english and "Reason: Foto &lt;b&gt;" in english
    # A draft has no such note.
    draft = me.post("/permohonan/layanan/uji-layanan/", {"_version": "1", "nama": "Siti", "anggota-count": "1",
                                                         "_save": "1"})
    assert "revision-request" not in me.get(draft["Location"]).content.decode()


def _address(postal_code: str) -> dict[str, str]:
    return {"alamat-street": "Jl. Cideng Barat 5", "alamat-region_0": "31", "alamat-region_1": "31.71",
            "alamat-region_2": "31.71.01", "alamat-region_3": "31.71.01.1002", "alamat-postal_code": postal_code}


def test_address_postal_code_must_be_the_villages_when_the_data_knows_it(version: DefinitionVersion) -> None:
    from satupintu.regions.models import PostalCode

    _user, me = citizen_loa2()
    refused = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), **_address("99999"), "_save": "1"})
    assert refused.status_code == 422
    assert "99999 bukan kode pos Cideng: kode posnya adalah 10150." in _text(refused)
    english = me.post("/permohonan/layanan/uji-layanan/?lang=en", {**valid_post(), **_address("10110"), "_save": "1"})
    assert english.status_code == 422
    assert "10110 is not a postal code of Cideng: its postal code is 10150." in _text(english)
    assert Application.objects.count() == 0
    saved = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), **_address("10150"), "_save": "1"})
    assert saved.status_code == 302
    assert Application.objects.get().answers["alamat"]["postal_code"] == "10150"
    # A village the postal-code data does not cover takes any five-digit code.
    PostalCode.objects.filter(region_id="31.71.01.1002").delete()
    again = me.post(saved["Location"], {**valid_post(), **_address("99999"), "_save": "1"})
    assert again.status_code == 302
    assert Application.objects.get().answers["alamat"]["postal_code"] == "99999"


@pytest.mark.parametrize(("reason", "rule"), [("r" * 2001, "max_length"), ("ok\x00", "format")])
def test_transition_refuses_a_reason_it_cannot_show_or_store_whole(version: DefinitionVersion, reason: str,
                                                                    rule: str) -> None:
    from satupintu.applications.actions import application_transition
    from satupintu.core.errors import InvalidInput

    app, _me = _submitted(version)
    verifier, _client = officer_signed_in(version.definition.agency, "verifier")
    with pytest.raises(InvalidInput) as refused:
        application_transition(acting=verifier.as_principal(), application_id=app.pk, transition="verifikasi",
                               reason=reason)
    assert [(e.field, e.rule) for e in refused.value.errors] == [("reason", rule)]
    _unchanged(app)
