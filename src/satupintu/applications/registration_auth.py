"""Who is calling the GovStack Registration API (ADR 0090).

Two ways in, tried in this order (django-ninja auth classes; neither → 401 problem):

1. ``Authorization: Bearer <token>``: an access token of the platform's own OAuth provider
   (django-oauth-toolkit; checked by its ``OAuthLibCore.verify_request``, never parsed here)
   carrying the ``registration`` scope. A citizen's token acts as that citizen (level of
   assurance = the token's sign-in ``acr``); an officer's token as that officer (agency and
   roles from the account; only tokens from a sign-in with a second factor, like the
   back-office); a client-credentials token as the client's *system* principal (id = the
   client id), whose agency is its relying party's agency, else the agency of the exchange
   subsystem registered with that client id. Token checks: identity's ``bearer_principal``.
2. ``Information-Mediator-Client`` / ``X-Road-Client: INSTANCE/CLASS/MEMBER/SUBSYSTEM``, only
   when the request comes from ``SATUPINTU_REGISTRATION_TRUSTED_PROXIES`` (the platform's own
   gateway); from any other address the header is ignored. The system principal's agency is
   the agency of the exchange member that owns that subsystem (none if it is not registered:
   then it sees nothing).

System principals only read their agency's applications, tasks and statistics; they hold no
role, so the actions refuse them every write (see :mod:`satupintu.applications.access`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer

from satupintu.core.principal import Principal

SCOPE = "registration"
CLIENT_HEADERS = ("Information-Mediator-Client", "X-Road-Client")
_PART = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
CLIENT_ID_RE = re.compile(rf"^({_PART})/({_PART})/({_PART})/({_PART})$")
log = logging.getLogger("satupintu.applications")


def _system(id_: str, display: str, agency: str | None) -> Principal:
    return Principal(kind="system", id=id_[:255], display=display[:120], agency=agency)


def _subsystem_agency(*, identifier: str | None = None, oauth_client_id: str | None = None) -> str | None:
    from satupintu.exchange.models import Subsystem

    qs = Subsystem.objects.select_related("member__agency")
    if oauth_client_id is not None:
        subsystem = qs.filter(oauth_client_id=oauth_client_id).first()
    else:
        match = CLIENT_ID_RE.match(identifier or "")
        if match is None:
            return None
        instance, member_class, member_code, code = match.groups()
        subsystem = qs.filter(member__instance=instance, member__member_class=member_class,
                              member__member_code=member_code, code=code).first()
    return subsystem.member.agency.code if subsystem is not None else None


class OAuthToken(HttpBearer):
    """``Authorization: Bearer`` with a platform access token holding the ``registration`` scope."""

    openapi_description = "OAuth 2.0 access token of the platform with the `registration` scope"

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        from satupintu.identity.interface import bearer_loa, bearer_principal

        principal = bearer_principal(request, scopes=[SCOPE])  # reads no body (a broken one: core.api's 400)
        if principal is None:
            return None
        if principal.kind == "system":
            if not principal.agency:
                principal = replace(principal, agency=_subsystem_agency(oauth_client_id=principal.id))
            loa = "loa0"
        elif principal.kind in ("citizen", "officer"):
            loa = bearer_loa(request)
            if principal.kind == "officer" and loa != "loa2":
                return None  # officers work only after a second factor (as in the back-office)
        else:
            return None
        request.principal = principal  # type: ignore[attr-defined]
        request.registration_loa = loa  # type: ignore[attr-defined]
        return principal


class InformationMediator(APIKeyHeader):
    """The calling system named by the Information Mediator (trusted proxy addresses only)."""

    param_name = "Information-Mediator-Client"
    openapi_description = ("INSTANCE/CLASS/MEMBER/SUBSYSTEM of the calling system, set by the Information Mediator "
                           "(also X-Road-Client); honoured only from the configured gateway addresses")

    def _get_key(self, request: HttpRequest) -> str | None:
        return next((request.headers[h] for h in CLIENT_HEADERS if request.headers.get(h)), None)

    def authenticate(self, request: HttpRequest, key: str | None) -> Principal | None:
        if not key:
            return None
        address = request.META.get("REMOTE_ADDR")
        if address not in settings.SATUPINTU_REGISTRATION_TRUSTED_PROXIES:
            log.warning("Information Mediator client header from untrusted address %s ignored", address)
            return None
        if CLIENT_ID_RE.match(key) is None:
            return None
        principal = _system(key, key, _subsystem_agency(identifier=key))
        request.principal = principal  # type: ignore[attr-defined]
        request.registration_loa = "loa0"  # type: ignore[attr-defined]
        return principal


AUTH: list[Any] = [OAuthToken(), InformationMediator()]


def principal_of(request: HttpRequest) -> Principal:
    """The principal the auth classes above put on the request (anonymous if none)."""
    principal = getattr(request, "principal", None)
    return principal if isinstance(principal, Principal) else Principal.anonymous()


def request_loa(request: HttpRequest) -> str:
    """``loa0``–``loa2`` of the request's token (``loa0`` for systems)."""
    return str(getattr(request, "registration_loa", "loa0"))
