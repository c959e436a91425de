"""A citizen signed out (or signed in again) in another tab, then sends the form left open in the
first tab: nothing typed is lost (ADR 0139). A real browser without JavaScript: it sends the
form's CSRF token and its own ``Origin`` header, as citizens' browsers do."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import complete_sign_in, snap
from tests.e2e.test_journey_citizen import AKTA, PASSWORD, _nik, make_citizen_account, sign_in_citizen

pytestmark = pytest.mark.e2e
NOTICE = "Jawaban Anda disimpan sementara"


def _start_form(page: Page, server: str, child: str) -> None:
    page.goto(server + f"/permohonan/layanan/{AKTA}/")
    page.get_by_label("Nama anak").fill(child)
    page.get_by_label("Perempuan").check()


def _sign_out_in_another_tab(page: Page, server: str) -> Page:
    other = page.context.new_page()
    other.goto(server + "/akun/logout/")
    other.locator("main").get_by_role("button").first.click()
    expect(other.locator(".messages")).to_contain_text("Anda telah keluar.")
    return other


def test_answers_survive_signing_out_or_in_again_in_another_tab(server: str, page_nojs: Page) -> None:
    page = page_nojs
    email = f"formkeep.{time.time_ns()}@e2e.example.id"
    secret = make_citizen_account(email, _nik(time.time_ns() % 9000 + 1), "Ratna Sari Dewi")
    sign_in_citizen(page, server, email, secret, email)

    # Signed out in another tab: the form sent here leads to sign-in, then back, filled in.
    _start_form(page, server, "Putri Ayu Lestari")
    _sign_out_in_another_tab(page, server).close()
    page.get_by_role("button", name="Simpan draf dan lanjutkan nanti").click()
    expect(page).to_have_url(re.compile(r"/akun/login/\?next="))
    expect(page.locator(".messages")).to_contain_text("Sesi Anda telah berakhir")
    complete_sign_in(page, email, PASSWORD)
    expect(page.locator(".kept-answers")).to_contain_text(NOTICE)
    expect(page.get_by_label("Nama anak")).to_have_value("Putri Ayu Lestari")
    expect(page.get_by_label("Perempuan")).to_be_checked()
    snap(page, "kept-answers-01-after-sign-in")

    # Signed out and in again in another tab (a new CSRF token): kept too, shown at once.
    page.get_by_label("Nama anak").fill("Putri Ayu Lestari Kedua")
    other = _sign_out_in_another_tab(page, server)
    sign_in_citizen(other, server, email, secret, email)
    other.close()
    page.get_by_role("button", name="Simpan draf dan lanjutkan nanti").click()
    expect(page).to_have_url(re.compile(rf"/permohonan/layanan/{AKTA}/$"))
    expect(page.locator(".messages")).to_contain_text("Anda masuk atau keluar di tab atau jendela lain")
    expect(page.get_by_label("Nama anak")).to_have_value("Putri Ayu Lestari Kedua")
    snap(page, "kept-answers-02-after-new-token")

    # Shown once; nothing was saved by itself.
    page.reload()
    expect(page.locator(".kept-answers")).to_have_count(0)
    expect(page.get_by_label("Nama anak")).to_have_value("")
    expect(page.locator(".saved-drafts")).to_have_count(0)
