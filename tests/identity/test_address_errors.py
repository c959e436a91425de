"""The address page's errors, like every other form's (ADR 0127): one error summary at the top whose
links lead to each control, and the region error describing the group of region lists.

A fresh-user trial found the address page showing its errors only beside the fields: no summary
for a screen-reader user to land on (WCAG 3.3.1), and the region error tied to no control."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from satupintu.identity.models import Address, User
from tests.a11y import form_problems

pytestmark = pytest.mark.django_db
PAGE = "/akun/alamat/"


@pytest.mark.parametrize(("language", "summary", "street_label"), [
    ("id", "Mohon perbaiki hal berikut", "Jalan, nomor rumah, RT/RW"),
    ("en", "Please correct the following", "Street, house number, RT/RW"),
])
def test_address_errors_have_a_summary_linking_to_each_control(client: Client, citizen: User, small_regions,  # noqa: ANN001
                                                               language: str, summary: str,
                                                               street_label: str) -> None:
    client.force_login(citizen)
    client.cookies["satupintu_lang"] = language
    response = client.post(PAGE, {"street_address": "", "postal_code": ""})
    html = response.content.decode()
    assert not Address.objects.exists()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    box = re.search(r'<div class="error-summary" role="alert" tabindex="-1">(.*?)</div>', main, re.S)
    assert box, main[:3000]
    assert summary in box.group(1)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box.group(1))
    assert [anchor for anchor, _text in links] == ["id_street_address", "id_wilayah_0"], links
    assert links[0][1].startswith(street_label + ": ")
    assert '<fieldset aria-describedby="wilayah-error">' in main  # the group of the region lists
    assert form_problems(html) == []
