"""The platform calling its own gateway as a client subsystem it hosts for an agency (ADR 0110).

A service's agency (e.g. Polri for SKCK) is the client of a prefill read, so each agency that
publishes online services has a member in the exchange directory with one *hosted* subsystem,
code ``SATUPINTU_EXCHANGE_PLATFORM_SUBSYSTEM`` (default ``permohonan``), whose ``oauth_client_id``
is a client-credentials client of the platform's own OAuth provider. The portal proves it may act
as that client with ``private_key_jwt`` (RFC 7523 §2.2, OIDC Core §9): one platform key (EC P-256,
``SATUPINTU_EXCHANGE_PLATFORM_CLIENT_KEY_FILE``; generated in ``var/keys/`` in development only)
whose public JWK is registered in each hosted client's JWKS. No per-agency secret is stored.

The call itself is a real HTTP request to the gateway (:class:`~satupintu.exchange.client.ExchangeClient`),
so the gateway's client authentication (token introspection), access check, message log and the
data tracker all apply exactly as for any agency system.
"""

from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.jwk import ECKey

from satupintu.exchange.client import ExchangeClient, TokenUnavailable
from satupintu.exchange.keys import key_file, private_jwk
from satupintu.exchange.models import Subsystem

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_SECONDS = 60
_SETTING = "SATUPINTU_EXCHANGE_PLATFORM_CLIENT_KEY_FILE"


@dataclass(frozen=True)
class HostedClient:
    """``client_id``: the subsystem's X-Road id ``INSTANCE/CLASS/MEMBER/SUBSYSTEM``;
    ``oauth_client_id``: its OAuth client at the platform's provider."""

    client_id: str
    oauth_client_id: str


@functools.cache
def client_key() -> ECKey:
    """The platform's client-assertion key (EC P-256) with ``kid`` = RFC 7638 thumbprint.
    Raises :class:`ImproperlyConfigured` when the file is missing (production) or not such a key."""
    pem = key_file(_SETTING, "exchange-platform-client.pem", lambda: ECKey.generate_key("P-256").as_pem(private=True),
                   required="an EC P-256 PEM private key")
    return private_jwk(ECKey, pem, setting=_SETTING, curve="P-256", kind="EC", curve_name="EC P-256")


def public_jwks() -> dict[str, list[dict[str, Any]]]:
    """The JWK Set to register on each hosted OAuth client (``RelyingParty.jwks``)."""
    public = {**client_key().as_dict(private=False), "alg": "ES256", "use": "sig"}
    return {"keys": [public]}


def client_assertion(oauth_client_id: str, audience: str) -> str:
    """A signed JWT client assertion (RFC 7523 §3): ``iss`` = ``sub`` = the client id, ``aud`` =
    the token endpoint, valid :data:`ASSERTION_SECONDS`, single-use ``jti``."""
    now = int(time.time())
    key = client_key()
    claims = {"iss": oauth_client_id, "sub": oauth_client_id, "aud": audience, "iat": now,
              "exp": now + ASSERTION_SECONDS, "jti": uuid.uuid4().hex}
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def access_token(oauth_client_id: str) -> str:
    """A current access token for the hosted client (client credentials grant, RFC 6749 §4.4,
    at ``SATUPINTU_EXCHANGE_TOKEN_URL``), cached until 30 s before it expires.
    Raises :class:`TokenUnavailable` when the provider does not issue one."""
    key = f"exchange:platform-token:{oauth_client_id}"
    cached = cache.get(key)
    if cached:
        return str(cached)
    url = settings.SATUPINTU_EXCHANGE_TOKEN_URL
    try:
        response = httpx.post(url, data={
            "grant_type": "client_credentials", "client_id": oauth_client_id,
            "client_assertion_type": JWT_BEARER, "client_assertion": client_assertion(oauth_client_id, url),
        }, timeout=settings.SATUPINTU_PREFILL_TIMEOUT, follow_redirects=False, trust_env=False)
        body = response.json() if response.status_code == 200 else {}
    except (httpx.HTTPError, ValueError) as exc:
        raise TokenUnavailable(f"token endpoint {url} did not answer: {exc}") from exc
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise TokenUnavailable(f"token endpoint {url} refused client {oauth_client_id} ({response.status_code})")
    lifetime = body.get("expires_in")
    ttl = int(lifetime) - 30 if isinstance(lifetime, int | float) else 0
    if ttl > 0:
        cache.set(key, token, ttl)
    return token


def hosted_client(agency_code: str) -> HostedClient | None:
    """The platform-hosted client subsystem of ``agency_code`` (bound to an OAuth client), or
    ``None`` when the directory has none."""
    subsystem = (Subsystem.objects.select_related("member")
                 .filter(member__agency__code=agency_code, member__instance=settings.SATUPINTU_EXCHANGE_INSTANCE,
                         code=settings.SATUPINTU_EXCHANGE_PLATFORM_SUBSYSTEM)
                 .exclude(oauth_client_id="").order_by("member__member_class", "member__member_code").first())
    if subsystem is None:
        return None
    return HostedClient(client_id=subsystem.identifier, oauth_client_id=subsystem.oauth_client_id)


def exchange_client(hosted: HostedClient) -> ExchangeClient:
    """An :class:`ExchangeClient` calling ``SATUPINTU_EXCHANGE_GATEWAY_URL`` as ``hosted``."""
    return ExchangeClient(gateway_url=settings.SATUPINTU_EXCHANGE_GATEWAY_URL, client_id=hosted.client_id,
                          token=lambda: access_token(hosted.oauth_client_id),
                          timeout=settings.SATUPINTU_PREFILL_TIMEOUT)
