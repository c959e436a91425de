"""An unknown ``?lang=`` value (a typo, a tampered link) keeps the language the visitor chose with
the language switch instead of dropping it: a fresh-user trial with English chosen opened
``/?lang=xx`` and got the Indonesian page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


CASES = [("en", "xx", "en"), ("en", "", "en"), ("id", "en", "en"), ("", "xx", "id"), ("en", "id", "id")]


def test_an_unknown_lang_parameter_keeps_the_chosen_language() -> None:
    for cookie, query, expected in CASES:
        client = Client()
        if cookie:
            client.cookies["satupintu_lang"] = cookie
        response = client.get("/", {"lang": query} if query else {})
        assert f'<html lang="{expected}"' in response.content.decode(), (cookie, query)
        assert response["Content-Language"] == expected
