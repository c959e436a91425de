"""Once-only prefill from the population register through the real exchange gateway (ADR 0110).

Everything runs for real in pytest-django's live server: the platform's OAuth provider issues the
hosted client subsystem a client-credentials token (``private_key_jwt``), the gateway introspects
it at ``/o/introspect/``, checks the access right, forwards to the register at ``/registri/``,
signs and chains the message-log record and records the data access. The directory, the OAuth
clients and the gateway's introspection client come from ``satupintu exchange setup-demo``.
Only "down" is simulated, by a closed port.
"""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client
from joserfc.jwk import ECKey, OKPKey

from satupintu.applications.actions import definition_import
from satupintu.applications.definitions_io import parse_definition
from satupintu.applications.register_link import address_answer
from satupintu.audit.models import AuditEvent
from satupintu.core.principal import Principal
from satupintu.exchange import keys, messagelog, platform_client
from satupintu.exchange.demo import LEGAL_BASIS, introspection_secret_path, setup_demo
from satupintu.exchange.gateway import reset_backend_client
from satupintu.exchange.models import AccessRight, DataAccess, MessageLog, Service, Subsystem
from satupintu.exchange.selectors import data_accesses_for_nik
from satupintu.identity import testing
from satupintu.identity.models import RelyingParty
from satupintu.registries.actions import population_import
from tests.applications.conftest import FULL_SCHEMA, definition_data
from tests.applications.people import sign_in
from tests.exchange.conftest import gateway_keys  # noqa: F401 - fixture used by name

pytestmark = pytest.mark.django_db(transaction=True)

IN_REGISTER = "3171015705900001"  # Siti Aminah in the demo register (also the demo citizen's NIK)
NOT_IN_REGISTER = "3171015705900002"
FORM = "/permohonan/layanan/uji-layanan/"
CLIENT = "SPLP-DEV/GOV/POLRI/permohonan"
USED = "diisi otomatis dari data kependudukan (Dukcapil)"  # Indonesian by default
DOWN = "Data kependudukan belum dapat diambil saat ini"


def schema() -> dict[str, Any]:
    form = copy.deepcopy(FULL_SCHEMA)
    by_name = {f["name"]: f for f in form["fields"]}
    by_name["nama"]["prefill"] = "identity.name"
    by_name["alamat"]["prefill"] = "population.address"
    form["fields"][1:1] = [
        {"name": "tempat_lahir", "type": "text", "prefill": "population.birth_place",
         "label": {"id": "Tempat lahir", "en": "Place of birth"}},
        {"name": "nomor_kk", "type": "text", "prefill": "population.family_card_number",
         "label": {"id": "Nomor KK", "en": "Family card number"}},
    ]
    return form


@pytest.fixture
def wired(agencies, live_server, settings, gateway_keys) -> Iterator[None]:  # noqa: ANN001, F811
    """The demo wiring of ``make run`` against the live server: register data, the directory and
    OAuth clients from setup-demo, the gateway introspecting with the secret setup-demo wrote, and a
    Polri service whose form asks for population data."""
    population_import(acting=Principal.platform())
    setup_demo(base_url=live_server.url, client_agencies=["polri"])
    settings.SATUPINTU_EXCHANGE_GATEWAY_URL = live_server.url
    settings.SATUPINTU_EXCHANGE_TOKEN_URL = f"{live_server.url}/o/token/"
    settings.SATUPINTU_EXCHANGE_INTROSPECTION_URL = f"{live_server.url}/o/introspect/"
    settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID = "satupintu-gateway"
    settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET = introspection_secret_path().read_text().strip()
    platform_client.client_key.cache_clear()
    definition_import(content=parse_definition(definition_data(agency="polri", level_of_assurance=1, form=schema())),
                      acting=Principal.platform())
    cache.clear()
    yield
    cache.clear()
    platform_client.client_key.cache_clear()


def citizen(nik: str) -> tuple[Any, Client]:
    user = testing.make_citizen(full_name="Siti Aminah", sex="F", nik=nik)
    return user, sign_in(user)


def test_the_form_is_prefilled_through_the_gateway_and_the_read_is_logged_and_shown(wired: None) -> None:
    user, browser = citizen(IN_REGISTER)
    page = browser.get(FORM)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Jakarta"' in html and 'value="3171010505100005"' in html  # place of birth, KK number
    assert "Jl. Kebon Sirih No. 5</textarea>" in html and 'value="004"' in html and 'value="001"' in html
    assert 'value="Siti Aminah"' in html  # the identity source still fills its own fields
    assert USED in html and DOWN not in html

    [logged] = MessageLog.objects.filter(service__endswith="/populasi")
    assert (logged.client, logged.method, logged.status) == (CLIENT, "POST", 200)
    assert logged.path == "/data/penduduk/1.0/read"
    assert logged.user_id != IN_REGISTER  # stored masked
    assert messagelog.verify(MessageLog.objects.order_by("seq"), keys.verification_keys()).ok

    [access] = data_accesses_for_nik(IN_REGISTER)
    assert access.message_id == logged.seq and access.request_id == logged.request_id
    assert (access.agency_code, access.client) == ("polri", CLIENT)
    assert access.purpose == "Isian otomatis formulir permohonan: Layanan uji"
    assert access.legal_basis == LEGAL_BASIS and "alamat" in access.data_items

    tracker = browser.get("/akun/akses-data/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Polri" in tracker and "Isian otomatis formulir permohonan: Layanan uji" in tracker
    assert CLIENT in tracker and "Administrasi Kependudukan" in tracker


def test_a_citizen_without_a_register_record_gets_no_prefill_and_no_notice(wired: None) -> None:
    _user, browser = citizen(NOT_IN_REGISTER)
    html = browser.get(FORM).content.decode()
    assert 'value="Jakarta"' not in html and "Kebon Sirih" not in html
    assert USED not in html and DOWN not in html
    [logged] = MessageLog.objects.filter(service__endswith="/populasi")
    assert logged.status == 404 and logged.client == CLIENT  # the attempt is logged
    assert not DataAccess.objects.exists()  # no data was read


def test_without_the_access_right_there_is_no_prefill_and_the_refusal_is_logged(wired: None) -> None:
    AccessRight.objects.filter(client__code="permohonan").delete()
    _user, browser = citizen(IN_REGISTER)
    page = browser.get(FORM)
    html = page.content.decode()
    assert page.status_code == 200 and DOWN in html
    assert 'value="Jakarta"' not in html and USED not in html
    english = browser.get(f"{FORM}?lang=en").content.decode()
    assert "Data from the population register could not be retrieved right now" in english
    refusals = MessageLog.objects.filter(service__endswith="/populasi")
    assert [(r.status, r.error, r.client) for r in refusals] == [(403, "Server.ServerProxy.AccessDenied", CLIENT)] * 2
    assert not DataAccess.objects.exists()
    assert messagelog.verify(MessageLog.objects.order_by("seq"), keys.verification_keys()).ok


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung register)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.mark.parametrize("down", ["register", "register hangs", "gateway", "token endpoint", "key not registered"])
def test_when_something_is_down_the_form_opens_without_prefill_with_a_notice(wired: None, settings,  # noqa: ANN001
                                                                             silent_port: int, down: str) -> None:
    if down == "register":
        Service.objects.filter(service_code="populasi").update(backend_url="http://127.0.0.1:9/registri")
    elif down == "register hangs":
        Service.objects.filter(service_code="populasi").update(backend_url=f"http://127.0.0.1:{silent_port}/registri")
        settings.SATUPINTU_EXCHANGE_READ_TIMEOUT = 0.5
        reset_backend_client()
    elif down == "gateway":
        settings.SATUPINTU_EXCHANGE_GATEWAY_URL = "http://127.0.0.1:9"
    elif down == "token endpoint":
        settings.SATUPINTU_EXCHANGE_TOKEN_URL = "http://127.0.0.1:9/o/token/"
    else:  # the platform key was rotated but the hosted client still has the old public key
        other = {**ECKey.generate_key("P-256").as_dict(private=False), "kid": "old", "alg": "ES256"}
        RelyingParty.objects.filter(application__client_id="satupintu-permohonan-polri").update(jwks={"keys": [other]})
    _user, browser = citizen(IN_REGISTER)
    page = browser.get(FORM)
    html = page.content.decode()
    assert page.status_code == 200 and DOWN in html
    assert 'value="Jakarta"' not in html
    assert 'value="Siti Aminah"' in html  # identity prefill is not affected
    assert not DataAccess.objects.exists()
    if down.startswith("register"):
        [failed] = MessageLog.objects.filter(service__endswith="/populasi")
        assert (failed.status, failed.error) == ((502, "Server.ServerProxy.NetworkError") if down == "register"
                                                 else (504, "Server.ServerProxy.ServiceFailed.Timeout"))


def test_an_agency_without_a_hosted_client_subsystem_gets_a_notice_and_no_call(wired: None) -> None:
    Subsystem.objects.filter(code="permohonan").delete()
    _user, browser = citizen(IN_REGISTER)
    page = browser.get(FORM)
    assert page.status_code == 200 and DOWN in page.content.decode()
    assert not MessageLog.objects.exists()


def test_a_form_without_population_fields_makes_no_exchange_call(wired: None) -> None:
    definition_import(content=parse_definition(definition_data(slug="tanpa-register", service="tanpa-register",
                                                               agency="polri", level_of_assurance=1)),
                      acting=Principal.platform())
    _user, browser = citizen(IN_REGISTER)
    assert browser.get("/permohonan/layanan/tanpa-register/").status_code == 200
    assert not MessageLog.objects.exists()


def test_setup_demo_is_idempotent_audited_and_refused_in_production(wired: None, live_server, settings) -> None:  # noqa: ANN001
    events = AuditEvent.objects.count()
    again = setup_demo(base_url=live_server.url, client_agencies=["polri"])
    assert again.created == [] and again.clients == []
    assert AuditEvent.objects.count() == events
    assert AuditEvent.objects.filter(action="exchange.right_granted").count() == 1
    assert AuditEvent.objects.filter(action="exchange.demo_clients_created").count() == 1
    moved = setup_demo(base_url="http://127.0.0.1:8765", client_agencies=["polri"])
    assert moved.created == [f"{settings.SATUPINTU_EXCHANGE_INSTANCE}/GOV/DUKCAPIL/kependudukan/populasi"]
    assert Service.objects.get(service_code="populasi").backend_url == "http://127.0.0.1:8765/registri"
    with pytest.raises(CommandError, match="not in the catalogue: nowhere"):
        call_command("exchange", "setup-demo", "--client-agency", "nowhere")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused"):
        call_command("exchange", "setup-demo")


def test_the_register_address_becomes_the_form_address_shape() -> None:
    assert address_answer("Jl. Merdeka Barat No. 1, RT 001/RW 002", "31.71.01.1001") == {
        "street": "Jl. Merdeka Barat No. 1", "rt": "001", "rw": "002", "region": "31.71.01.1001"}
    assert address_answer("Kp. Pantai Makmur", "32.16.01.2001") == {"street": "Kp. Pantai Makmur",
                                                                    "region": "32.16.01.2001"}


def test_production_needs_the_platform_client_key_file(settings, tmp_path) -> None:  # noqa: ANN001
    settings.PRODUCTION, settings.SATUPINTU_EXCHANGE_PLATFORM_CLIENT_KEY_FILE = True, ""
    platform_client.client_key.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="SATUPINTU_EXCHANGE_PLATFORM_CLIENT_KEY_FILE"):
            platform_client.client_key()
        wrong = tmp_path / "ed25519.pem"
        wrong.write_bytes(OKPKey.generate_key("Ed25519").as_pem(private=True))
        settings.SATUPINTU_EXCHANGE_PLATFORM_CLIENT_KEY_FILE = str(wrong)
        with pytest.raises(ImproperlyConfigured, match="not an EC PEM private key|EC P-256"):
            platform_client.client_key()
    finally:
        platform_client.client_key.cache_clear()


def test_demo_token_prints_a_token_and_a_curl_call_that_works(wired: None) -> None:
    """``satupintu exchange demo-token``: what a developer copies to call the gateway as a demo client."""
    import io
    import os
    import subprocess

    out = io.StringIO()
    call_command("exchange", "demo-token", "--agency", "polri", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"client: {CLIENT}" and lines[1].startswith("access token: ")
    answer = subprocess.run(["bash", "-c", lines[-1]], env={**os.environ, "NIK": IN_REGISTER}, capture_output=True,
                            text=True, timeout=60, check=True).stdout
    assert '"Siti Aminah"' in answer and IN_REGISTER in answer
    [logged] = MessageLog.objects.filter(service__endswith="/populasi")
    assert (logged.client, logged.status) == (CLIENT, 200)
    assert [a.purpose for a in data_accesses_for_nik(IN_REGISTER)] == ["uji coba"]


def test_demo_token_names_what_is_missing(wired: None, settings) -> None:  # noqa: ANN001
    with pytest.raises(CommandError, match="no platform-hosted client subsystem for agency bpjs"):
        call_command("exchange", "demo-token", "--agency", "bpjs")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused"):
        call_command("exchange", "demo-token")
