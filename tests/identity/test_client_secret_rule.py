"""A new OAuth client secret must be the generated one or a typed one of ≥ 32 characters with ≥ 8
different characters (ADR 0121): in the back-office client form and in ``exchange setup-demo``.
Secrets are hashed with one PBKDF2 round (ADR 0111), so a short typed secret would be guessable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command
from django.test import Client
from oauth2_provider.models import Application

from satupintu.audit.models import AuditEvent
from satupintu.catalog.models import Agency
from satupintu.exchange import platform_client
from satupintu.exchange.demo import GATEWAY_CLIENT_ID, introspection_secret_path
from satupintu.identity import testing
from tests.identity.test_client_disable_delete import _Form, change_form, grant

pytestmark = pytest.mark.django_db
ADD = "/kelola/oauth2_provider/application/add/"
RULE_ID = "Rahasia klien yang diketik harus sedikitnya 32 karakter"
RULE_EN = "A typed client secret must be at least 32 characters long with at least 8 different characters"
STRONG = "Zq8-vN3rT1xW6yK0pL5mB9cH2jF7dS4g"  # 32 characters, 30 different


@pytest.fixture
def admin_client() -> Client:
    browser = Client()
    browser.force_login(testing.make_platform_admin())
    return browser


def add_form(browser: Client, **changes: str) -> dict[str, Any]:
    parser = _Form()
    parser.feed(browser.get(ADD).content.decode())
    data = parser.data
    data.update({"name": "Sistem Antrean", "client_type": "confidential", "algorithm": "RS256",
                 "authorization_grant_type": "client-credentials", "redirect_uris": "", "_save": "Save"})
    data.update(changes)
    return data


def secret_errors(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return " ".join(form.errors.get("client_secret", []))


@pytest.mark.parametrize("typed", ["secret", "x" * 40, "abcdefg" * 5, STRONG[:31]])
def test_the_admin_refuses_a_short_or_repetitive_typed_secret_naming_the_rule(admin_client: Client,
                                                                               typed: str) -> None:
    refused = admin_client.post(ADD, add_form(admin_client, client_secret=typed))
    assert RULE_ID in secret_errors(refused)
    assert RULE_ID in refused.content.decode()
    assert not Application.objects.filter(name="Sistem Antrean").exists()
    assert not AuditEvent.objects.filter(action="oidc_client.created").exists()


def test_the_rule_is_shown_in_english_too(admin_client: Client) -> None:
    admin_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = admin_client.post(ADD, add_form(admin_client, client_secret="secret"))
    assert RULE_EN in secret_errors(refused)


def test_a_pasted_hash_is_not_accepted_as_a_secret(admin_client: Client) -> None:
    hashed = make_password("secret", hasher="sp_client_secret")
    refused = admin_client.post(ADD, add_form(admin_client, client_secret=hashed))
    assert "Masukkan rahasia klien baru itu sendiri" in secret_errors(refused)
    assert not Application.objects.filter(name="Sistem Antrean").exists()


def test_the_generated_secret_and_a_long_typed_secret_work_where_a_short_one_is_refused(admin_client: Client,
                                                                                        client: Client) -> None:
    short = add_form(admin_client, name="Sistem Pendek", client_secret=STRONG[:31])
    assert RULE_ID in secret_errors(admin_client.post(ADD, short))
    generated = add_form(admin_client)
    assert len(generated["client_secret"]) == 128
    assert admin_client.post(ADD, generated).status_code == 302
    typed = add_form(admin_client, name="Sistem Loket", client_secret=STRONG)
    assert admin_client.post(ADD, typed).status_code == 302
    for name, secret in [("Sistem Antrean", generated["client_secret"]), ("Sistem Loket", STRONG)]:
        app = Application.objects.get(name=name)
        app.raw_secret = secret  # type: ignore[attr-defined]
        assert app.client_secret.startswith("sp_client_secret$")
        assert grant(client, app).status_code == 200
    assert not Application.objects.filter(name="Sistem Pendek").exists()


def test_changing_a_client_keeps_its_stored_secret_but_a_new_weak_one_is_refused(admin_client: Client,
                                                                                  make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    stored = app.client_secret
    url = f"/kelola/oauth2_provider/application/{app.pk}/change/"
    data = change_form(admin_client, app)
    data.update({"name": "Nama baru", "_save": "Save"})
    assert admin_client.post(url, data).status_code == 302  # the hash posted back unchanged
    weak = dict(data, client_secret="rahasia", **{"initial-client_secret": "rahasia"})
    assert RULE_ID in secret_errors(admin_client.post(url, weak))
    app.refresh_from_db()
    assert app.name == "Nama baru" and app.client_secret == stored


@pytest.fixture
def own_platform_key(tmp_path, settings) -> Iterator[None]:  # noqa: ANN001
    """setup-demo registers the platform client key of this test's ``var/``: forget it afterwards
    (``client_key`` is cached per process), so no later test signs with it."""
    settings.VAR_DIR = tmp_path
    platform_client.client_key.cache_clear()
    yield
    platform_client.client_key.cache_clear()


@pytest.mark.usefixtures("own_platform_key")
def test_setup_demo_refuses_a_weak_introspection_secret_file() -> None:
    Agency.objects.create(code="dukcapil", name_id="Ditjen Dukcapil", kind="lembaga")
    path = introspection_secret_path()
    path.parent.mkdir(parents=True)
    path.write_text("secret\n")
    with pytest.raises(CommandError, match=re.escape(f"{path}: {RULE_ID}")):
        call_command("exchange", "setup-demo", "--client-agency", "dukcapil", "--base-url", "http://127.0.0.1:1")
    assert not Application.objects.filter(client_id=GATEWAY_CLIENT_ID).exists()
    path.write_text(STRONG + "\n")
    call_command("exchange", "setup-demo", "--client-agency", "dukcapil", "--base-url", "http://127.0.0.1:1")
    assert Application.objects.filter(client_id=GATEWAY_CLIENT_ID).exists()
