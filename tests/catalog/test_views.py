"""Portal pages: home, service, agencies, life events, sitemap, structured data, weight, languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client

from satupintu.catalog.models import Channel, Service

pytestmark = pytest.mark.django_db
CSS = Path(__file__).resolve().parents[2] / "src/satupintu/core/static/satupintu/css/site.css"


def test_home_puts_search_first_then_priorities_life_events_and_popular(shared_catalog, client: Client) -> None:
    html = client.get("/").content.decode()
    search_at = html.index('role="search"')
    assert search_at < html.index('id="prioritas"') < html.index('id="peristiwa"') < html.index('id="populer"')
    assert html.count('href="/prioritas/') == 9
    assert html.count('href="/peristiwa/') >= 14
    assert 'label for="q"' in html and html.count("<h1") == 1


def test_most_used_services_follow_page_views(shared_catalog, client: Client) -> None:
    client.get("/layanan/kpu-cek-dpt/")
    client.get("/layanan/kpu-cek-dpt/")
    assert Service.objects.get(slug="kpu-cek-dpt").view_count == 2
    html = client.get("/").content.decode()
    popular = html[html.index('id="populer"'):]
    assert re.search(r'href="/layanan/([a-z0-9-]+)/"', popular).group(1) == "kpu-cek-dpt"


def test_service_page_shows_all_components_and_rupiah_fees(shared_catalog, client: Client) -> None:
    html = client.get("/layanan/imigrasi-paspor-baru/").content.decode()
    assert "Rp 350.000" in html and "Rp 1.000.000" in html
    for n in range(1, 15):
        assert f"<h3>{n}. " in html
    assert html.count("<h1") == 1


def test_free_service_says_free_and_duration_in_working_days(shared_catalog, client: Client) -> None:
    html = client.get("/layanan/dukcapil-kk-baru/").content.decode()
    assert "Gratis" in html and "1 hari kerja" in html


def test_apply_online_appears_only_for_services_online_on_the_portal(shared_catalog, client: Client) -> None:
    assert "/layanan/polri-skck/ajukan/" not in client.get("/layanan/polri-skck/").content.decode()
    Channel.objects.create(service=Service.objects.get(slug="polri-skck"), kind="portal", name="satupintu")
    html = client.get("/layanan/polri-skck/").content.decode()
    assert 'class="button" href="/layanan/polri-skck/ajukan/"' in html and "Ajukan online" in html
    assert client.get("/layanan/polri-skck/ajukan/").status_code == 200


def test_service_page_carries_government_service_json_ld(shared_catalog, client: Client) -> None:
    html = client.get("/layanan/polri-skck/").content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert raw is not None
    data = json.loads(raw.group(1))
    assert data["@type"] == "GovernmentService" and data["provider"]["@type"] == "GovernmentOrganization"
    assert data["offers"] == {"@type": "Offer", "price": 30000, "priceCurrency": "IDR"}
    assert "<script>" not in html  # no executable inline script (CSP)


def test_json_ld_cannot_break_out_of_its_script_element(shared_catalog, client: Client) -> None:
    Service.objects.filter(slug="polri-skck").update(name_id="</script><script>alert(1)</script>")
    html = client.get("/layanan/polri-skck/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and json.loads(block)["name"].startswith("</script>")


def test_english_switch_translates_service_names(shared_catalog, client: Client) -> None:
    html = client.get("/layanan/polri-skck/?lang=en").content.decode()
    assert '<html lang="en">' in html
    assert Service.objects.get(slug="polri-skck").name_en in html and "Where to apply" in html


def test_every_service_is_listed_on_its_agency_page(shared_catalog, client: Client) -> None:
    pages: dict[str, str] = {}
    for service in Service.objects.select_related("agency"):
        code = service.agency.code
        if code not in pages:
            response = client.get(f"/instansi/{code}/")
            assert response.status_code == 200
            pages[code] = response.content.decode()
        assert f'href="/layanan/{service.slug}/"' in pages[code]


def test_agency_directory_and_life_event_pages(shared_catalog, client: Client) -> None:
    html = client.get("/instansi/").content.decode()
    assert 'href="/instansi/dukcapil/"' in html and html.count("<tr>") >= 31
    event = client.get("/peristiwa/kelahiran/").content.decode()
    assert 'href="/layanan/dukcapil-akta-kelahiran/"' in event
    assert client.get("/peristiwa/").status_code == 200
    assert client.get("/prioritas/sim-online/").status_code == 200


@pytest.mark.parametrize("path", ["/layanan/tidak-ada/", "/instansi/tidak-ada/", "/peristiwa/tidak-ada/",
                                  "/prioritas/tidak-ada/", "/layanan/tidak-ada/ajukan/"])
def test_unknown_pages_are_friendly_404s(shared_catalog, client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and "Halaman tidak ditemukan" in response.content.decode()


def test_sitemap_lists_every_service(shared_catalog, client: Client) -> None:
    xml = client.get("/sitemap.xml").content.decode()
    for slug in Service.objects.values_list("slug", flat=True):
        assert f"/layanan/{slug}/</loc>" in xml
    assert "/instansi/dukcapil/</loc>" in xml and "/peristiwa/kelahiran/</loc>" in xml


@pytest.mark.parametrize("path", ["/", "/layanan/", "/layanan/?q=ktp", "/layanan/imigrasi-paspor-baru/",
                                  "/instansi/", "/instansi/dukcapil/", "/peristiwa/kelahiran/"])
def test_each_page_with_its_css_weighs_under_60_kb(shared_catalog, client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert len(response.content) + CSS.stat().st_size < 60 * 1024
    html = response.content.decode()
    assert "<script src" not in html and "fonts.googleapis" not in html


def test_search_page_paginates_without_javascript(shared_catalog, client: Client) -> None:
    html = client.get("/layanan/").content.decode()
    assert 'rel="next"' in html and "page=2" in html


def test_indonesian_only_content_is_marked_lang_id_on_english_pages(shared_catalog, client: Client) -> None:
    """WCAG 2.2 SC 3.1.2: requirements and procedure exist only in Indonesian, so an English page marks them."""
    service = Service.objects.get(slug="polri-skck")
    english = client.get("/layanan/polri-skck/?lang=en").content.decode()
    requirements = english[english.index("1. Requirements"):english.index("2. Procedure")]
    assert '<ul lang="id">' in requirements and service.requirements[0] in requirements
    assert f'<h1>{service.name_en}</h1>' in english  # English name shown: no lang override
    indonesian = client.get("/layanan/polri-skck/?lang=id").content.decode()
    main = indonesian[indonesian.index("<main"):indonesian.index("</main>")]
    assert "Persyaratan" in main and 'lang="id"' not in main


def test_service_without_english_name_is_marked_lang_id(shared_catalog, client: Client) -> None:
    service = Service.objects.get(slug="polri-skck")
    Service.objects.filter(pk=service.pk).update(name_en="")
    english = client.get("/layanan/polri-skck/?lang=en").content.decode()
    assert f'<h1 lang="id">{service.name_id}</h1>' in english
