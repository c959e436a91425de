"""Portal shell: pages in both languages, error pages, health probes, security headers."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_is_indonesian_by_default_even_for_english_browsers(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in html
    assert "Semua layanan pemerintah dalam satu tempat" in html


def test_language_switch_without_javascript_sets_english_and_back(client: Client) -> None:
    response = client.post("/bahasa/", {"language": "en", "next": "/wilayah/"})
    assert response.status_code == 302 and response["Location"] == "/wilayah/"
    cookie = response.cookies["satupintu_lang"]
    assert cookie.value == "en" and cookie["httponly"] and cookie["samesite"] == "Lax"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "All government services in one place" in html
    client.post("/bahasa/", {"language": "id", "next": "/"})
    assert '<html lang="id">' in client.get("/").content.decode()


def test_page_has_landmarks_skip_link_and_one_h1(client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'class="skip-link" href="#konten"' in html
    assert '<main id="konten"' in html and "<header" in html and "<footer" in html and "<nav" in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize(
    ("language", "text"), [("id", "Halaman tidak ditemukan"), ("en", "Page not found")]
)
def test_404_page_is_friendly_in_both_languages(client: Client, language: str, text: str) -> None:
    client.cookies["satupintu_lang"] = language
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert text in response.content.decode()


def test_500_page_is_friendly_and_quotes_the_request_id(client: Client, settings) -> None:
    settings.ROOT_URLCONF = "tests.core.urls_boom"
    client.raise_request_exception = False
    response = client.get("/boom/", HTTP_X_REQUEST_ID="req-12345678")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan" in html
    assert "req-12345678" in html


def test_healthz_and_readyz(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


def test_security_headers_from_the_first_page(client: Client) -> None:
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-Id"]


def test_csrf_cookie_is_httponly_and_lax(client: Client) -> None:
    response = client.get("/")  # the language form embeds a CSRF token
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_pages_have_no_inline_scripts_or_external_assets(small_regions, client: Client) -> None:
    for path in ("/", "/wilayah/", "/wilayah/pilih/"):
        html = client.get(path).content.decode()
        assert "<script>" not in html and "<script type=\"text/javascript\">" not in html
        assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_robots_txt_keeps_back_offices_out_and_names_the_sitemap(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /kelola/" in body and "Disallow: /akun/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_every_portal_page_has_the_same_main_menu(small_regions, client: Client) -> None:
    for path in ("/", "/wilayah/", "/verifikasi/", "/akun/login/"):
        html = client.get(path).content.decode()
        menu = html.split('<ul class="nav">')[1].split("</ul>")[0]
        for link in ('href="/layanan/"', 'href="/instansi/"', 'href="/wilayah/"'):
            assert link in menu, (path, link)
