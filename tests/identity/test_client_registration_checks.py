"""The back-office client form checks "allowed scopes" (RFC 6749 §3.3 syntax and the scopes this
platform offers) and explains a refused redirect URI in the admin's language (ADR 0127)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from oauth2_provider.models import Application

from satupintu.identity import testing
from tests.identity.test_client_secret_rule import ADD, STRONG, add_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    browser = Client()
    browser.force_login(testing.make_platform_admin())
    return browser


def _inline_errors(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    formset = response.context["inline_admin_formsets"][0].formset
    return " ".join(formset.forms[0].errors.get("allowed_scopes", []))


def _form_errors(response: Any, field: str) -> list[str]:
    assert response.status_code == 200, response.status_code
    return list(response.context["adminform"].form.errors.get(field, []))


def test_an_unknown_scope_is_refused_naming_it_in_indonesian(admin_client: Client) -> None:
    refused = admin_client.post(ADD, add_form(admin_client, client_secret=STRONG,
                                              **{"relying_party-0-allowed_scopes": "openid admin ../"}))
    errors = _inline_errors(refused)
    assert "“admin” bukan cakupan (scope) yang disediakan platform ini" in errors
    assert "“../” bukan cakupan (scope) yang disediakan platform ini" in errors
    assert "“openid”" not in errors and "openid, profile, email" in errors
    assert "“../” bukan cakupan" in refused.content.decode()
    assert not Application.objects.filter(name="Sistem Antrean").exists()


def test_a_scope_with_a_character_rfc_6749_forbids_is_refused_in_english_too(admin_client: Client) -> None:
    admin_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = admin_client.post(ADD, add_form(admin_client, client_secret=STRONG,
                                              **{"relying_party-0-allowed_scopes": 'openid pro"file émail'}))
    errors = _inline_errors(refused)
    assert '“pro"file” is not a valid scope' in errors and "“émail” is not a valid scope" in errors
    assert not Application.objects.filter(name="Sistem Antrean").exists()


def test_offered_scopes_are_saved_once_each_separated_by_single_spaces(admin_client: Client) -> None:
    typed = "openid\tprofile  openid registration"
    accepted = admin_client.post(ADD, add_form(admin_client, client_secret=STRONG,
                                               **{"relying_party-0-allowed_scopes": typed}))
    assert accepted.status_code == 302
    assert Application.objects.get(name="Sistem Antrean").relying_party.allowed_scopes == "openid profile registration"


@pytest.mark.parametrize(("lang", "uri", "expected"), [
    ("id", "ftp://app.example.go.id/cb", "URI pengalihan “ftp://app.example.go.id/cb” tidak diizinkan: harus diawali "
                                         "https:// atau http://."),
    ("en", "ftp://app.example.go.id/cb", "Redirect URI “ftp://app.example.go.id/cb” is not allowed: it must start with "
                                         "https:// or http://."),
    ("id", "https://app.example.go.id/cb#x", "URI pengalihan “https://app.example.go.id/cb#x” tidak boleh berisi "
                                             "fragmen (#)."),
    ("en", "https://-bad-.example/cb", "Redirect URI “https://-bad-.example/cb” is not a valid absolute URI"),
    ("id", "https:///cb", "URI pengalihan “https:///cb” tidak memiliki nama host."),
])
def test_a_refused_redirect_uri_gets_a_clear_translated_message(admin_client: Client, lang: str, uri: str,
                                                                  expected: str) -> None:
    admin_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
    refused = admin_client.post(ADD, add_form(admin_client, client_secret=STRONG, redirect_uris=uri,
                                              authorization_grant_type="authorization-code"))
    errors = " ".join(_form_errors(refused, "redirect_uris"))
    assert expected in errors
    assert "Validation error" not in errors and "validation error" not in refused.content.decode()
    assert not Application.objects.filter(name="Sistem Antrean").exists()
