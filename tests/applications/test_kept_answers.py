"""A citizen whose session ended (expired, or signed out in another tab) and who then sends the
application form loses nothing (ADR 0139): the typed answers are kept, the citizen signs in, and
the form comes back filled in once, with a notice; nothing is sent by itself and files are chosen
again."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.test import Client

from satupintu.applications import kept_answers
from satupintu.applications.models import Application, DefinitionVersion, StagedDocument, Upload
from satupintu.identity import testing
from tests.a11y import form_problems
from tests.applications.conftest import VALID_NIK, pdf_bytes, upload, valid_post
from tests.applications.people import totp_now

pytestmark = pytest.mark.django_db
FORM = "/permohonan/layanan/uji-layanan/"
SIGN_IN = "/akun/login/?next=" + FORM
NOTICE = {"id": ("Jawaban Anda disimpan sementara", "Belum ada yang disimpan atau dikirim",
                 "Berkas tidak ikut disimpan: pilih lagi berkas Anda."),
          "en": ("Your answers were kept", "Nothing has been saved or sent yet",
                 "Files are not kept: choose your files again.")}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OWNER = re.compile(r'name="_kept_for" value="([0-9a-f]{64})"')


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


def _citizen() -> tuple[Any, str]:
    user = testing.make_citizen()
    return user, testing.activate_totp(user)


def _sign_in(client: Client, user: Any, secret: str) -> str:
    """Sign in on ``client`` as a citizen does, from the page the form sent them to (with its CSRF
    token, for a client that checks it); the address the sign-in leads back to. allauth refuses a
    TOTP code already used in its period (remembered in the cache): a person signing in again waits
    for the next code, the test forgets the used one."""
    cache.clear()
    page = client.get(SIGN_IN)
    token = TOKEN.search(page.content.decode())
    extra = {"csrfmiddlewaretoken": token.group(1)} if token else {}
    first = client.post(SIGN_IN, {"login": user.email, "password": testing.PASSWORD, **extra})
    assert first.status_code == 302, first.content.decode()[:800]
    mfa = client.get(first["Location"])
    token = TOKEN.search(mfa.content.decode())
    extra = {"csrfmiddlewaretoken": token.group(1)} if token else {}
    done = client.post(first["Location"], {"code": totp_now(secret), **extra})
    assert done.status_code == 302, done.content.decode()[:800]
    return done["Location"]


def _session_ends(client: Client) -> None:
    """The server forgets the session (it expired); the browser still sends its old cookie."""
    client.session.delete()


def _owner(user: Any, path: str = FORM) -> dict[str, str]:
    """The hidden owner field of the form at ``path`` as the server renders it for ``user``."""
    return {kept_answers.OWNER_FIELD: kept_answers.owner_tag(user.pk, path)}


def _kept(client: Client) -> Any:
    store: SessionBase = client.session
    return store.get(kept_answers.SESSION_KEY)


@pytest.mark.parametrize("language", ["id", "en"])
def test_answers_posted_after_the_session_ended_come_back_once_after_sign_in(
        version: DefinitionVersion, language: str) -> None:  # noqa: ARG001
    user, secret = _citizen()
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    _sign_in(browser, user, secret)
    opened = browser.get(FORM)
    assert opened.status_code == 200
    owner = OWNER.search(opened.content.decode()).group(1)
    _session_ends(browser)

    sent = browser.post(FORM, {**valid_post(), kept_answers.OWNER_FIELD: owner, "catatan": "Mohon dipercepat",
                               "keperluan": ["kerja", "visa"],
                               "alasan": "hilang", "surat_kehilangan": upload("lap.pdf", pdf_bytes()),
                               "_review": "1"})
    assert sent.status_code == 302 and sent["Location"] == SIGN_IN
    assert Application.objects.count() == 0
    assert _kept(browser) is not None
    sign_in_page = browser.get(SIGN_IN).content.decode()
    assert ("jawaban yang Anda ketik sudah disimpan sementara" if language == "id"
            else "the answers you typed were kept") in sign_in_page

    assert _sign_in(browser, user, secret) == FORM
    page = browser.get(FORM)
    assert page.status_code == 200
    html = page.content.decode()
    for text in NOTICE[language]:
        assert text in html
    assert 'value="Siti Aminah"' in html and f'value="{VALID_NIK}"' in html and "Mohon dipercepat" in html
    assert re.search(r'value="hilang"[^>]*checked', html) and re.search(r'value="visa"[^>]*checked', html)
    # Nothing was sent or saved by itself: the citizen presses a button again.
    assert Application.objects.count() == 0
    assert Upload.objects.count() == 0 and StagedDocument.objects.count() == 0

    assert form_problems(html) == []

    again = browser.get(FORM).content.decode()
    assert NOTICE[language][0] not in again and "Mohon dipercepat" not in again
    assert _kept(browser) is None
    # Signed in, the form saves as always and keeps nothing aside.
    saved = browser.post(FORM, {**valid_post(), "_save": "1"})
    assert saved.status_code == 302 and saved["Location"].endswith("/ubah/") and _kept(browser) is None


def test_signed_out_in_another_tab_passes_the_csrf_check_and_keeps_the_answers(
        version: DefinitionVersion) -> None:  # noqa: ARG001
    user, secret = _citizen()
    browser = Client(enforce_csrf_checks=True)
    _sign_in(browser, user, secret)
    form = browser.get(FORM).content.decode()
    token = TOKEN.search(form).group(1)
    # Another tab of the same browser signs out (its own page's token).
    other_tab = TOKEN.search(browser.get("/akun/logout/").content.decode()).group(1)
    assert browser.post("/akun/logout/", {"csrfmiddlewaretoken": other_tab}).status_code == 302

    owner = OWNER.search(form).group(1)
    sent = browser.post(FORM, {**valid_post(), "_kept_for": owner, "csrfmiddlewaretoken": token, "_save": "1"})
    assert sent.status_code == 302 and sent["Location"] == SIGN_IN
    _sign_in(browser, user, secret)
    html = browser.get(FORM).content.decode()
    assert "Jawaban Anda disimpan sementara" in html and 'value="Siti Aminah"' in html
    assert "csrfmiddlewaretoken" not in json.dumps(_kept(browser) or {})
    assert Application.objects.count() == 0


def test_a_draft_edited_after_the_session_ended_shows_the_new_answers_to_its_owner_only(
        version: DefinitionVersion) -> None:  # noqa: ARG001
    user, secret = _citizen()
    browser = Client()
    _sign_in(browser, user, secret)
    saved = browser.post(FORM, {**valid_post(), "nama": "Siti", "_save": "1"})
    edit = saved["Location"]
    _session_ends(browser)
    sent = browser.post(edit, {**valid_post(), **_owner(user, edit), "nama": "Siti Aminah Baru", "_save": "1"})
    assert sent.status_code == 302 and sent["Location"].startswith("/akun/login/")

    # Someone else signs in on this browser: the draft is not theirs, nothing is shown.
    stranger, stranger_secret = _citizen()
    page = browser.get("/akun/login/")
    browser.post("/akun/login/", {"login": stranger.email, "password": testing.PASSWORD})
    browser.post("/akun/2fa/authenticate/", {"code": totp_now(stranger_secret)})
    assert page.status_code == 200 and browser.get(edit).status_code == 404
    browser.post("/akun/logout/")

    _sign_in(browser, user, secret)
    assert _kept(browser) is None  # signing out ended that session and what it kept
    html = browser.get(edit).content.decode()
    assert "Jawaban Anda disimpan sementara" not in html and 'value="Siti"' in html

    # The owner, in the same session: the new answers over the saved draft, once.
    _session_ends(browser)
    browser.post(edit, {**valid_post(), **_owner(user, edit), "nama": "Siti Aminah Baru", "_save": "1"})
    _sign_in(browser, user, secret)
    html = browser.get(edit).content.decode()
    assert "Jawaban Anda disimpan sementara" in html and 'value="Siti Aminah Baru"' in html
    assert Application.objects.get().answers["nama"] == "Siti"


def test_files_and_kept_upload_references_are_not_kept(version: DefinitionVersion) -> None:  # noqa: ARG001
    content = pdf_bytes()
    user, _secret = _citizen()
    browser = Client()
    sent = browser.post(FORM, {**valid_post(), **_owner(user), "alasan": "hilang",
                               "surat_kehilangan": upload("lap.pdf", content),
                               "_staged-surat_kehilangan": "abc123"})
    assert sent.status_code == 302
    kept = _kept(browser)
    names = [name for name, _values in kept["data"]]
    assert "surat_kehilangan" not in names and "_staged-surat_kehilangan" not in names
    assert "lap.pdf" not in json.dumps(kept) and kept["files"] is True
    assert Upload.objects.count() == 0 and StagedDocument.objects.count() == 0


def test_oversized_answers_are_bounded_and_the_notice_says_so(version: DefinitionVersion) -> None:  # noqa: ARG001
    user, secret = _citizen()
    browser = Client()
    huge = "x" * (kept_answers.MAX_BYTES + 10)
    sent = browser.post(FORM, {**valid_post(), **_owner(user), "catatan": huge,
                               **{f"extra_{i}": "y" * 90 for i in range(300)}})
    assert sent.status_code == 302
    kept = _kept(browser)
    assert len(json.dumps(kept)) < kept_answers.MAX_BYTES * 2
    names = [name for name, _values in kept["data"]]
    assert "nama" in names and "catatan" not in names and kept["incomplete"] is True
    _sign_in(browser, user, secret)
    html = browser.get(FORM).content.decode()
    assert 'value="Siti Aminah"' in html and huge not in html
    assert "Sebagian jawaban terlalu panjang untuk disimpan sehingga kosong: isi lagi." in html


@pytest.mark.parametrize("garbage", [
    {"nama": "Siti\x00 Aminah", "wilayah_0": "32\x00", "alamat-region_0": "\x00", "\x00": "\x00"},
    {"_version": "\x00x" * 40, "anggota-count": "-99999999999999999999", "tanggal_lahir": "31/02/2026",
     "jumlah_anak": "1e999", "keperluan": ["kerja", "\x00", "bogus"], "wilayah_0": "99.99.99.9999"},
    {"k" * 500: "v", "_version": "", "nama": ["a", "b"], "alasan": "x" * 300},
])
def test_garbage_in_a_signed_out_post_is_never_a_server_error(
        version: DefinitionVersion, garbage: dict[str, Any]) -> None:  # noqa: ARG001
    user, secret = _citizen()
    browser = Client()
    sent = browser.post(FORM, {**valid_post(), **_owner(user), **garbage, "_review": "1"})
    assert sent.status_code == 302 and sent["Location"] == SIGN_IN
    assert "\\u0000" not in json.dumps(_kept(browser))
    _sign_in(browser, user, secret)
    page = browser.get(FORM)
    assert page.status_code == 200 and "Jawaban Anda disimpan sementara" in page.content.decode()
    assert Application.objects.count() == 0


def test_an_undecodable_signed_out_post_is_never_a_server_error(version: DefinitionVersion) -> None:  # noqa: ARG001
    user, _secret = _citizen()
    browser = Client()
    owner = kept_answers.owner_tag(user.pk, FORM)
    body = f"nama=Siti%FF%FE%00&_version=1&%00=%00&%FF=1&anggota-count=1&_save=1&_kept_for={owner}"
    sent = browser.post(FORM, body.encode(),
                        content_type="application/x-www-form-urlencoded")
    assert sent.status_code == 302 and sent["Location"] == SIGN_IN
    assert ["nama", ["Siti\ufffd\ufffd"]] in _kept(browser)["data"]


def test_kept_answers_expire(version: DefinitionVersion) -> None:  # noqa: ARG001
    user, secret = _citizen()
    browser = Client()
    browser.post(FORM, {**valid_post(), **_owner(user), "_save": "1"})
    session = browser.session
    session[kept_answers.SESSION_KEY] = {**session[kept_answers.SESSION_KEY],
                                         "at": session[kept_answers.SESSION_KEY]["at"] - kept_answers.TTL_SECONDS - 1}
    session.save()
    _sign_in(browser, user, secret)
    html = browser.get(FORM).content.decode()
    assert "Jawaban Anda disimpan sementara" not in html and 'value="Siti Aminah"' not in html
    assert _kept(browser) is None


def _signed_in_again_in_another_tab(browser: Client, user: Any, secret: str) -> str:
    """Sign in, open the form (its token), then sign out and in again in another tab: signing in
    gives the browser a new CSRF token, so the open form's token no longer matches. The token."""
    _sign_in(browser, user, secret)
    token = TOKEN.search(browser.get(FORM).content.decode()).group(1)
    other_tab = TOKEN.search(browser.get("/akun/logout/").content.decode()).group(1)
    browser.post("/akun/logout/", {"csrfmiddlewaretoken": other_tab})
    _sign_in(browser, user, secret)
    return token


def test_a_form_refused_by_the_csrf_check_keeps_the_answers_only_when_this_site_sent_it(
        version: DefinitionVersion) -> None:  # noqa: ARG001
    user, secret = _citizen()
    browser = Client(enforce_csrf_checks=True)
    token = _signed_in_again_in_another_tab(browser, user, secret)
    # Another site (or a browser that does not say where the form comes from): the refusal page.
    for origin in ({}, {"HTTP_ORIGIN": "https://evil.example"}, {"HTTP_ORIGIN": "null"}):
        refused = browser.post(FORM, {**valid_post(), **_owner(user), "nama": "Dari Situs Lain",
                                      "csrfmiddlewaretoken": token},
                               **origin)
        assert refused.status_code == 403 and "Formulir tidak dapat dikirim" in refused.content.decode()
        assert _kept(browser) is None
    # The form left open in this site's tab: kept, and shown again (the citizen is still signed in).
    sent = browser.post(FORM, {**valid_post(), **_owner(user), "nama": "Siti Tab Lama", "csrfmiddlewaretoken": token,
                               "_save": "1"},
                        HTTP_ORIGIN="http://testserver")
    assert sent.status_code == 302 and sent["Location"] == FORM
    html = browser.get(FORM).content.decode()
    assert "Jawaban Anda disimpan sementara" in html and 'value="Siti Tab Lama"' in html
    assert "Anda masuk atau keluar di tab atau jendela lain" in html and "Dari Situs Lain" not in html
    assert Application.objects.count() == 0


def test_answers_kept_on_a_shared_browser_are_shown_only_to_who_opened_the_form(
        version: DefinitionVersion) -> None:  # noqa: ARG001
    """A citizen's session ends on a shared computer with answers posted; the next person who signs
    in on that browser sees none of them (and they are gone), while the same citizen would."""
    owner, owner_secret = _citizen()
    browser = Client()
    _sign_in(browser, owner, owner_secret)
    tag = OWNER.search(browser.get(FORM).content.decode()).group(1)
    _session_ends(browser)
    assert browser.post(FORM, {**valid_post(), "_kept_for": tag, "nama": "Rahasia Pemilik", "_save": "1"}
                        ).status_code == 302
    assert _kept(browser) is not None

    other, other_secret = _citizen()
    _sign_in(browser, other, other_secret)
    html = browser.get(FORM).content.decode()
    assert "Rahasia Pemilik" not in html and "Jawaban Anda disimpan sementara" not in html
    assert _kept(browser) is None


@pytest.mark.parametrize("tag", [None, "", "0" * 64, "planted"])
def test_answers_cannot_be_planted_for_another_citizen(version: DefinitionVersion, tag: str | None) -> None:  # noqa: ARG001
    """Someone posts answers (say, their own bank account) into a signed-out browser without the
    victim's tag, or with a made-up one: the victim who signs in next is shown nothing."""
    victim, secret = _citizen()
    browser = Client()
    post = {**valid_post(), "nama": "Jawaban Titipan", "_save": "1"}
    if tag is not None:
        post["_kept_for"] = tag
    assert browser.post(FORM, post).status_code == 302
    _sign_in(browser, victim, secret)
    html = browser.get(FORM).content.decode()
    assert "Jawaban Titipan" not in html and "Jawaban Anda disimpan sementara" not in html


def test_the_owner_tag_is_for_one_user_and_one_page() -> None:
    assert kept_answers.owner_tag(1, FORM) != kept_answers.owner_tag(2, FORM)
    assert kept_answers.owner_tag(1, FORM) != kept_answers.owner_tag(1, "/permohonan/1/ubah/")
    assert re.fullmatch(r"[0-9a-f]{64}", kept_answers.owner_tag(1, FORM))


def test_the_size_bound_counts_answers_as_stored(version: DefinitionVersion) -> None:  # noqa: ARG001
    """Characters that JSON escapes (quotes, control characters, non-ASCII written as \\uXXXX) count
    at their stored size, so the session stays within the bound whatever is typed."""
    user, _secret = _citizen()
    browser = Client()
    escaped = "\U0001f600\"\x01" * (kept_answers.MAX_BYTES // 6)
    sent = browser.post(FORM, {**valid_post(), **_owner(user), "catatan": escaped,
                               **{f"teks_{i}": "\u00e9" * 2000 for i in range(40)}})
    assert sent.status_code == 302
    kept = _kept(browser)
    assert sum(len(json.dumps(name)) + sum(len(json.dumps(v)) for v in values) for name, values in kept["data"]) \
        <= kept_answers.MAX_BYTES
    assert len(json.dumps(kept)) < kept_answers.MAX_BYTES + 2048 and kept["incomplete"] is True
