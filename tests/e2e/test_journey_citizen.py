"""Journeys 2–4 of issue 10, in order (module state carries the citizen and the application):

2. A citizen registers with a valid NIK, verifies the e-mail by the code sent to it, sets up
   TOTP, signs out and signs in again with password + TOTP.
3. The citizen applies for a birth certificate: two witnesses in the repeatable group and PDF
   uploads, saves a draft, leaves, resumes from "Permohonan saya", submits and sees the tracking
   number. Also a keyboard-only pass (no mouse) and the form submitted with JavaScript off.
4. A Dukcapil officer signs in with MFA, finds the application in the queue, takes the task and
   asks for a revision; the citizen sees it (page and e-mail), revises and resends; the officer
   verifies and approves; the worker signs the outcome document.

Every page visited is checked with axe-core (no serious or critical violations) and
screenshotted under ``tests/e2e/artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import (
    E2E_TOTP_SECRETS,
    check_accessibility,
    fresh_totp_code,
    make_officer_account,
    manage_shell,
    sign_in_back_office,
    snap,
    wait_for_mail,
)

pytestmark = pytest.mark.e2e
AKTA = "dukcapil-akta-kelahiran"
TRACKING = re.compile(r"SP-\d{4}-\d{6}")
STATE: dict[str, Any] = {}  # shared by the journeys of this module, in order
PASSWORD = "Kelahiran-Anak-2026!"
OFFICER = ("verifikator.dukcapil@e2e.example.go.id", "Verifikator-Dukcapil-2026!")


def _today() -> dt.date:
    """Today where the platform's date rules are evaluated (Indonesia, WIB)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()


def _nik(serial: int, birth_date: dt.date = dt.date(1992, 8, 14), sex: str = "F") -> str:
    from satupintu.identity.testing import valid_nik

    return valid_nik(province="33", birth_date=birth_date, sex=sex, serial=serial)


def _a11y(page: Page, label: str, shot: str) -> None:
    """Screenshot the step and assert axe finds no serious or critical violation on it."""
    snap(page, shot)
    assert check_accessibility(page, label) == []


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small, real, valid one-page PDF (written with pypdf)."""
    from pypdf import PdfWriter

    path = tmp_path_factory.mktemp("uploads") / "surat-keterangan-lahir.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as out:
        writer.write(out)
    return path


def test_journey_2_register_verify_totp_sign_in_again(server: str, page: Page) -> None:
    email = f"ibu.{int(time.time())}@e2e.example.id"
    nik = _nik(int(time.time()) % 9000 + 1)
    page.goto(server + "/")
    page.get_by_role("link", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/akun/login/"))
    _a11y(page, "sign in", "journey2-01-login")
    page.get_by_role("link", name="daftar").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftar")
    _a11y(page, "sign up", "journey2-02-signup")
    page.get_by_label("Nama lengkap").fill("Ratna Sari Dewi")
    page.get_by_label("NIK").fill(nik)
    page.get_by_label("Tanggal lahir").fill("1992-08-14")
    page.get_by_label("Perempuan").check()
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    since = time.time() - 1
    page.get_by_role("button", name="Daftar").click()
    expect(page).to_have_url(re.compile(r"/akun/confirm-email/"))
    _a11y(page, "confirm e-mail (code)", "journey2-03-confirm-email")
    code = wait_for_mail(email, r"(?m)^([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", since).group(1)
    page.get_by_label("Kode").fill(code)
    page.get_by_role("button", name="Konfirmasi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Akun saya")
    expect(page.locator("main")).to_contain_text("loa1")
    _a11y(page, "account (profile)", "journey2-04-account")
    page.get_by_role("link", name="Autentikasi dua faktor").click()
    expect(page).to_have_url(re.compile(r"/akun/2fa/$"))
    _a11y(page, "two-factor overview", "journey2-05-2fa")
    # The re-authentication page (asked for later, once the sign-in is older than 5 minutes).
    page.goto(server + "/akun/reauthenticate/?next=/akun/2fa/")
    _a11y(page, "re-authenticate (password)", "journey2-06-reauthenticate")
    page.go_back()
    # Just signed up: adding a factor does not ask for the password again (ADR 0141).
    page.locator('main a[href$="/totp/activate/"]').click()
    expect(page).to_have_url(re.compile(r"/akun/2fa/totp/activate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktifkan Aplikasi Autentikator")
    _a11y(page, "activate TOTP", "journey2-07-totp-activate")
    secret = page.locator("#authenticator_secret").inner_text()  # shown as text for manual entry (ADR 0141)
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    page.get_by_label("Kode autentikator").fill(fresh_totp_code(secret, email))
    page.get_by_role("button", name="Aktifkan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kode Pemulihan")
    _a11y(page, "recovery codes", "journey2-08-recovery-codes")
    # Sign out.
    page.get_by_role("link", name="Akun", exact=True).click()
    page.get_by_role("link", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/akun/logout/"))
    _a11y(page, "sign out (confirm)", "journey2-09-logout")
    page.locator("main").get_by_role("button").first.click()
    expect(page.locator(".messages")).to_contain_text("Anda telah keluar.")
    expect(page.get_by_role("link", name="Masuk")).to_be_visible()
    # Sign in again: NIK + password, then the authenticator code.
    page.get_by_role("link", name="Masuk").click()
    page.locator("#id_login").fill(nik)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Autentikasi Dua Faktor")
    _a11y(page, "sign in: second factor (TOTP)", "journey2-10-totp-authenticate")
    page.get_by_label("Kode").fill(fresh_totp_code(secret, email))
    page.locator("main form").get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("link", name="Akun", exact=True)).to_be_visible()
    page.get_by_role("link", name="Akun", exact=True).click()
    expect(page.locator("main")).to_contain_text("loa2")
    expect(page.locator("main")).to_contain_text(nik)
    snap(page, "journey2-11-signed-in-loa2")
    STATE.update(email=email, nik=nik, secret=secret, storage=page.context.storage_state())
    assert page.csp_errors == []  # type: ignore[attr-defined]


def make_citizen_account(email: str, nik: str, name: str, sex: str = "F",
                         birth_date: dt.date = dt.date(1992, 8, 14)) -> str:
    """A citizen with a verified e-mail and TOTP, made through ``satupintu manage shell``; returns
    the TOTP secret (test set-up for a journey that does not register the citizen itself)."""
    code = (
        "import datetime as dt; from satupintu.identity.testing import activate_totp, make_citizen; "
        f"u = make_citizen(email={email!r}, nik={nik!r}, full_name={name!r}, sex={sex!r}, "
        f"birth_date=dt.date.fromisoformat({birth_date.isoformat()!r}), password={PASSWORD!r}); "
        "print(activate_totp(u))"
    )
    secret = manage_shell(code).strip().splitlines()[-1]
    E2E_TOTP_SECRETS[email] = secret
    return secret


def sign_in_citizen(page: Page, server: str, login: str, secret: str, who: str) -> None:
    """Sign in through the portal: NIK or e-mail + password, then the authenticator code (loa2)."""
    page.goto(server + "/akun/login/")
    page.locator("#id_login").fill(login)
    page.get_by_label("Sandi").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Masuk").click()
    page.get_by_label("Kode").fill(fresh_totp_code(secret, who))
    page.locator("main form").get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("link", name="Akun", exact=True)).to_be_visible()


def _citizen_page(page: Page, server: str) -> None:
    """Carry the journey-2 citizen's signed-in session (password + TOTP, loa2) into ``page``;
    when journey 2 did not run (``-k journey_3``), make such a citizen and sign in."""
    if "storage" not in STATE:
        email = f"ibu.{time.time_ns()}@e2e.example.id"
        nik = _nik(time.time_ns() % 9000 + 1)
        secret = make_citizen_account(email, nik, "Ratna Sari Dewi")
        sign_in_citizen(page, server, email, secret, email)
        STATE.update(email=email, nik=nik, secret=secret, storage=page.context.storage_state())
        return
    page.context.add_cookies(STATE["storage"]["cookies"])


def test_journey_3_apply_draft_resume_submit(server: str, page: Page, pdf: Path) -> None:
    _citizen_page(page, server)
    page.goto(server + f"/layanan/{AKTA}/")
    _a11y(page, "service page akta kelahiran", "journey3-01-service")
    page.get_by_role("link", name="Ajukan online").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pencatatan Kelahiran dan Penerbitan Kutipan Akta Kelahiran")
    expect(page.get_by_label("NIK pelapor")).to_have_value(STATE["nik"])  # prefilled from the account
    _a11y(page, "application form akta kelahiran (new)", "journey3-02-form")
    page.get_by_label("Nama anak").fill("Putri Ayu Lestari")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Tanggal lahir anak").fill((_today() - dt.timedelta(days=12)).isoformat())
    page.get_by_label("Provinsi").select_option(label="Jawa Tengah")
    expect(page.get_by_label("Kabupaten/kota")).to_be_enabled()  # the picker loads the next list
    page.get_by_label("Kabupaten/kota").select_option(label="Kota Semarang")
    page.get_by_label("Anak ke-").fill("1")
    page.locator("#id_orang_tua_diketahui_0").check()
    page.get_by_label("NIK ibu").fill(STATE["nik"])
    page.get_by_label("Nama ibu").fill("Ratna Sari Dewi")
    page.locator("#id_punya_buku_nikah_0").check()
    page.get_by_label("Ibu", exact=True).check()
    # The repeatable group: two witnesses ("Tambah lagi" adds a row).
    page.get_by_label("NIK saksi").fill(_nik(7001, dt.date(1980, 1, 2), "M"))
    page.get_by_label("Nama saksi").fill("Bambang Wijaya")
    page.get_by_role("button", name="Tambah lagi").click()
    expect(page.locator("#id_saksi-1-nik")).to_be_visible()
    expect(page.get_by_label("Kabupaten/kota")).to_have_value("33.74")  # the re-rendered form kept the answers
    _a11y(page, "application form: group with two rows", "journey3-03-two-witnesses")
    page.locator("#id_saksi-1-nik").fill(_nik(7002, dt.date(1985, 3, 4), "F"))
    page.locator("#id_saksi-1-nama").fill("Sri Wahyuni")
    page.get_by_label("Buku nikah/kutipan akta perkawinan orang tua").set_input_files(pdf)
    page.get_by_role("button", name="Simpan draf dan lanjutkan nanti").click()
    expect(page.locator(".messages")).to_contain_text("Jawaban Anda tersimpan")
    expect(page.locator(".existing-file")).to_contain_text(pdf.name)
    _a11y(page, "application form: draft saved", "journey3-04-draft-saved")
    # Leave, come back through "Permohonan saya" and resume.
    page.get_by_role("link", name="Beranda").click()
    page.get_by_role("link", name="Permohonan saya").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Permohonan saya")
    _a11y(page, "my applications (draft)", "journey3-05-mine")
    page.locator("main table").get_by_role("link", name="Draf").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draf permohonan")
    _a11y(page, "application status (draft)", "journey3-06-draft-status")
    page.get_by_role("link", name="Lanjutkan mengisi").click()
    expect(page.get_by_label("Nama anak")).to_have_value("Putri Ayu Lestari")
    expect(page.locator("#id_saksi-1-nama")).to_have_value("Sri Wahyuni")
    page.get_by_label("Surat keterangan kelahiran", exact=False).set_input_files(pdf)
    page.get_by_label("Kartu Keluarga").set_input_files(pdf)
    page.get_by_role("button", name="Simpan dan tinjau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa jawaban Anda")
    answers = page.locator("main dl.answers").first
    for shown in ("Putri Ayu Lestari", "Bambang Wijaya", "Sri Wahyuni", "Kota Semarang (33.74)", pdf.name):
        expect(answers).to_contain_text(shown)
    _a11y(page, "review answers", "journey3-07-review")
    page.get_by_role("button", name="Ajukan permohonan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Permohonan SP-\d{4}-\d{6}$"))
    tracking = TRACKING.search(page.get_by_role("heading", level=1).inner_text()).group(0)
    assert tracking.startswith(f"SP-{_today().year}-")
    expect(page.locator(".messages")).to_contain_text(tracking)
    expect(page.locator("main")).to_contain_text("Diajukan")
    _a11y(page, "application status (submitted)", "journey3-08-submitted")
    page.get_by_role("link", name="Permohonan saya").click()
    expect(page.locator("main table")).to_contain_text(tracking)
    STATE["tracking"] = tracking
    STATE["status_url"] = page.locator("main table").get_by_role("link", name=tracking).get_attribute("href")
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_journey_4_officer_asks_for_revision_then_approves(server: str, page: Page, browser: Any) -> None:
    assert "tracking" in STATE, "journey 3 must run first"
    tracking, email = STATE["tracking"], STATE["email"]
    make_officer_account(*OFFICER, "dukcapil", ["verifier", "approver"], "Dewi Lestari")
    officer = page
    sign_in_back_office(officer, server, *OFFICER)
    officer.get_by_role("link", name="Antrean permohonan").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Antrean permohonan")
    _a11y(officer, "officer: application queue", "journey4-01-queue")
    officer.get_by_label("Nomor permohonan").fill(tracking)
    officer.get_by_role("button", name="Saring").click()
    officer.locator("main table").get_by_role("link", name=tracking).click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(tracking)
    expect(officer.locator("main")).to_contain_text("Sri Wahyuni")  # the second witness reached the officer
    _a11y(officer, "officer: application (before taking it)", "journey4-02-detail")
    officer.get_by_role("button", name="Ambil tugas ini").click()
    expect(officer.locator(".messages")).to_contain_text("Anda telah mengambil tugas ini.")
    _a11y(officer, "officer: application (task taken)", "journey4-03-claimed")
    reason = "Nama anak belum lengkap: tulis nama lengkap sesuai surat keterangan lahir."
    since = time.time() - 1
    form = officer.locator("form.transition").filter(has=officer.locator('input[value="minta_perbaikan"]'))
    form.get_by_label("Alasan").fill(reason)
    form.get_by_role("button", name="Minta perbaikan").click()
    expect(officer.locator(".messages")).to_contain_text("Perlu perbaikan")
    _a11y(officer, "officer: revision asked", "journey4-04-revision-asked")

    # The citizen gets the e-mail and sees the request on the status page, revises and resends.
    wait_for_mail(email, rf"{tracking}: Perlu perbaikan[\s\S]*{re.escape(reason[:20])}", since)
    citizen = browser.new_context(java_script_enabled=True, viewport={"width": 1280, "height": 900},
                                  locale="en-US").new_page()
    try:
        citizen.context.add_cookies(STATE["storage"]["cookies"])
        citizen.goto(server + "/")
        citizen.get_by_role("link", name="Permohonan saya").click()
        citizen.locator("main table").get_by_role("link", name=tracking).click()
        expect(citizen.locator("main")).to_contain_text("Perlu perbaikan")
        expect(citizen.locator("main")).to_contain_text(reason)
        _a11y(citizen, "application status (revision asked)", "journey4-05-citizen-sees-revision")
        citizen.get_by_role("link", name="Perbaiki jawaban Anda").click()
        expect(citizen).to_have_url(re.compile(r"/ubah/$"))
        _a11y(citizen, "application form (revising)", "journey4-06-revise-form")
        citizen.get_by_label("Nama anak").fill("Putri Ayu Lestari Wibowo")
        citizen.get_by_role("button", name="Simpan draf dan lanjutkan nanti").click()
        expect(citizen.locator(".messages")).to_contain_text("Jawaban Anda tersimpan")
        citizen.goto(server + STATE["status_url"])
        expect(citizen.locator("main")).to_contain_text("Putri Ayu Lestari Wibowo")
        citizen.get_by_role("button", name="Kirim perbaikan").click()
        expect(citizen.locator(".messages")).to_contain_text("Terkirim")
        expect(citizen.locator("main")).to_contain_text("Diajukan")
        _a11y(citizen, "application status (revision sent)", "journey4-07-revision-sent")

        # The officer verifies and approves; the worker signs the outcome document.
        officer.reload()
        officer.get_by_role("button", name="Verifikasi").click()
        expect(officer.locator(".messages")).to_contain_text("Diverifikasi")
        officer.get_by_role("button", name="Setujui").click()
        expect(officer.locator(".messages")).to_contain_text("Disetujui")
        _a11y(officer, "officer: application approved", "journey4-08-approved")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            citizen.reload()
            if citizen.get_by_role("link", name="Unduh dokumen").count():
                break
            time.sleep(1)
        expect(citizen.get_by_role("link", name="Unduh dokumen")).to_be_visible()
        expect(citizen.locator("main")).to_contain_text("Disetujui")
        _a11y(citizen, "application status (approved, document ready)", "journey4-09-document-ready")
        download = citizen.request.get(server + citizen.get_by_role("link", name="Unduh dokumen").get_attribute("href"))
        assert download.ok and download.body().startswith(b"%PDF") and b"/ByteRange" in download.body()
    finally:
        citizen.context.close()


def _tab_to(page: Page, selector: str, limit: int = 250) -> None:
    """Press Tab until the focused element matches ``selector`` (keyboard only; fails after ``limit``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with Tab (is it focusable and in order?)")


def _key_fill(page: Page, selector: str, text: str) -> None:
    _tab_to(page, selector)
    page.keyboard.type(text)


def _key_choose(page: Page, selector: str, label: str) -> None:
    """Choose an option of a closed <select> by typing its label (the browser's type-ahead).
    Type-ahead forgets what was typed after about a second, so a slow machine may land on a
    neighbour: then wait for the buffer to clear and type again."""
    _tab_to(page, selector)
    for _ in range(4):
        page.keyboard.type(label)
        chosen = page.evaluate("s => { const e = document.querySelector(s); return e.options[e.selectedIndex].text }",
                               selector)
        if chosen == label:
            return
        page.wait_for_timeout(1500)
    raise AssertionError(f"could not choose {label!r} in {selector} by typing (got {chosen!r})")


def _key_go(page: Page, key: str) -> None:
    """Press ``key`` on a link or submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def _key_file(page: Page, selector: str, path: Path) -> None:
    """Open a file input's chooser with the keyboard (Space) and pick ``path``."""
    _tab_to(page, selector)
    for key in ("Space", "Enter", "Space"):  # Chromium may ignore a chooser asked for right after another
        try:
            with page.expect_file_chooser(timeout=5000) as chooser:
                page.keyboard.press(key)
        except PlaywrightTimeoutError:
            continue
        chooser.value.set_files(path)
        assert page.evaluate("s => document.querySelector(s).files.length", selector) == 1
        return
    raise AssertionError(f"no file chooser opened from {selector} by keyboard")


def test_journey_3_keyboard_only(server: str, page: Page, pdf: Path) -> None:
    """Journey 3 without a mouse: only Tab, Shift+Tab, Enter, Space, arrow keys and typing."""
    email = f"keyboard.{time.time_ns()}@e2e.example.id"
    nik = _nik(time.time_ns() % 9000 + 1, dt.date(1990, 2, 3), "M")
    secret = make_citizen_account(email, nik, "Agus Prasetyo", "M", dt.date(1990, 2, 3))
    page.goto(server + "/akun/login/")
    _key_fill(page, "#id_login", email)
    _key_fill(page, "#id_password", PASSWORD)
    _key_go(page, "Enter")
    _key_fill(page, "#id_code", fresh_totp_code(secret, email))
    _key_go(page, "Enter")
    expect(page.get_by_role("link", name="Permohonan saya")).to_be_visible()
    page.goto(server + f"/layanan/{AKTA}/")
    _tab_to(page, f'a[href="/layanan/{AKTA}/ajukan/"]')
    _key_go(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Pencatatan Kelahiran dan Penerbitan Kutipan Akta Kelahiran")
    _key_fill(page, "#id_nama_anak", "Bima Prasetyo")
    _tab_to(page, "#id_jenis_kelamin_0")
    page.keyboard.press("Space")  # Laki-laki
    born = _today() - dt.timedelta(days=20)
    _key_fill(page, "#id_tanggal_lahir", f"{born.month:02d}{born.day:02d}{born.year}")  # en-US mm/dd/yyyy
    _key_choose(page, "#id_tempat_lahir_0", "Jawa Tengah")
    expect(page.locator("#id_tempat_lahir_1")).to_contain_text("Kota Semarang")  # the picker loaded the list
    _key_choose(page, "#id_tempat_lahir_1", "Kota Semarang")
    expect(page.locator("#id_tempat_lahir_1")).to_have_value("33.74")
    _key_fill(page, "#id_anak_ke", "2")
    _tab_to(page, "#id_orang_tua_diketahui_0")
    page.keyboard.press("Space")  # Ya
    _key_fill(page, "#id_nik_ibu", _nik(8101, dt.date(1991, 6, 7), "F"))
    _key_fill(page, "#id_nama_ibu", "Wulan Sari")
    _key_fill(page, "#id_nik_ayah", nik)
    _key_fill(page, "#id_nama_ayah", "Agus Prasetyo")
    _tab_to(page, "#id_punya_buku_nikah_0")
    page.keyboard.press("Space")  # Ya
    _tab_to(page, "#id_hubungan_pelapor_0")
    page.keyboard.press("Space")  # Ayah
    _key_fill(page, "#id_saksi-0-nik", _nik(8102, dt.date(1970, 4, 5), "M"))
    _key_fill(page, "#id_saksi-0-nama", "Slamet Riyadi")
    _tab_to(page, 'button[name="_add-saksi"]')
    _key_go(page, "Enter")
    expect(page.locator("#id_saksi-1-nik")).to_be_visible()
    # Files after the re-render (a re-rendered form cannot keep a chosen file), in page order.
    _key_file(page, "#id_buku_nikah", pdf)
    _key_file(page, "#id_surat_keterangan_lahir", pdf)
    _key_fill(page, "#id_saksi-1-nik", _nik(8103, dt.date(1975, 9, 10), "F"))
    _key_fill(page, "#id_saksi-1-nama", "Endang Lestari")
    _tab_to(page, 'button[name="_save"]')
    _key_go(page, "Enter")
    expect(page.locator(".messages")).to_contain_text("Jawaban Anda tersimpan")
    snap(page, "journey3k-01-draft-saved")
    # Leave and resume through the menu, still by keyboard.
    _tab_to(page, 'a[href="/permohonan/saya/"]')
    _key_go(page, "Enter")
    _tab_to(page, "main table a")
    _key_go(page, "Enter")
    _tab_to(page, 'main a[href$="/ubah/"]')
    _key_go(page, "Enter")
    expect(page.locator("#id_saksi-1-nama")).to_have_value("Endang Lestari")
    _key_file(page, "#id_foto_kk", pdf)
    _tab_to(page, 'button[name="_review"]')
    _key_go(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa jawaban Anda")
    _tab_to(page, 'main form button[type="submit"]')
    _key_go(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(TRACKING)
    snap(page, "journey3k-02-submitted")
    expect(page.locator("main")).to_contain_text("Endang Lestari")


def test_journey_3_form_submit_without_javascript(server: str, page_nojs: Page, pdf: Path) -> None:
    """The form works with JavaScript off: the region picker's "next list" button, "add
    another", uploads, draft, review and submit are plain form posts."""
    page = page_nojs
    email = f"nojs.{time.time_ns()}@e2e.example.id"
    secret = make_citizen_account(email, _nik(time.time_ns() % 9000 + 1), "Siti Nurhaliza")
    sign_in_citizen(page, server, email, secret, email)
    page.goto(server + f"/permohonan/layanan/{AKTA}/")
    page.get_by_label("Nama anak").fill("Nur Aisyah")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Tanggal lahir anak").fill((_today() - dt.timedelta(days=3)).isoformat())
    page.get_by_label("Provinsi").select_option(label="Jawa Tengah")
    page.get_by_role("button", name="Tampilkan pilihan berikutnya").click()
    page.get_by_label("Kabupaten/kota").select_option(label="Kota Semarang")
    page.get_by_label("Anak ke-").fill("1")
    page.locator("#id_orang_tua_diketahui_0").check()
    page.get_by_label("NIK ibu").fill(_nik(8201, dt.date(1993, 1, 15), "F"))
    page.get_by_label("Nama ibu").fill("Siti Nurhaliza")
    page.locator("#id_punya_buku_nikah_1").check()  # no marriage book: the SPTJM instead
    page.get_by_label("Ibu", exact=True).check()
    page.get_by_label("NIK saksi").fill(_nik(8202, dt.date(1966, 12, 1), "M"))
    page.get_by_label("Nama saksi").fill("Joko Susilo")
    page.get_by_role("button", name="Tambah lagi").click()
    page.locator("#id_saksi-1-nik").fill(_nik(8203, dt.date(1969, 2, 2), "F"))
    page.locator("#id_saksi-1-nama").fill("Rina Marlina")
    page.get_by_label("SPTJM kebenaran sebagai pasangan suami istri").set_input_files(pdf)
    page.get_by_label("Surat keterangan kelahiran", exact=False).set_input_files(pdf)
    page.get_by_label("Kartu Keluarga").set_input_files(pdf)
    page.get_by_role("button", name="Simpan dan tinjau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa jawaban Anda")
    expect(page.locator("main")).to_contain_text("Rina Marlina")
    snap(page, "journey3-nojs-01-review")
    page.get_by_role("button", name="Ajukan permohonan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TRACKING)
    snap(page, "journey3-nojs-02-submitted")


def test_region_picker_ignores_an_answer_for_a_choice_passed_over(server: str, page: Page) -> None:
    """Typing a province name (type-ahead) passes over other provinces: the regency list must be
    the one of the province finally chosen, even when an earlier answer arrives last (it did not:
    the keyboard pass above sometimes got the regencies of Jawa Barat for Jawa Tengah)."""
    _citizen_page(page, server)
    held: list[Any] = []
    page.route("**/api/v1/regions?*parent=32", lambda route: held.append(route))  # answer later
    page.goto(server + f"/permohonan/layanan/{AKTA}/")
    page.get_by_label("Provinsi").select_option("32")  # Jawa Barat: its answer is held back
    page.get_by_label("Provinsi").select_option("33")  # Jawa Tengah
    expect(page.get_by_label("Kabupaten/kota")).to_contain_text("Kota Semarang")
    assert len(held) == 1
    with page.expect_response("**/api/v1/regions?*parent=32"):
        held[0].continue_()
    page.wait_for_timeout(300)  # let the late answer's handler run
    expect(page.get_by_label("Kabupaten/kota")).to_contain_text("Kota Semarang")
    expect(page.get_by_label("Kabupaten/kota")).not_to_contain_text("Kota Bogor")
