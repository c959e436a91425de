"""OIDC clients (django-oauth-toolkit ``Application`` + our :class:`RelyingParty`) looked up by
``client_id`` through a per-process :class:`~satupintu.core.versioned_cache.VersionedCache`
(ADR 0111): every save or delete of an application or relying party takes effect on the next
request in every process that shares the cache (Redis in production); other writes within
``SATUPINTU_OIDC_CLIENT_CACHE_SECONDS``. Unknown client ids are not cached.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from oauth2_provider.models import get_application_model

from satupintu.core.versioned_cache import VersionedCache
from satupintu.identity.models import RelyingParty


@dataclass(frozen=True)
class _Client:
    application: Any  # never handed out: callers get a copy (see client_by_id)
    relying_party: RelyingParty | None


CACHE: VersionedCache[_Client] = VersionedCache(
    "identity:oidc-clients", ttl_setting="SATUPINTU_OIDC_CLIENT_CACHE_SECONDS", cache_misses=False)


def connect_signals() -> None:
    """Invalidate on every save/delete of an application or relying party (``IdentityConfig.ready``)."""
    CACHE.watch(get_application_model(), RelyingParty)


def _load(client_id: str) -> _Client | None:
    application = get_application_model().objects.filter(client_id=client_id).first()
    if application is None:
        return None
    return _Client(application, RelyingParty.objects.filter(application=application).first())


def client_by_id(client_id: str) -> Any:
    """The ``Application`` with ``client_id`` (``None`` if there is none), with its relying party
    already attached (``application.relying_party``, or ``RelyingParty.DoesNotExist`` as usual).

    Each call returns this caller's own copies of the cached rows, so whatever a request sets on them
    (attributes, Django's related-object caches) never reaches another request. ``client_id`` must
    not contain a NUL byte (PostgreSQL cannot bind it; the validator refuses such ids first)."""
    found = CACHE.get(client_id, lambda: _load(client_id))
    if found is None:
        return None
    application = copy.copy(found.application)
    rp = copy.copy(found.relying_party)  # copy.copy(None) is None
    model = get_application_model()
    model.relying_party.related.set_cached_value(application, rp)
    if rp is not None:
        RelyingParty.application.field.set_cached_value(rp, application)
    return application
