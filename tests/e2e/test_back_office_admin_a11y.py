"""The back-office an agency administrator uses (``/kelola/``, Django admin) passes axe (WCAG 2.2 AA).

The portal's own pages are checked in the journeys; these are the admin pages an officer uses to keep
the catalogue, whose stylesheet and widgets come from Django (fixed in ``admin-a11y.css`` and the
catalogue's ModelAdmin, ADR 0138). Each page also has one h1, a skip link and a language, in Indonesian
and in English, and a focused link shows a focus ring.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import check_accessibility, make_officer_account, sign_in_back_office, snap

pytestmark = pytest.mark.e2e
ADMIN = ("admin.dukcapil.a11y@e2e.example.go.id", "Sandi-Admin-Instansi-E2e-2026!")


def _page_checks(page: Page, label: str, lang: str) -> list[dict[str, object]]:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("a[href='#content-start'], a.skip-to-content-link")).to_have_count(1)
    return check_accessibility(page, label)


def test_agency_admin_catalogue_pages_are_accessible(server: str, page: Page) -> None:
    make_officer_account(*ADMIN, "dukcapil", ["agency_admin"], "Admin Dukcapil A11y")
    sign_in_back_office(page, server, *ADMIN)
    failures: dict[str, object] = {}
    page.goto(server + "/kelola/catalog/service/")
    change = page.locator("#result_list tbody th a").first.get_attribute("href")
    pages = [("/kelola/", "kelola: home"),
             ("/kelola/catalog/", "kelola: catalogue (breadcrumbs)"),
             ("/kelola/catalog/service/", "kelola: services (filters)"),
             (change, "kelola: service change form (life events, channels)")]
    for lang in ("id", "en"):
        page.context.add_cookies([{"name": "satupintu_lang", "value": lang, "url": server}])
        for path, label in pages:
            response = page.goto(server + str(path))
            assert response is not None and response.status == 200, path
            bad = _page_checks(page, f"{label} ({lang})", lang)
            if bad:
                failures[f"{path} ({lang})"] = bad
        snap(page, f"kelola-service-change-{lang}")
    assert failures == {}

    # Keyboard: the skip link comes first, then a focused breadcrumb link shows the focus ring.
    page.goto(server + "/kelola/catalog/")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-to-content-link")).to_be_focused()
    crumb = page.locator("div.breadcrumbs a").first
    crumb.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(crumb).to_be_focused()
    ring = crumb.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }")
    assert ring == ["solid", "3px"]
