"""Reads of the applications app that cross a trust boundary: always scoped by the principal."""

from __future__ import annotations

import bisect
import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from satupintu.applications import access
from satupintu.applications.actions import agency_zone
from satupintu.applications.models import Application, ApplicationStatus, OnlineServiceDefinition
from satupintu.core.calendar import working_days_between
from satupintu.core.principal import Principal

SLA_FILTERS = ("on_time", "due_soon", "overdue")


def queue_for(principal: Principal, *, service: str = "", status: str = "", sla: str = "", number: str = "",
              now: dt.datetime | None = None) -> QuerySet[Application]:
    """The officer queue: the principal's agency's submitted applications, oldest deadline first.

    Filters: ``service`` (definition slug), ``status`` (:class:`ApplicationStatus` value),
    ``sla``: ``overdue`` (open and past ``due_at``), ``due_soon`` (open, due within 48 hours),
    ``on_time`` (open and not due soon); ``number``: tracking number prefix (case-insensitive).
    """
    now = now or timezone.now()
    # The queue shows the service name only: do not fetch the versions' form schemas or the answers.
    qs = (access.applications_for(principal).filter(status__in=access.SUBMITTED_STATUSES)
          .select_related(None).select_related("definition").defer("answers"))
    if service:
        qs = qs.filter(definition__slug=service)
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    if sla in SLA_FILTERS:
        open_ = Q(status=ApplicationStatus.IN_PROCESS)
        soon = now + dt.timedelta(hours=48)
        qs = qs.filter(open_ & {"overdue": Q(due_at__lt=now), "due_soon": Q(due_at__gte=now, due_at__lt=soon),
                                "on_time": Q(due_at__gte=soon)}[sla])
    if number:
        qs = qs.filter(tracking_number__istartswith=number.strip()[:20])
    return qs.order_by("due_at", "id")


def my_applications(principal: Principal) -> QuerySet[Application]:
    """"Permohonan saya": every application of the signed-in citizen, across agencies."""
    if principal.kind != "citizen":
        return Application.objects.none()
    return access.applications_for(principal).order_by("-updated_at")


def my_drafts_of(principal: Principal, definition: Any) -> list[Application]:
    """The signed-in citizen's saved drafts of one service, newest first (at most three): offered
    on the service's form page so that "Simpan draf" from the service again is not the only way back."""
    if principal.kind != "citizen":
        return []
    return list(access.applications_for(principal).filter(definition=definition, status=ApplicationStatus.DRAFT)
                .order_by("-updated_at")[:3])


@dataclass
class ServiceStatistics:
    """Per-service figures. ``median_working_days``/``median_hours``: processing time of finished
    applications (submission → decision), ``None`` when nothing is finished yet;
    ``sla_compliance``: share (0–1) of finished applications decided by their deadline."""

    service: str
    received: int
    in_process: int
    finished: int
    approved: int
    rejected: int
    cancelled: int
    median_working_days: float | None
    median_hours: float | None
    sla_compliance: float | None
    sent_back: int = 0


def service_statistics(principal: Principal, definition: OnlineServiceDefinition, *,
                       since: dt.datetime | None = None, until: dt.datetime | None = None) -> ServiceStatistics:
    """Statistics of one online service over the applications ``principal`` may see (an
    officer: their agency's). Working days counted in the agency's zone.

    ``since``/``until``: only applications submitted in ``[since, until)`` (the Registration
    API's ``startDate``/``endDate``). ``sent_back``: applications that were sent back to the
    applicant at least once (entered a workflow state that waits for the applicant)."""
    return service_statistics_by_period(principal, definition, [(since, until)])[0]


Period = tuple[dt.datetime | None, dt.datetime | None]


def service_statistics_by_period(principal: Principal, definition: OnlineServiceDefinition,
                                 periods: list[Period]) -> list[ServiceStatistics]:
    """:func:`service_statistics` for each ``[since, until)`` of ``periods`` (either end may be
    ``None``: unbounded), in the same order, from one read of the applications over the whole span
    and one of the sent-back ones — not one pair of queries per period (a year by day is 366
    periods). An application without a submission time only counts in a period unbounded on both
    ends (as the SQL filters would have it)."""
    lows = [low for low, _high in periods]
    highs = [high for _low, high in periods]
    qs = access.applications_for(principal).filter(definition=definition).exclude(status=ApplicationStatus.DRAFT)
    if lows and None not in lows:
        qs = qs.filter(submitted_at__gte=min(low for low in lows if low is not None))
    if highs and None not in highs:
        qs = qs.filter(submitted_at__lt=max(high for high in highs if high is not None))
    rows: list[tuple[Any, ...]] = list(qs.values_list("id", "status", "outcome", "submitted_at", "finished_at",
                                                      "due_at"))
    timed = sorted((r for r in rows if r[3] is not None), key=lambda r: r[3])
    times: list[dt.datetime] = [r[3] for r in timed]
    sent = _sent_back_ids(qs) if rows else set()
    zone = agency_zone(definition)
    out = []
    for low, high in periods:
        first = bisect.bisect_left(times, low) if low is not None else 0
        last = bisect.bisect_left(times, high) if high is not None else len(times)
        selected = timed[first:last] if first < last else []
        if low is None and high is None:
            selected = rows
        out.append(_figures(definition.slug, selected, sent, zone))
    return out


def _figures(slug: str, rows: list[tuple[Any, ...]], sent_back: set[int], zone: Any) -> ServiceStatistics:
    """The figures of ``rows`` (``id, status, outcome, submitted_at, finished_at, due_at``)."""
    finished = [r for r in rows if r[1] == ApplicationStatus.FINISHED and r[3] and r[4]]
    spans = [(r[3], r[4]) for r in finished]
    days = [working_days_between(start, end, zone) for start, end in spans]
    hours = [(end - start).total_seconds() / 3600 for start, end in spans]
    on_time = [r for r in finished if r[5] is not None and r[4] <= r[5]]
    return ServiceStatistics(
        service=slug,
        received=len(rows),
        in_process=sum(1 for r in rows if r[1] == ApplicationStatus.IN_PROCESS),
        finished=len(finished),
        approved=sum(1 for r in finished if r[2] == "approved"),
        rejected=sum(1 for r in finished if r[2] == "rejected"),
        cancelled=sum(1 for r in rows if r[1] == ApplicationStatus.CANCELLED),
        median_working_days=float(statistics.median(days)) if days else None,
        median_hours=round(statistics.median(hours), 2) if hours else None,
        sla_compliance=(len(on_time) / len(finished)) if finished else None,
        sent_back=sum(1 for r in rows if r[0] in sent_back),
    )


def _sent_back_ids(qs: QuerySet[Application]) -> set[int]:
    """Ids of the applications of ``qs`` that entered a state waiting for the applicant."""
    from satupintu.applications.models import ApplicationEvent, DefinitionVersion
    from satupintu.applications.workflow import Workflow

    sent: set[int] = set()
    for version in DefinitionVersion.objects.filter(pk__in=qs.values("version_id")).only("pk", "workflow"):
        workflow = Workflow(version.workflow)
        waiting = [name for name in workflow.states if workflow.waits_for_applicant(name)]
        if waiting:
            sent.update(ApplicationEvent.objects.filter(application__in=qs.filter(version_id=version.pk),
                                                        to_state__in=waiting)
                        .values_list("application_id", flat=True).distinct())
    return sent


def published_definition_for_service(service_slug: str) -> OnlineServiceDefinition | None:
    """The active online definition of the catalogue service ``service_slug`` that has a
    published version (public: what "Ajukan online" leads to), or ``None``."""
    from satupintu.applications.models import VersionStatus

    return (OnlineServiceDefinition.objects.filter(service_slug=service_slug, is_active=True,
                                                   versions__status=VersionStatus.PUBLISHED)
            .order_by("slug").first())
