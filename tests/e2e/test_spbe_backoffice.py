"""The SPBE back-office as a platform administrator: inventory, reports with SVG charts, index, moratorium.

Every page is checked with axe-core; the reports must be readable without JavaScript.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import check_accessibility, sign_in_back_office, snap

pytestmark = pytest.mark.e2e

PAGES = [
    ("/backoffice/spbe/", "spbe home"),
    ("/backoffice/spbe/aplikasi/", "spbe inventory"),
    ("/backoffice/spbe/laporan/", "spbe reports"),
    ("/backoffice/spbe/asumsi/", "spbe waste assumption"),
    ("/backoffice/spbe/moratorium/", "spbe moratorium list"),
    ("/backoffice/spbe/indeks/", "spbe index"),
]


def test_spbe_pages_are_accessible(server: str, page: Page) -> None:
    sign_in_back_office(page, server)
    failures = {}
    for path, label in PAGES:
        response = page.goto(server + path)
        assert response is not None and response.status == 200, path
        expect(page.locator("h1")).to_have_count(1)
        bad = check_accessibility(page, label)
        if bad:
            failures[path] = bad
        snap(page, "spbe-" + label.replace(" ", "-"))
    assert failures == {}


def test_spbe_reports_readable_without_javascript(server: str, page_nojs: Page) -> None:
    sign_in_back_office(page_nojs, server)
    page_nojs.goto(server + "/backoffice/spbe/laporan/")
    expect(page_nojs.locator("svg[role=img]").first).to_be_visible()
    expect(page_nojs.locator("table").first).to_be_visible()
