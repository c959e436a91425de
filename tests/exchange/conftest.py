"""Fixtures for the exchange: a directory with two agencies, a provider backend on 127.0.0.1 and
the gateway served by pytest-django's live server (a real HTTP server thread)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID

from satupintu.catalog.models import Agency
from satupintu.exchange import keys
from satupintu.exchange.gateway import reset_backend_client
from satupintu.exchange.models import AccessRight, Member, Service, Subsystem
from tests.exchange import servers

INSTANCE = "SPLP-DEV"
CLIENT_ID = f"{INSTANCE}/GOV/KEMENSOS/bansos"
SERVICE_PATH = f"/r1/{INSTANCE}/GOV/DUKCAPIL/kependudukan/penduduk"


def make_cert(common_name: str) -> tuple[str, str]:
    """A self-signed client certificate: (URL-escaped PEM as nginx passes it, SHA-256 fingerprint)."""
    key = Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(key, None))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return quote(pem, safe=""), cert.fingerprint(hashes.SHA256()).hex()


@dataclass
class Directory:
    dukcapil: Agency
    kemensos: Agency
    provider_member: Member
    client_member: Member
    provider: Subsystem
    client: Subsystem
    other_client: Subsystem
    service: Service
    right: AccessRight
    cert_header: str
    other_cert_header: str


@pytest.fixture
def backend() -> Iterator[servers.Provider]:
    server = servers.provider()
    with servers.running(server) as url:
        server.url = url  # type: ignore[attr-defined]
        yield server


@pytest.fixture
def gateway_keys(tmp_path, settings) -> Iterator[None]:  # noqa: ANN001
    settings.VAR_DIR = tmp_path
    keys.reset_caches()
    reset_backend_client()
    yield
    keys.reset_caches()
    reset_backend_client()


@pytest.fixture
def directory(db, backend, gateway_keys) -> Directory:  # noqa: ANN001
    dukcapil = Agency.objects.create(code="dukcapil", name_id="Direktorat Jenderal Dukcapil", kind="lembaga")
    kemensos = Agency.objects.create(code="kemensos", name_id="Kementerian Sosial", kind="kementerian")
    pm = Member.objects.create(instance=INSTANCE, member_class="GOV", member_code="DUKCAPIL", name="Dukcapil",
                               agency=dukcapil)
    cm = Member.objects.create(instance=INSTANCE, member_class="GOV", member_code="KEMENSOS", name="Kemensos",
                               agency=kemensos)
    cert_header, fingerprint = make_cert("bansos")
    other_header, other_fp = make_cert("other")
    provider = Subsystem.objects.create(member=pm, code="kependudukan", name="SIAK")
    client = Subsystem.objects.create(member=cm, code="bansos", name="SIKS-NG", cert_fingerprint=fingerprint,
                                      oauth_client_id="kemensos-bansos")
    other = Subsystem.objects.create(member=cm, code="lain", cert_fingerprint=other_fp)
    service = Service.objects.create(provider=provider, service_code="penduduk", backend_url=backend.url,
                                     openapi='{"openapi": "3.0.0", "paths": {"/persons/{nik}": {"get": {}}}}')
    right = AccessRight.objects.create(client=client, service=service, methods="GET,POST",
                                       path_prefixes="/persons\n/public/")
    return Directory(dukcapil, kemensos, pm, cm, provider, client, other, service, right, cert_header, other_header)


def client_headers(d: Directory, **extra: str) -> dict[str, str]:
    return {"X-Road-Client": CLIENT_ID, "X-SSL-Client-Cert": d.cert_header, **extra}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


GATEWAY_CREDENTIALS = ("exchange-gateway", "gateway-secret-for-tests")


@dataclass
class OAuthClient:
    """A confidential client-credentials client of the platform's own OAuth provider."""

    client_id: str
    secret: str

    def token(self, base_url: str) -> str:
        """A real access token from ``/o/token/`` (client credentials, RFC 6749 §4.4)."""
        response = httpx.post(f"{base_url}/o/token/", data={"grant_type": "client_credentials"},
                              auth=(self.client_id, self.secret))
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def revoke(self, base_url: str, token: str) -> None:
        """Revoke ``token`` at ``/o/revoke_token/`` (RFC 7009)."""
        response = httpx.post(f"{base_url}/o/revoke_token/", data={"token": token},
                              auth=(self.client_id, self.secret))
        assert response.status_code == 200, response.text


def oauth_client(client_id: str, secret: str = "client-secret-for-tests-0123456789", *,  # noqa: S107
                 may_introspect: bool = False) -> OAuthClient:
    """Register a client-credentials client with the real django-oauth-toolkit provider;
    ``may_introspect`` makes it a resource server allowed at ``/o/introspect/`` (ADR 0135)."""
    from oauth2_provider.models import Application

    from satupintu.identity.models import RelyingParty

    app = Application.objects.create(name=client_id, client_id=client_id, client_secret=secret,
                                     client_type=Application.CLIENT_CONFIDENTIAL,
                                     authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
    if may_introspect:
        RelyingParty.objects.create(application=app, may_introspect=True)
    return OAuthClient(client_id, secret)


def register_client(client_id: str, agency: Agency | None) -> None:
    """Register a client-credentials OAuth client whose relying-party settings name ``agency``
    (what a platform admin does in the back-office client form), so a subsystem of that agency may
    be bound to it (ADR 0140)."""
    from oauth2_provider.models import Application

    from satupintu.identity.models import RelyingParty

    app = Application.objects.create(name=client_id, client_id=client_id, client_type=Application.CLIENT_CONFIDENTIAL,
                                     authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
    RelyingParty.objects.create(application=app, agency=agency)


@pytest.fixture
def provider_introspection(live_server, settings) -> Iterator[list[str]]:  # noqa: ANN001
    """Point the gateway at the platform's own ``/o/introspect/`` (served by the live server) with
    its own resource-server credentials (a client allowed to introspect, ADR 0135); yields the list
    of introspection requests seen."""
    from django.core.cache import cache
    from django.core.signals import request_started

    oauth_client(*GATEWAY_CREDENTIALS, may_introspect=True)
    settings.SATUPINTU_EXCHANGE_INTROSPECTION_URL = f"{live_server.url}/o/introspect/"
    settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID = GATEWAY_CREDENTIALS[0]
    settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET = GATEWAY_CREDENTIALS[1]
    seen: list[str] = []

    def count(sender: object, environ: dict[str, str], **kwargs: object) -> None:
        if environ.get("PATH_INFO") == "/o/introspect/":
            seen.append(environ["PATH_INFO"])

    request_started.connect(count, weak=False)
    cache.clear()
    yield seen
    request_started.disconnect(count)
    cache.clear()
