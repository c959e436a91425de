"""``satupintu exchange setup-demo`` makes the gateway's introspection client a resource server that
may introspect tokens (ADR 0135), also one that existed before without that permission, so
``make run``'s gateway keeps accepting bearer tokens. The grant is audited once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from oauth2_provider.models import Application

from satupintu.audit.models import AuditEvent
from satupintu.catalog.models import Agency
from satupintu.exchange import platform_client
from satupintu.exchange.demo import GATEWAY_CLIENT_ID, introspection_secret_path
from satupintu.identity.models import RelyingParty

pytestmark = pytest.mark.django_db
STRONG = "Zq8-vN3rT1xW6yK0pL5mB9cH2jF7dS4g"


@pytest.fixture(autouse=True)
def own_var(tmp_path, settings) -> Iterator[None]:  # noqa: ANN001
    settings.VAR_DIR = tmp_path
    platform_client.client_key.cache_clear()
    yield
    platform_client.client_key.cache_clear()


def setup_demo() -> None:
    call_command("exchange", "setup-demo", "--client-agency", "dukcapil", "--base-url", "http://127.0.0.1:1")


@pytest.fixture
def dukcapil() -> Agency:
    return Agency.objects.create(code="dukcapil", name_id="Ditjen Dukcapil", kind="lembaga")


@pytest.mark.usefixtures("dukcapil")
def test_setup_demo_creates_the_gateway_client_allowed_to_introspect() -> None:
    setup_demo()
    party = RelyingParty.objects.get(application__client_id=GATEWAY_CLIENT_ID)
    assert party.may_introspect is True and party.active is True
    event = AuditEvent.objects.get(action="oidc_client.introspection_allowed")
    assert event.actor_kind == "platform" and event.details == {"client_id": GATEWAY_CLIENT_ID}
    # Only the gateway: the agencies' hosted clients call the gateway, they do not introspect.
    others = RelyingParty.objects.exclude(application__client_id=GATEWAY_CLIENT_ID)
    assert others.exists() and not others.filter(may_introspect=True).exists()


@pytest.mark.usefixtures("dukcapil")
def test_setup_demo_allows_an_existing_gateway_client_once() -> None:
    """A development database from before the permission existed: the client is there, its secret file too."""
    path = introspection_secret_path()
    path.parent.mkdir(parents=True)
    path.write_text(STRONG + "\n")
    Application.objects.create(name="satupintu gateway (introspection)", client_id=GATEWAY_CLIENT_ID,
                               client_secret=STRONG, client_type=Application.CLIENT_CONFIDENTIAL,
                               authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
    setup_demo()
    setup_demo()
    assert RelyingParty.objects.get(application__client_id=GATEWAY_CLIENT_ID).may_introspect is True
    assert AuditEvent.objects.filter(action="oidc_client.introspection_allowed").count() == 1
