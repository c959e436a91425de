"""``satupintu exchange setup-demo``: wire the once-only prefill for a development machine (ADR 0110).

Creates, when missing (idempotent; refused in production):

* the Dukcapil member ``{instance}/GOV/DUKCAPIL``, its provider subsystem ``kependudukan`` and the
  personal-data service ``populasi`` forwarding to ``{base_url}/registri`` (the population register);
* for each client agency (default: every agency with a service online on this portal), a member
  and the platform-hosted client subsystem ``permohonan`` bound to a client-credentials OAuth client
  that authenticates with the platform's ``private_key_jwt`` key, and its access right ``POST
  /data/penduduk/1.0/read`` on ``populasi``;
* the gateway's own confidential client for token introspection, its secret written to
  ``var/keys/exchange-introspection.secret`` (mode 0600) for ``make run`` to pass to the server,
  allowed to introspect tokens (``may_introspect``, ADR 0135; also given to an existing one).

Directory writes go through :func:`satupintu.exchange.actions.directory_save` (audited); the
OAuth clients are recorded as ``exchange.demo_clients_created``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from satupintu.audit.actions import record
from satupintu.catalog.models import Agency, ChannelKind
from satupintu.core.principal import Principal
from satupintu.exchange import platform_client
from satupintu.exchange.actions import directory_save
from satupintu.exchange.keys import read_or_create
from satupintu.exchange.models import AccessRight, Member, Service, Subsystem
from satupintu.identity.interface import validate_client_secret

PROVIDER_AGENCY = "dukcapil"
POPULATION_SERVICE = "populasi"
READ_PATH = "/data/penduduk/1.0/read"
GATEWAY_CLIENT_ID = "satupintu-gateway"
DATA_ITEMS = "NIK,nama,tempat lahir,tanggal lahir,jenis kelamin,alamat,kode wilayah,nomor KK"
LEGAL_BASIS = ("UU 23/2006 jo. UU 24/2013 tentang Administrasi Kependudukan, Pasal 58 ayat (4) dan Pasal 79 "
               "(pemanfaatan data kependudukan untuk pelayanan publik)")
OPENAPI = """{"openapi": "3.0.3", "info": {"title": "Data penduduk (GovStack Digital Registries)", "version": "1.0"},
 "paths": {"/data/penduduk/1.0/read": {"post": {"summary": "Read one resident by NIK"}},
           "/data/penduduk/1.0/exists": {"post": {"summary": "Whether a resident exists"}},
           "/data/penduduk/1.0": {"get": {"summary": "List residents"}}}}"""


class SetupRefused(Exception):
    """The setup cannot run here (production, or the catalogue has no such agency)."""


@dataclass
class SetupResult:
    created: list[str] = field(default_factory=list)
    clients: list[str] = field(default_factory=list)
    introspection_secret_file: str = ""


def introspection_secret_path() -> Path:
    return Path(settings.VAR_DIR) / "keys" / "exchange-introspection.secret"


def _member_code(agency_code: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", agency_code.upper())[:64]


def _default_client_agencies() -> list[str]:
    """Agencies owning a catalogue service that is online on this portal (``portal`` channel)."""
    return sorted(set(Agency.objects.filter(services__channels__kind=ChannelKind.PORTAL)
                      .values_list("code", flat=True)))


@transaction.atomic
def setup_demo(*, base_url: str, client_agencies: list[str] | None = None) -> SetupResult:
    """Create what is missing (see the module docstring); returns what was created.
    Raises :class:`SetupRefused` in production or when an agency code is not in the catalogue."""
    if settings.PRODUCTION:
        raise SetupRefused("exchange setup-demo is refused when SATUPINTU_ENV=production.")
    acting = Principal.platform("satupintu exchange setup-demo")
    result = SetupResult()
    instance = settings.SATUPINTU_EXCHANGE_INSTANCE
    codes = client_agencies if client_agencies is not None else _default_client_agencies()
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[PROVIDER_AGENCY, *codes])}
    missing = [c for c in [PROVIDER_AGENCY, *codes] if c not in agencies]
    if missing:
        raise SetupRefused(f"agencies not in the catalogue: {', '.join(missing)} (run import-catalog or "
                           "import-online-services --with-agencies first)")

    def member_for(agency: Agency) -> Member:
        found = Member.objects.filter(agency=agency, instance=instance).order_by("id").first()
        if found is None:
            found = directory_save(obj=Member(instance=instance, member_class="GOV",
                                              member_code=_member_code(agency.code), name=agency.name_id[:255],
                                              agency=agency), acting=acting)
            result.created.append(found.identifier)
        return found

    provider_member = member_for(agencies[PROVIDER_AGENCY])
    provider = Subsystem.objects.filter(member=provider_member, code="kependudukan").first()
    if provider is None:
        provider = directory_save(obj=Subsystem(member=provider_member, code="kependudukan",
                                                name="SIAK terpusat (register penduduk)"), acting=acting)
        result.created.append(provider.identifier)
    backend = f"{base_url.rstrip('/')}/registri"
    service = Service.objects.filter(provider=provider, service_code=POPULATION_SERVICE).first()
    if service is None or service.backend_url != backend:
        service = service or Service(provider=provider, service_code=POPULATION_SERVICE)
        service.version, service.title, service.backend_url = "1.0", "Data penduduk (prefill sekali isi)", backend
        service.openapi, service.personal_data = OPENAPI, True
        service.data_items, service.legal_basis = DATA_ITEMS, LEGAL_BASIS
        service = directory_save(obj=service, acting=acting)
        result.created.append(service.identifier)
    for code in codes:
        subsystem = _hosted_subsystem(member_for(agencies[code]), agencies[code], result, acting)
        if not AccessRight.objects.filter(client=subsystem, service=service).exists():
            directory_save(obj=AccessRight(client=subsystem, service=service, methods="POST",
                                           path_prefixes=READ_PATH), acting=acting)
            result.created.append(f"{subsystem.identifier} → {service.identifier}")
    result.introspection_secret_file = str(_gateway_introspection_client(result, acting))
    if result.clients:
        record(actor=acting, action="exchange.demo_clients_created", target=("oauth2_provider.application", "demo"),
               details={"clients": result.clients})
    return result


def _hosted_subsystem(member: Member, agency: Agency, result: SetupResult, acting: Principal) -> Subsystem:
    code = settings.SATUPINTU_EXCHANGE_PLATFORM_SUBSYSTEM
    subsystem = Subsystem.objects.filter(member=member, code=code).first()
    oauth_id = (subsystem.oauth_client_id if subsystem else "") or f"satupintu-{code}-{agency.code}"[:255]
    # The client first: a subsystem may be bound only to a registered client (ADR 0140).
    _hosted_oauth_client(oauth_id, agency, result)
    if subsystem is None:
        subsystem = directory_save(obj=Subsystem(member=member, code=code, oauth_client_id=oauth_id,
                                                 name=f"satupintu: permohonan online {agency.name_id}"[:255]),
                                   acting=acting)
        result.created.append(subsystem.identifier)
    return subsystem


def _hosted_oauth_client(client_id: str, agency: Agency, result: SetupResult) -> None:
    from oauth2_provider.models import Application

    from satupintu.identity.models import RelyingParty

    app = Application.objects.filter(client_id=client_id).first()
    if app is None:
        app = Application.objects.create(name=client_id, client_id=client_id,
                                         client_type=Application.CLIENT_CONFIDENTIAL,
                                         authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
        result.clients.append(client_id)
    jwks = platform_client.public_jwks()
    party = RelyingParty.objects.filter(application=app).first() or RelyingParty(application=app)
    if party.pk is None or party.jwks != jwks:
        party.agency, party.allowed_scopes, party.jwks = agency, "openid", jwks
        party.save()


def _gateway_introspection_client(result: SetupResult, acting: Principal) -> Path:
    """The gateway's confidential client for RFC 7662 introspection; its secret lives in a 0600 file.
    A secret file that exists already must hold a secret that passes the client-secret rule (the
    back-office form's, ADR 0121), else :class:`SetupRefused` naming the file and the rule. The
    client may introspect tokens (``identity.actions.oidc_client_set_may_introspect``, audited when
    it changes; ADR 0135), also when it existed before without that permission."""
    from oauth2_provider.models import Application

    from satupintu.identity.actions import oidc_client_set_may_introspect

    path = introspection_secret_path()
    existed = path.exists()
    secret = read_or_create(path, secrets.token_urlsafe(32).encode()).decode().strip()
    try:
        validate_client_secret(secret)
    except ValidationError as error:
        raise SetupRefused(f"{path}: {' '.join(error.messages)}") from None
    app = Application.objects.filter(client_id=GATEWAY_CLIENT_ID).first()
    if app is None:
        app = Application.objects.create(name="satupintu gateway (introspection)", client_id=GATEWAY_CLIENT_ID,
                                         client_secret=secret, client_type=Application.CLIENT_CONFIDENTIAL,
                                         authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
        result.clients.append(GATEWAY_CLIENT_ID)
    elif not existed:
        app.client_secret = secret  # a new secret file: the stored (hashed) secret follows it
        app.save()
        result.clients.append(GATEWAY_CLIENT_ID)
    oidc_client_set_may_introspect(application=app, allowed=True, acting=acting)
    return path
