"""The real Kepmendagri 2025 data from ../shared/data/wilayah: exact counts, idempotence, API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from satupintu.regions.importer import import_regions, resolve_sources
from satupintu.regions.models import PostalCode, Region
from tests.conftest import SHARED_DATA

WILAYAH = SHARED_DATA / "wilayah"
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def real_regions(django_db_setup, django_db_blocker) -> Iterator[dict]:  # noqa: ANN001
    """Import the shared data once for this module (outside per-test transactions), then remove it."""
    if not WILAYAH.is_dir():
        pytest.fail(f"shared data missing at {WILAYAH}: the real-data tests need it")
    with django_db_blocker.unblock():
        regions_path, postal_path = resolve_sources(WILAYAH)
        first = import_regions(regions_path=regions_path, postal_path=postal_path)
        second = import_regions(regions_path=regions_path, postal_path=postal_path)
        yield {"first": first, "second": second}
        PostalCode.objects.all().delete()
        for level in (4, 3, 2, 1):
            Region.objects.filter(level=level).delete()


def test_all_regions_and_postal_codes_load_with_exact_counts(real_regions) -> None:
    first = real_regions["first"]
    assert first.by_level == {1: 38, 2: 514, 3: 7285, 4: 83762}
    assert first.regions_total == 91599
    assert first.added == 91599
    assert first.postal_total == 83762
    assert first.postal_added == 83762


def test_second_import_reports_zero_changes(real_regions) -> None:
    second = real_regions["second"]
    assert second.changes == 0
    assert second.regions_total == 91599


def test_names_keep_their_closing_parenthesis(real_regions) -> None:
    assert Region.objects.get(kode="19.04.01.2005").nama == "Kurau (Timur)"
    assert Region.objects.get(kode="31.72").nama == "Kota Administrasi Jakarta Utara"


def test_api_lists_the_cities_and_regency_of_dki_jakarta(real_regions, client: Client) -> None:
    response = client.get("/api/v1/regions", {"parent": "31"})
    assert response.status_code == 200
    body = response.json()
    names = {item["nama"] for item in body["items"]}
    assert body["count"] == 6
    assert names == {
        "Kabupaten Administrasi Kepulauan Seribu",
        "Kota Administrasi Jakarta Pusat",
        "Kota Administrasi Jakarta Utara",
        "Kota Administrasi Jakarta Barat",
        "Kota Administrasi Jakarta Selatan",
        "Kota Administrasi Jakarta Timur",
    }
    assert all(item["parent"] == "31" and item["level"] == 2 for item in body["items"])


def test_search_bekasi_finds_the_city_and_the_regency(real_regions, client: Client) -> None:
    body = client.get("/api/v1/regions", {"q": "bekasi", "level": 2}).json()
    assert {item["nama"] for item in body["items"]} == {"Kota Bekasi", "Kabupaten Bekasi"}
    anywhere = client.get("/api/v1/regions", {"q": "Bekasi"}).json()
    top_two = {item["nama"] for item in anywhere["items"][:2]}
    assert top_two == {"Kota Bekasi", "Kabupaten Bekasi"}


def test_region_browser_shows_all_38_provinces(real_regions, client: Client) -> None:
    html = client.get("/wilayah/").content.decode()
    assert html.count("<tr><td><code>") == 38
    for name in ("Aceh", "Papua Barat Daya", "Daerah Khusus Ibukota Jakarta", "Daerah Istimewa Yogyakarta"):
        assert name in html
    home = client.get("/").content.decode()
    assert "Data wilayah memuat 38 provinsi." in home
