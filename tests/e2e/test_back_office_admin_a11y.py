"""The back-office (``/kelola/``, Django admin) passes axe (WCAG 2.2 AA).

The portal's own pages are checked in the journeys; these are the admin pages an officer uses to keep
the catalogue, whose stylesheet and widgets come from Django (fixed in ``admin-a11y.css`` and the
catalogue's ModelAdmin, ADR 0138), and the pages only platform admins use that Django and allauth
register themselves: groups, e-mail addresses, MFA authenticators, user sessions (fixed by our
``admin/widgets/split_datetime.html`` and the group admin's checkboxes, ADR 0141). Each page also has
one h1, a skip link and a language, in Indonesian and in English, and a focused link shows a focus ring.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    E2E_TOTP_SECRETS,
    check_accessibility,
    make_officer_account,
    manage_shell,
    sign_in_back_office,
    snap,
)

pytestmark = pytest.mark.e2e
ADMIN = ("admin.dukcapil.a11y@e2e.example.go.id", "Sandi-Admin-Instansi-E2e-2026!")
PLATFORM_ADMIN = ("platform.a11y@e2e.example.go.id", "Sandi-Admin-Platform-E2e-2026!")


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


def _first_change_link(page: Page, server: str, changelist: str) -> str:
    page.goto(server + changelist)
    href = page.locator("#result_list tbody th a").first.get_attribute("href")
    assert href, changelist
    return href


def test_platform_admin_pages_registered_by_django_and_allauth_are_accessible(server: str, page: Page) -> None:
    email, password = PLATFORM_ADMIN
    E2E_TOTP_SECRETS[email] = manage_shell(
        "from django.contrib.auth.models import Group, Permission; from satupintu.identity.models import User; "
        "from satupintu.identity.testing import activate_totp, verify_email; "
        f"u = User.objects.create_superuser({email!r}, {password!r}); verify_email(u); "
        "g = Group.objects.create(name='Pengelola katalog A11y'); "
        "g.permissions.add(*Permission.objects.filter(content_type__app_label='catalog')); print(activate_totp(u))"
    ).strip().splitlines()[-1]
    sign_in_back_office(page, server, email, password)  # also makes this admin's user session
    pages = [("/kelola/auth/group/", "kelola: groups"),
             ("/kelola/auth/group/add/", "kelola: group add form (permissions)"),
             (_first_change_link(page, server, "/kelola/auth/group/"), "kelola: group change form (permissions)"),
             ("/kelola/account/emailaddress/", "kelola: e-mail addresses (filters)"),
             ("/kelola/account/emailaddress/add/", "kelola: e-mail address add form"),
             (_first_change_link(page, server, "/kelola/account/emailaddress/"), "kelola: e-mail address form"),
             ("/kelola/mfa/authenticator/", "kelola: MFA authenticators (filters)"),
             ("/kelola/mfa/authenticator/add/", "kelola: MFA authenticator add form (date/time)"),
             (_first_change_link(page, server, "/kelola/mfa/authenticator/"),
              "kelola: MFA authenticator form (date/time)"),
             ("/kelola/usersessions/usersession/", "kelola: user sessions"),
             ("/kelola/usersessions/usersession/add/", "kelola: user session add form (date/time)"),
             (_first_change_link(page, server, "/kelola/usersessions/usersession/"),
              "kelola: user session form (date/time)")]
    failures: dict[str, object] = {}
    for lang in ("id", "en"):
        page.context.add_cookies([{"name": "satupintu_lang", "value": lang, "url": server}])
        for path, label in pages:
            response = page.goto(server + str(path))
            assert response is not None and response.status == 200, path
            bad = _page_checks(page, f"{label} ({lang})", lang)
            if bad:
                failures[f"{path} ({lang})"] = bad
        snap(page, f"kelola-usersession-change-{lang}")
    assert failures == {}

    # The date and time of a date-time field are each found by their label; a permission by its name.
    page.goto(server + "/kelola/mfa/authenticator/add/")
    expect(page.locator("#id_created_at_0")).to_have_accessible_name("Date:")
    expect(page.locator("#id_created_at_1")).to_have_accessible_name("Time:")
    page.goto(server + "/kelola/auth/group/add/")
    expect(page.get_by_role("checkbox", name="Can view group", exact=False).first).to_be_visible()
