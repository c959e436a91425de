"""Form pages are rendered accessibly (WCAG 2.2 AA, ADR 0127), checked on the real rendered HTML:
ids unique, ``aria-describedby`` and error-summary links point at existing ids, radio groups are
fieldsets with a legend, no block inside a paragraph."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from tests.a11y import form_problems
from tests.applications.people import citizen_loa2

pytestmark = pytest.mark.django_db
KTP = "/permohonan/layanan/dukcapil-ktp-el-penggantian/"


@pytest.fixture
def ktp_form(settings, tmp_path) -> Client:  # noqa: ANN001
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")
    call_command("import_online_services", "--with-agencies", stdout=StringIO())
    _user, browser = citizen_loa2()
    return browser


def _version(html: str) -> str:
    match = re.search(r'name="_version" value="(\d+)"', html)
    assert match, "the form carries its version"
    return match.group(1)


def test_ktp_el_form_with_errors_references_only_existing_unique_ids(ktp_form: Client) -> None:
    page = ktp_form.get(KTP).content.decode()
    assert form_problems(page) == []
    assert 'aria-describedby="id_nomor_kk_helptext"' in page  # the help text is announced with the field
    refused = ktp_form.post(KTP, {"_version": _version(page), "nomor_kk": "x" * 201,  # too long and not 16 digits
                                  "_review": "1"})
    assert refused.status_code == 422
    body = refused.content.decode()
    assert form_problems(body) == []
    # The radio group's summary link leads to its first radio (a "#" link would go nowhere).
    assert '<a href="#id_alasan_0">' in body
    assert re.search(r'id="id_nomor_kk_error">[^<]*\. [^<]*16 digit[^<]*</p>', body), "two errors, one element"
    assert 'id="id_nomor_kk_error"' in body and 'aria-describedby="id_nomor_kk_helptext id_nomor_kk_error"' in body


def test_signup_sex_radio_group_is_a_fieldset_with_a_legend_and_nothing_nests_in_a_paragraph() -> None:
    browser = Client(HTTP_ACCEPT_LANGUAGE="id")
    page = browser.get("/akun/signup/").content.decode()
    assert form_problems(page) == []
    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>Jenis kelamin", page)
    refused = browser.post("/akun/signup/", {"full_name": "", "nik": "123", "password1": "a", "password2": "b"})
    assert refused.status_code == 200
    assert form_problems(refused.content.decode()) == []
