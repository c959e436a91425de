"""The gateway's one directory lookup per message: client subsystem, service and access right in a
single SQL round trip (the ORM's query compilation alone cost more than the 3 ms budget; see ADR
0063), cached in the process (ADR 0105). Reads only; every write goes through
:mod:`satupintu.exchange.actions`.

Cache rule (ADR 0105): a looked-up :class:`Route` (also "unknown client") is reused for at most
``SATUPINTU_EXCHANGE_DIRECTORY_CACHE_SECONDS`` (0 turns the cache off), and never after a directory
change: saving or deleting a member, subsystem, service, access right or agency bumps a version in
this process at once and in the shared cache (Redis in production) at once and again on commit;
every lookup compares that version. So a revoked right takes effect on the next message in every
process that shares the cache, and within the TTL otherwise (bulk ``QuerySet.update`` without
signals, or a per-process local-memory cache).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from satupintu.catalog.models import Agency
from satupintu.exchange.models import AccessRight, Member, Service, Subsystem

_SQL = f"""
SELECT c.id, c.cert_fingerprint, c.oauth_client_id, a.code, a.name_id,
       s.id, s.backend_url, s.personal_data, s.data_items, s.legal_basis, s.store_bodies,
       r.id, r.methods, r.path_prefixes
FROM {Subsystem._meta.db_table} c
JOIN {Member._meta.db_table} cm ON cm.id = c.member_id
JOIN {Agency._meta.db_table} a ON a.id = cm.agency_id
LEFT JOIN (
    SELECT s0.* FROM {Service._meta.db_table} s0
    JOIN {Subsystem._meta.db_table} ps ON ps.id = s0.provider_id
    JOIN {Member._meta.db_table} pm ON pm.id = ps.member_id
    WHERE pm.instance = %s AND pm.member_class = %s AND pm.member_code = %s AND ps.code = %s
      AND s0.service_code = %s AND s0.enabled
) s ON 1 = 1
LEFT JOIN {AccessRight._meta.db_table} r ON r.client_id = c.id AND r.service_id = s.id
WHERE cm.instance = %s AND cm.member_class = %s AND cm.member_code = %s AND c.code = %s
"""  # noqa: S608 - table names come from our models; every value is a bound parameter


@dataclass(frozen=True)
class Route:
    """What one message needs from the directory. ``service_id`` is ``None`` for an unknown or
    disabled service; ``right_id`` is ``None`` when the client has no right on it."""

    client_pk: int
    client_id: str
    cert_fingerprint: str
    oauth_client_id: str
    agency_code: str
    agency_name: str
    service_id: str
    service_pk: int | None
    backend_url: str
    personal_data: bool
    data_items: list[str]
    legal_basis: str
    store_bodies: bool
    right_id: int | None
    methods: list[str]
    path_prefixes: list[str]


log = logging.getLogger(__name__)

VERSION_KEY = "exchange:directory:version"
_MAX_ENTRIES = 10_000
_lock = threading.Lock()
_local_version = 0
_entries: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[float, tuple[int, Any], Route | None]] = {}


def _shared_version() -> Any:
    """The directory version in the shared cache; ``None`` when the cache cannot be read."""
    try:
        return cache.get(VERSION_KEY, 0)
    except Exception:  # a cache outage must not stop the gateway: fall back to the database
        log.warning("exchange directory: cache unreadable, looking up in the database", exc_info=True)
        return None


def _bump_shared() -> None:
    try:
        if not cache.add(VERSION_KEY, 1, timeout=None):
            cache.incr(VERSION_KEY)
    except ValueError:  # expired between add and incr
        cache.set(VERSION_KEY, 1, timeout=None)
    except Exception:
        log.warning("exchange directory: could not publish a directory change to the cache", exc_info=True)


def invalidate() -> None:
    """Forget every cached route in this process and tell the other processes (via the shared cache)."""
    global _local_version
    with _lock:
        _local_version += 1
        _entries.clear()
    _bump_shared()


def _changed(**_kwargs: Any) -> None:
    invalidate()
    # Again after commit: a process that read the old rows between the first bump and the commit
    # cached them under the first bumped version.
    transaction.on_commit(invalidate)


def connect_signals() -> None:
    """Invalidate on every save/delete of a directory model (called from ``ExchangeConfig.ready``)."""
    for model in (Member, Subsystem, Service, AccessRight, Agency):
        post_save.connect(_changed, sender=model, dispatch_uid=f"exchange-directory-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"exchange-directory-delete-{model.__name__}")


def route(client: tuple[str, str, str, str], service: list[str]) -> Route | None:
    """Look up client ``(instance, class, member, subsystem)`` and service
    ``[instance, class, member, subsystem, serviceCode]``; ``None`` when the client is unknown.
    Served from the process cache under the rule in the module docstring."""
    ttl = settings.SATUPINTU_EXCHANGE_DIRECTORY_CACHE_SECONDS
    if ttl <= 0:
        return _load(client, service)
    shared = _shared_version()
    if shared is None:
        return _load(client, service)
    key = (tuple(client), tuple(service[:5]))
    now = time.monotonic()
    version = (_local_version, shared)
    hit = _entries.get(key)
    if hit is not None and hit[0] > now and hit[1] == version:
        return hit[2]
    found = _load(client, service)
    with _lock:
        if version[0] == _local_version:  # no change in this process while we looked it up
            if len(_entries) >= _MAX_ENTRIES:
                _entries.clear()
            _entries[key] = (now + ttl, version, found)
    return found


def _load(client: tuple[str, str, str, str], service: list[str]) -> Route | None:
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [*service[:5], *client])
        row = cursor.fetchone()
    if row is None:
        return None
    (c_pk, fingerprint, oauth_id, agency_code, agency_name, s_pk, backend_url, personal, items, basis, store,
     r_pk, methods, prefixes) = row
    return Route(
        client_pk=c_pk, client_id="/".join(client), cert_fingerprint=fingerprint or "",
        oauth_client_id=oauth_id or "", agency_code=agency_code, agency_name=agency_name,
        service_id="/".join(service[:5]), service_pk=s_pk, backend_url=backend_url or "",
        personal_data=bool(personal), data_items=[i.strip() for i in (items or "").split(",") if i.strip()],
        legal_basis=basis or "", store_bodies=bool(store), right_id=r_pk,
        methods=[m for m in (methods or "").split(",") if m],
        path_prefixes=[p.strip() for p in (prefixes or "").splitlines() if p.strip()],
    )
