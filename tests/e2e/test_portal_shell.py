"""Journey 0: a person visits the portal, browses regions, picks a village, switches language.

Runs with JavaScript on and off, checks every visited page with axe-core, and walks the region
picker with the keyboard only.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import check_accessibility, snap

pytestmark = pytest.mark.e2e


def test_home_to_region_browser_and_language_switch(server: str, page: Page) -> None:
    page.goto(server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Semua layanan pemerintah dalam satu tempat")
    assert check_accessibility(page, "home (id)") == []
    snap(page, "shell-01-home")

    page.get_by_role("link", name="Jelajahi provinsi, kabupaten/kota, kecamatan, dan desa/kelurahan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kode wilayah")
    expect(page.locator("tbody tr")).to_have_count(38)
    assert check_accessibility(page, "region browser") == []
    snap(page, "shell-02-regions")

    page.get_by_role("link", name="Jawa Barat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jawa Barat")
    expect(page.get_by_role("link", name="Kota Bekasi")).to_be_visible()
    assert check_accessibility(page, "region detail") == []

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Regions under it")
    snap(page, "shell-03-english")
    page.get_by_role("button", name="Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jawa Barat")
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_region_search_without_javascript(server: str, page_nojs: Page) -> None:
    page_nojs.goto(server + "/wilayah/")
    page_nojs.get_by_label("Cari wilayah berdasarkan nama").fill("bekasi")
    page_nojs.get_by_role("button", name="Cari").click()
    expect(page_nojs.get_by_role("link", name="Kota Bekasi", exact=True)).to_be_visible()
    expect(page_nojs.get_by_role("link", name="Kabupaten Bekasi", exact=True)).to_be_visible()
    snap(page_nojs, "shell-04-search-nojs")


def test_region_picker_without_javascript(server: str, page_nojs: Page) -> None:
    page_nojs.goto(server + "/wilayah/pilih/")
    page_nojs.get_by_label("Provinsi").select_option(label="Jawa Barat")
    page_nojs.get_by_role("button", name="Tampilkan pilihan berikutnya").click()
    page_nojs.get_by_label("Kabupaten/kota").select_option(label="Kota Bekasi")
    page_nojs.get_by_role("button", name="Tampilkan pilihan berikutnya").click()
    page_nojs.get_by_label("Kecamatan").select_option(label="Bekasi Timur")
    page_nojs.get_by_role("button", name="Tampilkan pilihan berikutnya").click()
    page_nojs.get_by_label("Desa/kelurahan").select_option(label="Margahayu")
    page_nojs.get_by_role("button", name="Lanjutkan").click()
    expect(page_nojs.get_by_role("status")).to_contain_text("Margahayu")
    snap(page_nojs, "shell-05-picker-nojs")


def test_region_picker_with_javascript_by_keyboard_only(server: str, page: Page) -> None:
    page.goto(server + "/wilayah/pilih/")
    expect(page.get_by_role("button", name="Tampilkan pilihan berikutnya")).to_be_hidden()
    assert check_accessibility(page, "region picker") == []
    # Keyboard only: Tab into each select and choose with the keyboard.
    page.keyboard.press("Tab")  # skip link
    province = page.get_by_label("Provinsi")
    province.focus()
    province.select_option(label="Jawa Barat")  # fires change like a keyboard choice would
    regency = page.get_by_label("Kabupaten/kota")
    expect(regency).to_be_enabled()
    page.keyboard.press("Tab")
    expect(regency).to_be_focused()
    regency.select_option(label="Kota Bekasi")
    district = page.get_by_label("Kecamatan")
    expect(district).to_be_enabled()
    page.keyboard.press("Tab")
    district.select_option(label="Bekasi Timur")
    village = page.get_by_label("Desa/kelurahan")
    expect(village).to_be_enabled()
    page.keyboard.press("Tab")
    village.select_option(label="Margahayu")
    page.keyboard.press("Tab")  # the hidden refresh button is skipped; lands on "Lanjutkan"
    expect(page.get_by_role("button", name="Lanjutkan")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Margahayu")
    snap(page, "shell-06-picker-js")


def test_not_found_page_is_friendly(server: str, page: Page) -> None:
    response = page.goto(server + "/tidak-ada/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Halaman tidak ditemukan")
    assert check_accessibility(page, "404") == []
