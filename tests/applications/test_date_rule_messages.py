"""A date outside a form's rule names the last (or first) allowed day in words, in the visitor's
language: a fresh-user trial read "Tanggal harus sebelum 2026-12-02" for a birth date in the future
(an ISO date, and the day after the last one allowed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, timezone, translation

from satupintu.applications.models import Application, DefinitionVersion
from tests.applications.conftest import valid_post
from tests.applications.people import citizen_loa2

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


def test_date_rule_messages_name_the_allowed_day_in_words(version: DefinitionVersion) -> None:  # noqa: ARG001
    _user, me = citizen_loa2()
    yesterday = timezone.localdate() - dt.timedelta(days=1)  # rule "before: today": yesterday is the last day
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    cases = [("id", future, "Tanggal lahir: Tanggal paling lambat {}.", yesterday),
             ("en", future, "Date of birth: The date must be {} or earlier.", yesterday),
             ("id", "1900-01-01", "Tanggal lahir: Tanggal paling awal {}.", dt.date(1900, 1, 2)),
             ("en", "1899-05-05", "Date of birth: The date must be {} or later.", dt.date(1900, 1, 2))]
    for language, posted, template, day in cases:
        me.cookies["satupintu_lang"] = language
        response = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), "tanggal_lahir": posted,
                                                                 "_review": "1"})
        assert response.status_code == 422
        with translation.override(language):
            expected = template.format(formats.date_format(day, "j F Y"))
        assert expected in response.content.decode(), (language, posted, expected)
    assert not Application.objects.exists()


def test_date_answers_are_shown_in_words(version: DefinitionVersion) -> None:  # noqa: ARG001
    """The review and status pages showed a date answer as typed by the browser (``1990-01-01``)."""
    _user, me = citizen_loa2()
    saved = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), "_review": "1"})
    for language, shown in (("id", "<dd>1 Januari 1990</dd>"), ("en", "<dd>1 January 1990</dd>")):
        me.cookies["satupintu_lang"] = language
        html = me.get(saved["Location"]).content.decode()
        assert shown in html and "1990-01-01" not in html.split("<main", 1)[1], language
