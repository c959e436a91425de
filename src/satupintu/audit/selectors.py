"""Reads of the audit log, always through an :class:`~satupintu.audit.access.AuditScope`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from satupintu.audit.access import AuditScope
from satupintu.audit.models import AuditEvent


@dataclass(frozen=True)
class EventFilters:
    """Filters of the back-office list; empty strings / ``None`` mean "any".

    ``actor``: exact actor id, or part of the actor's display name (case-insensitive).
    ``agency``: exact agency code of the actor. ``action``: exact action name, or a prefix
    ending in ``.`` (``application.``). ``target_type`` / ``target_id``: exact.
    ``since`` (inclusive) / ``until`` (exclusive): aware datetimes.
    """

    actor: str = ""
    agency: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def events_for(*, scope: AuditScope, filters: EventFilters) -> QuerySet[AuditEvent]:
    """Events visible in ``scope`` matching ``filters``, newest first."""
    qs = AuditEvent.objects.all()
    if scope.agency is not None:
        qs = qs.filter(actor_agency=scope.agency)
    if filters.actor:
        qs = qs.filter(Q(actor_id=filters.actor) | Q(actor_display__icontains=filters.actor))
    if filters.agency:
        qs = qs.filter(actor_agency=filters.agency)
    if filters.action.endswith("."):
        qs = qs.filter(action__startswith=filters.action)
    elif filters.action:
        qs = qs.filter(action=filters.action)
    if filters.target_type:
        qs = qs.filter(target_type=filters.target_type)
    if filters.target_id:
        qs = qs.filter(target_id=filters.target_id)
    if filters.since is not None:
        qs = qs.filter(occurred_at__gte=filters.since)
    if filters.until is not None:
        qs = qs.filter(occurred_at__lt=filters.until)
    return qs.order_by("-seq")
