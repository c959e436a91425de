"""Journey 1: a citizen searches "bikin ktp baru" from the home page, opens the KTP-el service, reads
it, switches to English and back — with JavaScript on (axe-checked) and off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import check_accessibility, snap

pytestmark = pytest.mark.e2e
KTP = "/layanan/dukcapil-ktp-el-baru/"


def _search_and_open(page: Page, server: str, label: str) -> None:
    page.goto(server + "/")
    page.locator("#q").fill("bikin ktp baru")
    page.get_by_role("button", name="Cari", exact=True).click()
    expect(page.locator(f'main a[href="{KTP}"]').first).to_be_visible()
    snap(page, f"journey1-01-results-{label}")
    page.locator(f'main a[href="{KTP}"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Penerbitan KTP Elektronik (KTP-el) Baru")


def test_journey_1_search_read_and_switch_language(server: str, page: Page) -> None:
    page.goto(server + "/")
    assert check_accessibility(page, "home (catalogue)") == []
    _search_and_open(page, server, "js")
    assert check_accessibility(page, "service page KTP-el") == []
    expect(page.locator("main")).to_contain_text("Kartu Keluarga")  # requirements are on the page
    snap(page, "journey1-02-service")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("New Electronic ID Card (KTP-el) Issuance")
    snap(page, "journey1-03-service-en")
    page.get_by_role("button", name="Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Penerbitan KTP Elektronik (KTP-el) Baru")
    page.goto(server + "/layanan/?q=bikin+ktp+baru")
    assert check_accessibility(page, "search results") == []
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_journey_1_without_javascript(server: str, page_nojs: Page) -> None:
    _search_and_open(page_nojs, server, "nojs")
    page_nojs.get_by_role("button", name="English").click()
    expect(page_nojs.get_by_role("heading", level=1)).to_have_text("New Electronic ID Card (KTP-el) Issuance")
