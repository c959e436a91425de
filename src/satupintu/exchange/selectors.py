"""Reads that cross a trust boundary: message-log monitoring scoped to the principal, and the
citizen's data-access records."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from satupintu.core.principal import Principal
from satupintu.exchange.access import is_platform_admin
from satupintu.exchange.keys import nik_index
from satupintu.exchange.models import DataAccess, Member, MessageLog, Service


def messages_visible_to(principal: Principal) -> QuerySet[MessageLog]:
    """Message-log records the principal may see: all for platform admins and national auditors
    (no agency); for an agency admin or an agency's auditor the messages to or from their agency's
    members (as the audit log is scoped for them); nothing for anyone else."""
    qs = MessageLog.objects.all()
    if is_platform_admin(principal) or (principal.has_role("auditor") and not principal.agency):
        return qs
    if (principal.has_role("agency_admin") or principal.has_role("auditor")) and principal.agency:
        ids = [m.identifier + "/" for m in Member.objects.filter(agency__code=principal.agency)]
        if not ids:
            return qs.none()
        return qs.filter(reduce(or_, [Q(service__startswith=i) | Q(client__startswith=i) for i in ids]))
    return qs.none()


def _pct(ordered: list[float], pct: float) -> float:
    if not ordered:
        return 0.0
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def service_statistics(principal: Principal, *, since: datetime | None = None) -> list[dict[str, Any]]:
    """Per service since ``since`` (default: the last 24 hours): ``service``, ``count``,
    ``errors`` (status ≥ 400 or an X-Road error), ``error_rate`` (0–1) and latency ``p50``,
    ``p95``, ``p99`` in milliseconds (total gateway time, nearest-rank percentiles).

    Messages naming a service that is not in the directory (refused ones: anyone can send a request
    naming any service) are counted in one last row with ``service`` ``None``, so a caller cannot
    put names of its choosing on the monitoring page."""
    since = since or timezone.now() - timedelta(hours=24)
    rows = messages_visible_to(principal).filter(logged_at__gte=since).exclude(service="") \
        .values_list("service", "status", "error", "duration_ms")
    known = {s.identifier for s in Service.objects.select_related("provider__member")}
    grouped: dict[str | None, list[tuple[int, str, float]]] = {}
    for name, status, error, duration in rows.iterator(chunk_size=5000):
        grouped.setdefault(name if name in known else None, []).append((status, error, duration))
    out = []
    for service, items in sorted(grouped.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        durations = sorted(d for _s, _e, d in items)
        errors = sum(1 for s, e, _d in items if s >= 400 or e)
        out.append({"service": service, "count": len(items), "errors": errors, "error_rate": errors / len(items),
                    "p50": _pct(durations, 50), "p95": _pct(durations, 95), "p99": _pct(durations, 99)})
    return out


def data_accesses_for_nik(nik: str) -> QuerySet[DataAccess]:
    """Every recorded read of the personal data of the citizen with ``nik``, newest first.

    The NIK is turned into its keyed blind index (:func:`satupintu.exchange.keys.nik_index`);
    the plain NIK is never stored or queried. The caller must have established that the
    principal *is* this citizen (see ``api.py``)."""
    return DataAccess.objects.filter(subject_index=nik_index(nik)).order_by("-occurred_at", "-id")
