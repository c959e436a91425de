"""Sign-up, sign-in and password-reset errors (django-allauth's forms) get the site's error summary
(ADR 0127), like every other form: one box at the top, each error linking to its control.

A fresh-user trial found these forms showing their errors only beside each field: on the seven-field
sign-up page a screen-reader user was told nothing on arrival (WCAG 3.3.1)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.a11y import form_problems

pytestmark = pytest.mark.django_db


def _summary(html: str) -> list[tuple[str, str]]:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    box = re.search(r'<div class="error-summary" role="alert" tabindex="-1">(.*?)</div>', main, re.S)
    assert box, main[:3000]
    assert form_problems(html) == []
    items = re.findall(r"<li>(.*?)</li>", box.group(1), re.S)
    return [(m.group(1), m.group(2)) if (m := re.match(r'<a href="#([^"]+)">(.*)</a>', i)) else ("", i)
            for i in items]


@pytest.mark.parametrize(("language", "heading", "nik_rule"), [
    ("id", "Mohon perbaiki hal berikut", "NIK: NIK harus tepat 16 digit."),
    ("en", "Please correct the following", "NIK: NIK must be exactly 16 digits."),
])
def test_sign_up_errors_have_a_summary(language: str, heading: str, nik_rule: str) -> None:
    client = Client()
    client.cookies["satupintu_lang"] = language
    response = client.post("/akun/signup/", {"full_name": "Budi", "nik": "123", "birth_date": "1990-01-01",
                                             "sex": "M", "email": "budi@example.com",
                                             "password1": "Sandi-Rahasia-2026", "password2": "Sandi-Rahasia-2026"})
    assert response.status_code == 200
    assert heading in response.content.decode().split("error-summary", 1)[1][:300]
    assert ("id_nik", nik_rule) in _summary(response.content.decode())


def test_sign_in_and_reset_errors_have_a_summary() -> None:
    client = Client()
    login = client.post("/akun/login/", {"login": "siapa@example.com", "password": "salah-sekali-123"})
    assert [text for _anchor, text in _summary(login.content.decode())] == [
        "NIK, e-mail, nomor ponsel, atau kata sandi tidak benar."]
    reset = client.post("/akun/password/reset/", {"email": "bukan alamat"})
    assert [anchor for anchor, _text in _summary(reset.content.decode())] == ["id_email"]
