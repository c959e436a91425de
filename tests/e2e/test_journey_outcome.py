"""Journeys 5 and 7 of issue 10, each standing alone: the application they need (a citizen with
TOTP applies for a KTP-el replacement; an officer of Dukcapil approves) is set up server-side with
the real actions (``applications.actions``) through ``manage_shell``; the browser then does the
journey's own steps.

5. The citizen (password + TOTP) downloads the signed PDF the worker made; the public verification
   page says the PDF is valid, and that a copy modified inside the signed byte range is not —
   with JavaScript on (axe-checked) and off.
7. The officer (password + TOTP) opens the application in the back-office; the citizen opens a new
   application form (prefilled) and then "Siapa yang mengakses data saya", which lists the
   officer's read.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    E2E_TOTP_SECRETS,
    check_accessibility,
    make_officer_account,
    manage_shell,
    sign_in_back_office,
    snap,
)

pytestmark = pytest.mark.e2e
# A resident of the demo population register (registries/data/penduduk_demo.json), so a register
# prefill finds them.
CITIZEN = {"email": "putri.ayu@e2e.example.id", "password": "Sandi-Warga-E2e-2026!", "name": "Putri Ayu",
           "nik": "3275014808000008", "birth_date": "2000-08-08", "sex": "F", "phone": "+6281234567808"}
OFFICER = {"email": "petugas.dukcapil@e2e.example.go.id", "password": "Sandi-Petugas-E2e-2026!",
           "name": "Petugas Dukcapil E2E"}
SERVICE = "dukcapil-ktp-el-penggantian"

_APPLY = """
import datetime as dt, io, json
from PIL import Image
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict
from satupintu.applications.actions import application_apply
from satupintu.applications.models import OnlineServiceDefinition
from satupintu.identity.testing import activate_totp, make_citizen

c = {citizen!r}
user = make_citizen(email=c["email"], password=c["password"], full_name=c["name"], nik=c["nik"],
                    birth_date=dt.date.fromisoformat(c["birth_date"]), sex=c["sex"])
secret = activate_totp(user)
definition = OnlineServiceDefinition.objects.get(slug={service!r})
version = definition.current_version()

def png(name):
    buf = io.BytesIO()
    Image.new("RGB", (64, 40), "white").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")

data = MultiValueDict({{k: [v] for k, v in {{
    "_version": str(version.number), "nik": c["nik"], "nama": c["name"], "nomor_kk": "3275010101100008",
    "alasan": "rusak", "telepon": "081234567808"}}.items()}})
files = MultiValueDict({{"foto_kk": [png("kk.png")], "foto_ktp_rusak": [png("ktp-rusak.png")]}})
app = application_apply(acting=user.as_principal(), definition=definition, data=data, files=files,
                        idempotency_key="e2e-outcome")
print(json.dumps({{"secret": secret, "id": app.pk, "tracking": app.tracking_number}}))
"""

_APPROVE = """
from satupintu.applications.actions import application_claim, application_transition
from satupintu.identity.models import User

officer = User.objects.get(email={email!r}).as_principal()
application_claim(acting=officer, application_id={app_id})
application_transition(acting=officer, application_id={app_id}, transition="verifikasi")
application_transition(acting=officer, application_id={app_id}, transition="setujui")
print("approved")
"""


@pytest.fixture(scope="module")
def case(server: str) -> dict[str, Any]:
    """The officer account and the citizen's submitted application (set up server-side)."""
    make_officer_account(OFFICER["email"], OFFICER["password"], "dukcapil", ["verifier", "approver"],
                         OFFICER["name"])
    out = manage_shell(_APPLY.format(citizen=CITIZEN, service=SERVICE))
    made = json.loads(out.strip().splitlines()[-1])
    E2E_TOTP_SECRETS[CITIZEN["email"]] = made["secret"]
    return {"id": made["id"], "tracking": made["tracking"], "approved": False}


@pytest.fixture(scope="module")
def approved(case: dict[str, Any]) -> dict[str, Any]:
    """The same application, approved by the officer (claim, verify, approve) server-side."""
    if not case["approved"]:
        manage_shell(_APPROVE.format(email=OFFICER["email"], app_id=case["id"]))
        case["approved"] = True
    return case


def _citizen_signed_in(page: Page, server: str) -> None:
    sign_in_back_office(page, server, CITIZEN["email"], CITIZEN["password"])
    expect(page.locator("#id_code")).to_have_count(0)


def _wait_for_document_link(page: Page, server: str, app_id: int, timeout: float = 120) -> None:
    """Reload the status page until the worker has signed the outcome document."""
    deadline = time.monotonic() + timeout
    page.goto(f"{server}/permohonan/{app_id}/")
    while page.locator("p.outcome-document a").count() == 0:
        assert time.monotonic() < deadline, "the worker did not sign the outcome document in time"
        time.sleep(1)
        page.reload()


def _modified_copy(pdf: bytes) -> bytes:
    """The signed PDF with one byte flipped inside the signed byte range (in the first content
    stream before the signature), so the digest no longer matches."""
    byte_range = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert byte_range is not None, "the downloaded PDF carries no signature"
    signed_end = int(byte_range.group(2))
    stream = re.search(rb"stream\r?\n", pdf)
    assert stream is not None and stream.end() + 20 < signed_end
    at = stream.end() + 10
    changed = bytearray(pdf)
    changed[at] ^= 0xFF
    return bytes(changed)


def _verify_upload(page: Page, server: str, path: Path) -> None:
    page.goto(server + "/verifikasi/")
    page.get_by_label("Dokumen PDF").set_input_files(str(path))
    page.get_by_role("button", name="Verifikasi tanda tangan").click()
    expect(page.locator(".verdict-title")).to_be_visible()


def test_journey_outcome_5_download_and_verify_signed_pdf(server: str, page: Page, page_nojs: Page,
                                                         approved: dict[str, Any], tmp_path: Path) -> None:
    _citizen_signed_in(page, server)
    _wait_for_document_link(page, server, approved["id"])
    expect(page.locator("main")).to_contain_text(approved["tracking"])
    assert check_accessibility(page, "application status with outcome document (citizen)") == []
    snap(page, "journey5-01-status-with-document")
    number = re.search(r"\(([^)]+)\)", page.locator("p.outcome-document").inner_text())
    assert number is not None
    with page.expect_download() as download_info:
        page.locator("p.outcome-document a").first.click()
    download = download_info.value
    original = tmp_path / "dokumen-hasil.pdf"
    download.save_as(str(original))
    pdf = original.read_bytes()
    assert pdf.startswith(b"%PDF-")
    modified = tmp_path / "dokumen-hasil-diubah.pdf"
    modified.write_bytes(_modified_copy(pdf))

    _verify_upload(page, server, original)
    expect(page.locator(".verdict-title")).to_have_text("Sah")
    expect(page.locator(".verdict")).to_contain_text(number.group(1))  # the document register's number
    # The signer is named in whole words (X.509 names are at most 64 characters).
    expect(page.locator(".verdict")).to_contain_text("oleh Direktorat Jenderal Kependudukan dan Pencatatan Sipil.")
    assert check_accessibility(page, "verification: valid signed PDF") == []
    snap(page, "journey5-02-verified-valid")

    _verify_upload(page, server, modified)
    verdict = page.locator(".verdict-title").inner_text().strip()
    assert verdict in ("Diubah setelah ditandatangani", "Tidak sah"), verdict
    assert check_accessibility(page, "verification: modified PDF") == []
    snap(page, "journey5-03-verified-modified")

    # The same upload with JavaScript off (the page claims to work without it).
    _verify_upload(page_nojs, server, original)
    expect(page_nojs.locator(".verdict-title")).to_have_text("Sah")
    _verify_upload(page_nojs, server, modified)
    assert page_nojs.locator(".verdict-title").inner_text().strip() == verdict
    snap(page_nojs, "journey5-04-verified-modified-nojs")
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_journey_outcome_7_who_accessed_my_data(server: str, browser: Browser, page: Page,
                                                case: dict[str, Any]) -> None:
    # The officer opens the application in the back-office (signed in with MFA): a recorded read.
    officer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        back_office = officer.new_page()
        sign_in_back_office(back_office, server, OFFICER["email"], OFFICER["password"])
        back_office.goto(f"{server}/backoffice/permohonan/{case['id']}/")
        expect(back_office.locator("main")).to_contain_text(case["tracking"])
        assert check_accessibility(back_office, "back-office application detail (officer)") == []
        snap(back_office, "journey7-01-officer-opens-application")
    finally:
        officer.close()

    # The citizen opens a new application form: what the platform already knows is prefilled — the
    # identity account's claims, and the population register's answers fetched by the applying agency
    # through the exchange gateway (a signed, logged message and a recorded read of personal data).
    _citizen_signed_in(page, server)
    page.goto(f"{server}/permohonan/layanan/{SERVICE}/")
    expect(page.locator("input[name=nik]")).to_have_value(CITIZEN["nik"])
    expect(page.locator("input[name=nama]")).to_have_value(CITIZEN["name"])
    assert check_accessibility(page, "application form with prefill (citizen)") == []
    snap(page, "journey7-02-prefilled-form")
    page.goto(f"{server}/permohonan/layanan/polri-skck/")
    expect(page.locator("input[name=tempat_lahir]")).to_have_value("Bekasi")  # from the population register
    expect(page.locator("textarea[name=alamat-street]")).to_have_value("Jl. Margahayu Raya No. 9")
    expect(page.locator("select[name=alamat-region_3]")).to_have_value("32.75.01.1001")
    assert check_accessibility(page, "SKCK form prefilled from the population register (citizen)") == []
    snap(page, "journey7-02b-register-prefill")

    # "Siapa yang mengakses data saya" lists the officer's read with agency, data items and purpose.
    page.goto(server + "/akun/akses-data/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Siapa yang mengakses data saya")
    table = page.locator("main table")
    expect(table).to_be_visible()
    row = table.locator("tbody tr", has_text="Pemrosesan permohonan")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Dukcapil")
    expect(row).to_contain_text("data permohonan")
    prefill_row = table.locator("tbody tr", has_text="Isian otomatis formulir permohonan")
    expect(prefill_row).to_have_count(1)
    expect(prefill_row).to_contain_text("Polri")
    assert check_accessibility(page, "who accessed my data (citizen)") == []
    snap(page, "journey7-03-who-accessed-my-data")
    assert page.csp_errors == []  # type: ignore[attr-defined]
