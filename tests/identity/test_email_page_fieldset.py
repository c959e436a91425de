"""The e-mail addresses page groups its radio buttons in a fieldset with a legend (WCAG 1.3.1,
ADR 0127): a fresh-user trial's check of rendered pages found allauth's list of addresses as bare
radio buttons, so a screen reader announced "radio button" without saying what is being chosen."""

from __future__ import annotations

import pytest
from django.test import Client

from satupintu.identity.models import User
from tests.a11y import form_problems

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "legend"), [("id", "Alamat e-mail Anda"), ("en", "Your e-mail addresses")])
def test_email_address_radios_are_a_fieldset_with_a_legend(client: Client, citizen: User, language: str,
                                                           legend: str) -> None:
    client.force_login(citizen)
    client.cookies["satupintu_lang"] = language
    html = client.get("/akun/email/").content.decode()
    assert form_problems(html) == []
    assert f"<legend>{legend}</legend>" in html
