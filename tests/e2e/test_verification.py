"""Public verification page (/verifikasi/): accessible, works without JavaScript, never fails on junk."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import check_accessibility, snap

pytestmark = pytest.mark.e2e


def test_verification_page_is_accessible(server: str, page: Page) -> None:
    page.goto(server + "/verifikasi/")
    expect(page.locator("h1")).to_have_count(1)
    assert check_accessibility(page, "verification") == []


def test_uploading_a_non_pdf_without_javascript_gives_a_clear_verdict(
    server: str, page_nojs: Page, tmp_path: Path
) -> None:
    junk = tmp_path / "surat.pdf"
    junk.write_bytes(b"this is not a PDF at all\n")
    page_nojs.goto(server + "/verifikasi/")
    page_nojs.get_by_label("Dokumen PDF").set_input_files(str(junk))
    page_nojs.get_by_role("button", name="Verifikasi tanda tangan").click()
    expect(page_nojs.locator("main")).to_contain_text("PDF")
    assert "Terjadi kesalahan" not in page_nojs.content()
    snap(page_nojs, "verify-01-not-a-pdf-nojs")


def test_forged_document_id_is_a_clear_page(server: str, page_nojs: Page) -> None:
    page_nojs.goto(server + "/verifikasi/")
    page_nojs.get_by_role("textbox", name="Id dokumen", exact=False).fill("00000000-0000-0000-0000-000000000000")
    page_nojs.get_by_role("button", name="Periksa").click()
    assert "Terjadi kesalahan" not in page_nojs.content()
    expect(page_nojs.locator("h1")).to_have_count(1)
