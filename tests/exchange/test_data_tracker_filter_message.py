""""Who accessed my data" filtered by an agency that has no recorded read (a stale bookmark, a
changed address) says the filter matched nothing and offers the full list; it must not say that no
agency has ever read the citizen's data. A fresh-user trial saw that false sentence."""

from __future__ import annotations

import pytest
from django.test import Client

from satupintu.identity import testing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "expected"), [
    ("id", "Tidak ada akses tercatat yang cocok dengan filter ini."),
    ("en", "No recorded read matches this filter."),
])
def test_an_empty_filter_result_says_so(language: str, expected: str) -> None:
    client = Client()
    client.force_login(testing.make_citizen())
    client.cookies["satupintu_lang"] = language
    html = client.get("/akun/akses-data/?instansi=tidak-ada").content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert expected in main
    assert 'href="/akun/akses-data/"' in main
    assert "No agency has read" not in main and "Belum ada instansi" not in main
