"""The gateway's one directory lookup per message: client subsystem, service and access right in a
single SQL round trip (the ORM's query compilation alone cost more than the 3 ms budget; see ADR
0063), cached in the process (ADR 0105) by :class:`satupintu.core.versioned_cache.VersionedCache`.
Reads only; every write goes through :mod:`satupintu.exchange.actions`.

Cache rule (ADR 0105): a looked-up :class:`Route` (also "unknown client") is reused for at most
``SATUPINTU_EXCHANGE_DIRECTORY_CACHE_SECONDS`` (0 turns the cache off), and never after a directory
change: saving or deleting a member, subsystem, service, access right or agency bumps a version in
this process at once and in the shared cache (Redis in production) at once and again on commit;
every lookup compares that version. So a revoked right takes effect on the next message in every
process that shares the cache, and within the TTL otherwise (bulk ``QuerySet.update`` without
signals, or a per-process local-memory cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection

from satupintu.catalog.models import Agency
from satupintu.core.versioned_cache import VersionedCache
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
    backend_refusal: str | None = None  # why the gateway may not forward to backend_url (egress.py)


CACHE: VersionedCache[Route] = VersionedCache(
    "exchange:directory", ttl_setting="SATUPINTU_EXCHANGE_DIRECTORY_CACHE_SECONDS")
VERSION_KEY = CACHE.version_key


def invalidate() -> None:
    """Forget every cached route in this process and tell the other processes (via the shared cache)."""
    CACHE.invalidate()


def connect_signals() -> None:
    """Invalidate on every save/delete of a directory model (called from ``ExchangeConfig.ready``)."""
    CACHE.watch(Member, Subsystem, Service, AccessRight, Agency)


def route(client: tuple[str, str, str, str], service: list[str]) -> Route | None:
    """Look up client ``(instance, class, member, subsystem)`` and service
    ``[instance, class, member, subsystem, serviceCode]``; ``None`` when the client is unknown.
    Served from the process cache under the rule in the module docstring."""
    return CACHE.get((tuple(client), tuple(service[:5])), lambda: _load(client, service))


def _load(client: tuple[str, str, str, str], service: list[str]) -> Route | None:
    """Read the route from the database. If the connection turns out to be dead (the database
    restarted or dropped it; the gateway role has no per-request health check), it is closed and
    the read done once more on a new one; any other database error is raised."""
    from satupintu.exchange.egress import refusal
    from satupintu.exchange.messagelog import connection_alive

    try:
        row = _read(client, service)
    except DatabaseError:
        if connection.in_atomic_block or connection_alive():
            raise
        connection.close()
        row = _read(client, service)
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
        backend_refusal=refusal(backend_url) if s_pk is not None and backend_url else None,
    )


def _read(client: tuple[str, str, str, str], service: list[str]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [*service[:5], *client])
        row: tuple[Any, ...] | None = cursor.fetchone()
    return row
