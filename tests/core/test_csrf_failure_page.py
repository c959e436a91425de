"""A form posted without a valid CSRF token (page open too long, cookies blocked) gets the site's own
page in the visitor's language with a short explanation and a way home (ADR 0127), not Django's
bare English page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.a11y import form_problems

pytestmark = pytest.mark.django_db


def _refused(language: str) -> str:
    browser = Client(enforce_csrf_checks=True)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = browser.post("/akun/login/", {"login": "siti@example.id", "password": "x"})
    assert response.status_code == 403
    return response.content.decode()


def test_csrf_failure_page_is_the_sites_page_in_indonesian_with_a_link_home() -> None:
    html = _refused("id")
    assert '<html lang="id">' in html and 'class="brand"' in html  # the site's own layout
    assert "<h1>Formulir tidak dapat dikirim</h1>" in html
    assert "Muat ulang halaman" in html
    assert '<a href="/">Kembali ke beranda</a>' in html
    assert "CSRF verification failed" not in html and "Forbidden" not in html
    assert form_problems(html) == []


def test_csrf_failure_page_in_english() -> None:
    html = _refused("en")
    assert '<html lang="en">' in html and "<h1>The form could not be sent</h1>" in html
    assert '<a href="/">Back to the home page</a>' in html
