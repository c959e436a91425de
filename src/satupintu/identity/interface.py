"""What other apps may use from the identity app (everything else is internal).

* ``principal_for_request(request)`` / ``User.as_principal()`` (via ``satupintu.core.principal``):
  the acting principal — citizen or officer with agency code and roles.
* :func:`require_loa` — view decorator; ``@require_loa("loa2")`` steps a password-only session up
  to a second factor (never serves the view at loa1).
* :func:`current_loa` — ``"loa0"``/``"loa1"``/``"loa2"`` of a request's session.
* :func:`masked_nik` — display form of a user's NIK for officers' screens.
* :func:`nik_blind_index` — the platform's one NIK blind index (HMAC-SHA-256 under
  ``SATUPINTU_NIK_INDEX_KEY``), used by the exchange data tracker and the registries.
* :func:`bearer_principal` — the principal of an OAuth 2.0 bearer access token (RFC 6750) issued
  by the platform's own provider, for JSON API operations that accept tokens.
* :func:`validate_client_secret` — the rule for a new OAuth client secret (≥ 32 characters, ≥ 8
  different; ADR 0121), for every path that creates or changes a client with a secret.
* :func:`registered_oauth_client` — whether an OAuth client id is registered and the agency it is
  registered to, for the exchange directory's binding rule (ADR 0140).
* Tests: :mod:`satupintu.identity.testing` (``make_citizen``, ``make_officer``, ``valid_nik``, ...).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from satupintu.core.principal import Principal
from satupintu.identity.crypto import nik_blind_index
from satupintu.identity.loa import current_loa, require_loa
from satupintu.identity.oidc.client_secrets import validate_client_secret

__all__ = ["RegisteredClient", "bearer_loa", "bearer_principal", "current_loa", "masked_nik", "nik_blind_index",
           "registered_oauth_client", "require_loa", "validate_client_secret"]


def masked_nik(user: Any) -> str:
    """``3174********0001`` for a citizen, ``""`` for anyone without a NIK."""
    return str(getattr(user, "nik_masked", "") or "")


def bearer_principal(request: Any, *, scopes: list[str]) -> Principal | None:
    """The principal behind the request's ``Authorization: Bearer <access token>`` (RFC 6750 §2.1).

    Input: a Django request; ``scopes``: every scope the token must carry (RFC 6749 §3.3).
    Output: for a token issued to a user (authorization code grant) that user's principal — and
    ``request.user`` becomes that user for the rest of the request; for a client-credentials token a
    ``system`` principal whose id is the OAuth client id (agency from its relying-party settings).
    ``None`` when there is no bearer token or it is unknown, expired, revoked, lacks a scope, or
    belongs to an inactive user. Never raises for a bad token. Tokens in the query string are
    refused (RFC 9700 §4.3.2). Checked by django-oauth-toolkit (the provider's own token store).
    """
    from oauth2_provider.oauth2_backends import get_oauthlib_core

    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    if header[:7].lower() != "bearer " or not header[7:].strip():
        return None
    # The token is in the header: the toolkit must not parse the body for it (it reads
    # ``request.POST``, which consumes a multipart body, so the API's own read of the JSON body
    # failed with RawPostDataException, a 500). A copy with an empty POST leaves the body unread.
    probe = copy.copy(request)
    probe._post, probe._files = QueryDict(), MultiValueDict()
    valid, result = get_oauthlib_core().verify_request(probe, scopes=scopes)
    token = getattr(result, "access_token", None) if valid else None
    if token is None:
        return None
    if token.user_id is not None:
        user = token.user
        if not user.is_active:
            return None
        request.user = user
        return user.as_principal()
    from satupintu.identity.oidc.validator import relying_party

    application = token.application
    rp = relying_party(application)
    agency = rp.agency.code if rp is not None and rp.agency is not None else None
    return Principal(kind="system", id=application.client_id, display=application.name[:100], agency=agency)


def bearer_loa(request: Any) -> str:
    """The level of assurance (``loa1``/``loa2``) of the sign-in for which the request's
    ``Authorization: Bearer`` access token was issued: the grant's sign-in context (``acr``,
    stored under the token's SHA-256 checksum by the OIDC validator). Use after
    :func:`bearer_principal` accepted the token; ``loa1`` when no context is recorded."""
    import hashlib

    from satupintu.identity.models import SignInContext

    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    raw = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not raw:
        return "loa0"
    checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    acr = SignInContext.objects.filter(access_token_checksum=checksum).values_list("acr", flat=True).first()
    return acr or "loa1"


@dataclass(frozen=True)
class RegisteredClient:
    """An OAuth client registered with the platform's provider: its ``client_id`` and the code of
    the agency its relying-party settings name (``None`` when it has none)."""

    client_id: str
    agency: str | None


def registered_oauth_client(client_id: str) -> RegisteredClient | None:
    """The registered OAuth client (django-oauth-toolkit ``Application``) with this ``client_id``
    (compared exactly, as the token endpoint does), with the agency a platform admin set in its
    relying-party settings (``RelyingParty.agency``); ``None`` when no client has this id."""
    from oauth2_provider.models import get_application_model

    row = (get_application_model().objects.filter(client_id=client_id)
           .values_list("client_id", "relying_party__agency__code").first())
    return None if row is None else RegisteredClient(client_id=row[0], agency=row[1])
