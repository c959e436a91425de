"""Who is calling: the ``X-Road-Client`` header and the credential that proves it.

Two credentials are accepted (one is enough):

* a TLS client certificate verified by the front proxy and passed URL-encoded PEM in the
  configured header (nginx ``$ssl_client_escaped_cert``), trusted only when the request comes
  from one of ``SATUPINTU_EXCHANGE_TRUSTED_PROXIES``; its SHA-256 fingerprint (of the DER) must be
  the subsystem's ``cert_fingerprint``;
* an OAuth 2.0 bearer token (RFC 6750) checked by token introspection (RFC 7662 §2) at
  ``SATUPINTU_EXCHANGE_INTROSPECTION_URL`` with the gateway's own client credentials (HTTP Basic,
  RFC 7662 §2.1); the token must be active and its ``client_id`` must be the subsystem's
  ``oauth_client_id``. Results are cached for at most ``..._INTROSPECTION_CACHE_SECONDS`` and never
  past the token's ``exp``; revoking a token at this platform's provider drops its entry at once
  (:func:`forget_revoked_token`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
from typing import Any
from urllib.parse import unquote

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from satupintu.exchange.errors import GatewayError, bad_request, unknown_client
from satupintu.exchange.models import Subsystem

log = logging.getLogger(__name__)

CLIENT_HEADERS = ("X-Road-Client", "X-GovStack-Client", "Information-Mediator-Client")
_PART = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_CLIENT_RE = re.compile(rf"^({_PART})/({_PART})/({_PART})/({_PART})$")
_introspection_client: httpx.Client | None = None


def client_header(request: HttpRequest) -> str | None:
    """The client id from the first present client header (X-Road, GovStack or IM name)."""
    for name in CLIENT_HEADERS:
        value = request.headers.get(name)
        if value:
            return value.strip()
    return None


def parse_client(value: str | None) -> tuple[str, str, str, str]:
    """``INSTANCE/CLASS/MEMBER/SUBSYSTEM`` → its four parts (percent-decoded, PR-REST §4.3).

    Raises a 400 :class:`GatewayError` naming the header when it is missing or malformed."""
    if not value:
        raise bad_request("The X-Road-Client header is required.", [])
    match = _CLIENT_RE.match(unquote(value))
    if not match:
        raise bad_request("X-Road-Client must look like INSTANCE/CLASS/MEMBER/SUBSYSTEM.", [])
    return match.group(1), match.group(2), match.group(3), match.group(4)


def _cert_fingerprint(request: HttpRequest) -> str | None:
    header = settings.SATUPINTU_EXCHANGE_CLIENT_CERT_HEADER
    raw = request.headers.get(header)
    if not raw:
        return None
    if request.META.get("REMOTE_ADDR") not in settings.SATUPINTU_EXCHANGE_TRUSTED_PROXIES:
        log.warning("client certificate header from untrusted address %s ignored", request.META.get("REMOTE_ADDR"))
        return None
    return _fingerprint_of(raw)


@functools.lru_cache(maxsize=1024)
def _fingerprint_of(raw: str) -> str | None:
    """SHA-256 fingerprint (hex, of the DER) of the URL-escaped PEM ``raw``; ``None`` if it is not
    a certificate. A pure function of the header value, so it is memoised (ADR 0105)."""
    try:
        cert = x509.load_pem_x509_certificate(unquote(raw).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def _http() -> httpx.Client:
    global _introspection_client
    if _introspection_client is None:
        _introspection_client = httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0), follow_redirects=False)
    return _introspection_client


def _cache_key(token_checksum: str) -> str:
    """The cache key of a token's introspection result: its SHA-256 (hex), which is also
    django-oauth-toolkit's ``AccessToken.token_checksum``."""
    return "exchange:introspect:" + token_checksum


def forget_revoked_token(sender: Any, instance: Any, **_kwargs: Any) -> None:
    """``post_delete`` of a DOT ``AccessToken`` (revocation, RFC 7009; refresh-token reuse
    detection; code reuse): drop its cached introspection result, so a gateway sharing the cache
    (Redis in production) refuses the token on the next message instead of up to
    ``SATUPINTU_EXCHANGE_INTROSPECTION_CACHE_SECONDS`` later. A gateway with its own cache (local
    memory, another cluster) still waits for that TTL."""
    checksum = getattr(instance, "token_checksum", "")
    if checksum:
        try:
            cache.delete(_cache_key(checksum))
        except Exception:  # a cache outage must not fail the revocation; the TTL still bounds it
            log.warning("could not drop a revoked token's cached introspection", exc_info=True)


def forget_tokens(token_checksums: list[str]) -> None:
    """Drop the cached introspection results of these tokens (SHA-256 hex, DOT's ``token_checksum``),
    e.g. when their client is disabled; a cache outage is logged, the TTL still bounds it."""
    if not token_checksums:
        return
    try:
        cache.delete_many([_cache_key(c) for c in token_checksums])
    except Exception:
        log.warning("could not drop cached token introspections", exc_info=True)


def connect_signals() -> None:
    """Called from ``ExchangeConfig.ready``."""
    from django.db.models.signals import post_delete
    from oauth2_provider.models import get_access_token_model

    post_delete.connect(forget_revoked_token, sender=get_access_token_model(),
                        dispatch_uid="exchange-forget-revoked-token")


def introspect(token: str) -> dict[str, Any]:
    """RFC 7662 introspection of ``token`` (cached). Returns the response object; an inactive or
    unknown token gives ``{"active": false}``. Raises a 503 :class:`GatewayError` when the
    introspection endpoint is not configured or does not answer properly (a ``403``, the gateway's
    client lacking "may introspect tokens", ADR 0135, is logged as an error naming the client)."""
    url = settings.SATUPINTU_EXCHANGE_INTROSPECTION_URL
    if not url:
        raise GatewayError(503, "Server.ClientProxy.TokenIntrospectionFailed", "Token introspection unavailable",
                           "Bearer tokens are not accepted: no introspection endpoint is configured.")
    key = _cache_key(hashlib.sha256(token.encode()).hexdigest())
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    try:
        response = _http().post(
            url, data={"token": token, "token_type_hint": "access_token"},
            auth=(settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID,
                  settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET),
            headers={"Accept": "application/json"},
        )
        response.raise_for_status()
        result = response.json()
        if not isinstance(result, dict) or not isinstance(result.get("active"), bool):
            raise ValueError("no boolean 'active' member")
    except (httpx.HTTPError, ValueError) as exc:
        if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code == 403:
            # The provider knows the client but it may not introspect (ADR 0135): say what to fix.
            log.error("token introspection refused: the OAuth client %r may not introspect tokens; a platform "
                      "admin must tick 'may introspect tokens' in its relying-party settings (/kelola/)",
                      settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID)
        else:
            log.warning("token introspection failed: %s", exc)
        raise GatewayError(503, "Server.ClientProxy.TokenIntrospectionFailed", "Token introspection unavailable",
                           "The token could not be checked; try again later.") from exc
    ttl = settings.SATUPINTU_EXCHANGE_INTROSPECTION_CACHE_SECONDS
    exp = result.get("exp")
    if result["active"] and isinstance(exp, int | float):
        ttl = min(ttl, int(exp - time.time()))
    if ttl > 0:
        cache.set(key, result, ttl)
    return result


def credentials_match(request: HttpRequest, *, cert_fingerprint: str, oauth_client_id: str) -> bool:
    """True when the request proves it is the subsystem with these bound credentials."""
    fingerprint = _cert_fingerprint(request)
    if fingerprint is not None and cert_fingerprint and fingerprint == cert_fingerprint:
        return True
    authorization = request.headers.get("Authorization", "")
    scheme, _sep, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip() and oauth_client_id:
        result = introspect(token.strip())
        return result.get("active") is True and result.get("client_id") == oauth_client_id
    return False


def authenticate(request: HttpRequest) -> Subsystem:
    """The client subsystem named by the client header and proven by a credential.

    Errors: 400 for a missing/malformed header; 401 (``Server.ClientProxy.AuthenticationFailed``,
    the same answer for an unknown subsystem and a wrong credential); 503 when introspection fails.
    """
    instance, member_class, member_code, code = parse_client(client_header(request))
    subsystem = (Subsystem.objects.select_related("member", "member__agency")
                 .filter(member__instance=instance, member__member_class=member_class,
                         member__member_code=member_code, code=code).first())
    if subsystem is None or not credentials_match(request, cert_fingerprint=subsystem.cert_fingerprint,
                                                  oauth_client_id=subsystem.oauth_client_id):
        raise unknown_client()
    return subsystem
