"""A file chosen on the application form is never lost by a button that only re-renders the form
("Tambah lagi" of a repeating group) nor by a submit that fails on another answer (ADR 0115, 0122):
the browser cannot re-fill a file input, so the page shows "Sudah diunggah: name" and the next
save uses the kept file."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import check_accessibility, snap
from tests.e2e.test_journey_citizen import AKTA, _nik, _today, make_citizen_account, sign_in_citizen

pytestmark = pytest.mark.e2e


def _pdf(folder: Path, name: str) -> Path:
    from pypdf import PdfWriter

    path = folder / name
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as out:
        writer.write(out)
    return path


def _kept(page: Page, field_id: str | None) -> Locator:
    """The "already uploaded" note of the file input ``field_id``."""
    return page.locator(f"#{field_id}_staged")


def test_kept_files_survive_add_another_and_a_failed_submit(server: str, page: Page,
                                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("kept")
    marriage, birth, family = (_pdf(folder, name) for name in ("buku-nikah.pdf", "surat-lahir.pdf", "kk.pdf"))
    email = f"kept.{time.time_ns()}@e2e.example.id"
    nik = _nik(time.time_ns() % 9000 + 1)
    sign_in_citizen(page, server, email, make_citizen_account(email, nik, "Ratna Sari Dewi"), email)
    page.goto(server + f"/layanan/{AKTA}/")
    page.get_by_role("link", name="Ajukan online").first.click()
    page.get_by_label("Nama anak").fill("Putri Ayu Lestari")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Tanggal lahir anak").fill((_today() - dt.timedelta(days=12)).isoformat())
    page.get_by_label("Provinsi").select_option(label="Jawa Tengah")
    expect(page.get_by_label("Kabupaten/kota")).to_be_enabled()
    page.get_by_label("Kabupaten/kota").select_option(label="Kota Semarang")
    page.get_by_label("Anak ke-").fill("1")
    page.locator("#id_orang_tua_diketahui_0").check()
    page.get_by_label("NIK ibu").fill(nik)
    page.get_by_label("Nama ibu").fill("Ratna Sari Dewi")
    page.locator("#id_punya_buku_nikah_0").check()
    page.get_by_label("Ibu", exact=True).check()
    page.get_by_label("NIK saksi").fill(_nik(7001, dt.date(1980, 1, 2), "M"))
    page.get_by_label("Nama saksi").fill("Bambang Wijaya")

    # A file chosen, then "Tambah lagi": the form only re-renders, and the file is kept.
    marriage_input = page.get_by_label("Buku nikah/kutipan akta perkawinan orang tua")
    field_id = marriage_input.get_attribute("id")
    marriage_input.set_input_files(marriage)
    page.get_by_role("button", name="Tambah lagi").click()
    expect(page.locator("#id_saksi-1-nik")).to_be_visible()
    expect(_kept(page, field_id)).to_contain_text(f"Sudah diunggah: {marriage.name}")
    snap(page, "kept-files-01-after-add-another")
    assert check_accessibility(page, "application form: file kept after add another") == []

    # A submit that fails on another answer (a bad witness NIK) keeps both files.
    page.locator("#id_saksi-1-nik").fill("1234")
    page.locator("#id_saksi-1-nama").fill("Sri Wahyuni")
    page.get_by_label("Surat keterangan kelahiran", exact=False).set_input_files(birth)
    page.get_by_role("button", name="Simpan dan tinjau").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".error-summary")).to_contain_text("Berkas yang lolos pemeriksaan sudah disimpan")
    expect(_kept(page, field_id)).to_contain_text(f"Sudah diunggah: {marriage.name}")
    expect(page.locator(".staged-file").filter(has_text=birth.name)).to_have_count(1)
    snap(page, "kept-files-02-after-failed-submit")

    # The fix, without choosing the kept files again.
    page.locator("#id_saksi-1-nik").fill(_nik(7002, dt.date(1985, 3, 4), "F"))
    page.get_by_label("Kartu Keluarga").set_input_files(family)
    page.get_by_role("button", name="Simpan dan tinjau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa jawaban Anda")
    answers = page.locator("main dl.answers").first
    for shown in (marriage.name, birth.name, family.name, "Sri Wahyuni"):
        expect(answers).to_contain_text(shown)
    expect(page).to_have_url(re.compile(r"/tinjau/$"))
    # The failed submit is answered 422 (the browser logs it); nothing else may be logged (CSP).
    errors = page.csp_errors  # type: ignore[attr-defined]
    assert [e for e in errors if "422 (Unprocessable Entity)" not in e] == []
