"""A page opened the wrong way (405) and a rate-limited form (429) answer the site's own error page
in the visitor's language, never a blank page or an English-only bare page.

A fresh-user trial found ``GET`` of a form's target (e.g. ``/akun/aplikasi/<id>/cabut/``: signing in
again after pressing its button in an expired session leads there by ``next``) answering an empty 405, and the
password-reset form, after a few tries, answering allauth's bare English "Too Many Requests" page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from satupintu.identity import testing

pytestmark = pytest.mark.django_db

TEXTS = {
    "id": {405: "Halaman ini tidak dapat dibuka dengan cara ini", 429: "Terlalu banyak percobaan"},
    "en": {405: "This page cannot be opened this way", 429: "Too many attempts"},
}


def _main(response) -> str:  # noqa: ANN001
    html = response.content.decode()
    assert "<main" in html, html[:500]
    return html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("language", ["id", "en"])
def test_opening_a_form_target_with_get_shows_the_site_error_page(language: str) -> None:
    user = testing.make_citizen()
    client = Client()
    client.post("/akun/login/", {"login": user.email, "password": testing.PASSWORD})
    client.cookies["satupintu_lang"] = language
    response = client.get("/akun/aplikasi/1/cabut/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    main = _main(response)
    assert f"<h1>{TEXTS[language][405]}</h1>" in main
    assert 'href="/"' in main
    assert f'<html lang="{language}"' in response.content.decode()
    # The JSON API keeps its problem response for a wrong method.
    api = client.delete("/api/v1/services")
    assert api.status_code == 405
    assert api["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_rate_limited_form_shows_the_site_error_page(language: str) -> None:
    cache.clear()
    client = Client()
    client.cookies["satupintu_lang"] = language
    statuses = [client.post("/akun/password/reset/", {"email": "siapa@example.com"}).status_code
                for _ in range(8)]
    assert statuses[-1] == 429, statuses
    response = client.post("/akun/password/reset/", {"email": "siapa@example.com"})
    main = _main(response)
    assert f"<h1>{TEXTS[language][429]}</h1>" in main
    assert "Too Many Requests" not in response.content.decode()
    cache.clear()
