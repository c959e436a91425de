"""Region pages and the cascading picker, used without JavaScript."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_browse_lists_provinces_and_links_down(small_regions, client: Client) -> None:
    html = client.get("/wilayah/").content.decode()
    assert 'href="/wilayah/31/"' in html and "DKI Jakarta" in html
    detail = client.get("/wilayah/32.75.01.1001/").content.decode()
    assert "17113" in detail  # postal code
    assert 'href="/wilayah/32.75/"' in detail  # breadcrumb up to the city


def test_unknown_or_malformed_region_page_is_a_friendly_404(small_regions, client: Client) -> None:
    for path in ("/wilayah/99/", "/wilayah/..%2f/", "/wilayah/32.7/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Halaman tidak ditemukan" in response.content.decode()


def test_search_page_finds_bekasi(small_regions, client: Client) -> None:
    html = client.get("/wilayah/", {"q": "bekasi"}).content.decode()
    assert "Kota Bekasi" in html and "Kabupaten Bekasi" in html


def test_picker_without_javascript_walks_down_to_a_village(small_regions, client: Client) -> None:
    page = client.get("/wilayah/pilih/").content.decode()
    assert 'name="wilayah_0"' in page and "disabled" in page
    # Choose the province and press "show the next list": the regency list is filled.
    step = client.post("/wilayah/pilih/", {"wilayah_0": "32", "_wilayah_refresh": "1"}).content.decode()
    assert '<option value="32.75">Kota Bekasi</option>' in step
    assert "field-error" not in step
    step = client.post(
        "/wilayah/pilih/", {"wilayah_0": "32", "wilayah_1": "32.75", "wilayah_2": "32.75.01", "_wilayah_refresh": "1"}
    ).content.decode()
    assert '<option value="32.75.01.1001">Margahayu</option>' in step
    done = client.post(
        "/wilayah/pilih/",
        {"wilayah_0": "32", "wilayah_1": "32.75", "wilayah_2": "32.75.01", "wilayah_3": "32.75.01.1001"},
    ).content.decode()
    assert "32.75.01.1001" in done and "Margahayu" in done


def test_picker_rejects_a_village_of_another_district(small_regions, client: Client) -> None:
    html = client.post(
        "/wilayah/pilih/",
        {"wilayah_0": "32", "wilayah_1": "32.75", "wilayah_2": "32.75.01", "wilayah_3": "31.71.01.1001"},
    ).content.decode()
    assert "field-error" in html
    assert "tidak termasuk" in html


def test_picker_requires_the_village_level(small_regions, client: Client) -> None:
    html = client.post("/wilayah/pilih/", {"wilayah_0": "32", "wilayah_1": "32.75"}).content.decode()
    assert "field-error" in html
    # The choice already made is kept.
    assert '<option value="32.75" selected>Kota Bekasi</option>' in html


@pytest.mark.parametrize(("posted", "next_list"), [
    ({"wilayah_0": "32\x00", "_wilayah_refresh": "1"}, 1),
    ({"wilayah_0": "32", "wilayah_1": "32.75\x00", "_wilayah_refresh": "1"}, 2),
    ({"wilayah_0": "32\x00"}, 1),
])
def test_picker_never_looks_up_a_malformed_posted_code(small_regions, client: Client, posted, next_list) -> None:  # noqa: ANN001
    # PostgreSQL refuses a NUL in a query parameter: the lookup was a 500 there (on SQLite an
    # empty, enabled next list). The malformed choice is dropped, so the next list waits for it.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.post("/wilayah/pilih/", posted)
    assert response.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "\x00" in q["sql"]]
    assert f'name="wilayah_{next_list}" id="id_wilayah_{next_list}" data-level="{next_list + 1}" disabled' in \
        response.content.decode()
