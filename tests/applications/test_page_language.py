"""The citizen's application pages name the service and the agency in the visitor's language.

A fresh-user trial found "My applications", the review page and the status page showing the
Indonesian service and agency names on English pages although both have English names (the form
page itself was already in English)."""

from __future__ import annotations

import re

import pytest

from satupintu.applications.models import Application, DefinitionVersion
from tests.applications.conftest import valid_post
from tests.applications.people import citizen_loa2

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


CASES = [
    ("en", "Test service", "Directorate General of Civil Registration", "Layanan uji", "Ditjen Dukcapil"),
    ("id", "Layanan uji", "Ditjen Dukcapil", "Test service", "Directorate General of Civil Registration"),
]


def test_application_pages_use_the_visitors_language(version: DefinitionVersion) -> None:
    agency_row = version.definition.agency
    agency_row.name_en = "Directorate General of Civil Registration"
    agency_row.save(update_fields=["name_en"])
    _user, me = citizen_loa2()
    saved = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), "_review": "1"})
    assert saved.status_code == 302, saved.status_code
    review_url = saved["Location"]
    reviews = {}
    for language, *_names in CASES:
        me.cookies["satupintu_lang"] = language
        reviews[language] = me.get(review_url).content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', reviews["id"]).group(1)
    status_url = me.post(review_url, {"idempotency_key": key})["Location"]
    assert Application.objects.get().tracking_number
    for language, service, agency, other_service, other_agency in CASES:
        me.cookies["satupintu_lang"] = language
        pages = {"review": reviews[language], "status": me.get(status_url).content.decode(),
                 "mine": me.get("/permohonan/saya/").content.decode()}
        for name, html in pages.items():
            main = html.split("<main", 1)[1].split("</main>", 1)[0]
            assert service in main, (language, name)
            assert other_service not in main, (language, name)
            if name != "review":
                assert agency in main, (language, name)
                assert other_agency not in main, (language, name)
