"""Paging through ``GET /registration/v1/tasks`` reaches every task of a busy agency: whose turn
it is (officers' or the applicant's) is decided in the query, not by scanning a first window."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from satupintu.applications.models import Application
from tests.applications.test_registration_api import BASE, bearer, people, service, submitted  # noqa: F401

pytestmark = pytest.mark.django_db

COPIES = 5200  # more open applications than any fixed window
WAITING = 1200  # of which these wait for the applicant ("perlu_perbaikan"): not officers' tasks


def _open_applications(first: Application, *, waiting_last: bool = False) -> None:
    """COPIES more open applications of the same citizen, due a day before ``first``; the
    WAITING ones a day after it instead when ``waiting_last``."""
    earlier, later = first.due_at - dt.timedelta(days=1), first.due_at + dt.timedelta(days=1)
    Application.objects.bulk_create([
        Application(version_id=first.version_id, definition_id=first.definition_id, agency_id=first.agency_id,
                    applicant_kind=first.applicant_kind, applicant_id=first.applicant_id, status=first.status,
                    state="perlu_perbaikan" if n < WAITING else first.state, tracking_number=f"SP-2026-{n + 100000}",
                    submitted_at=first.submitted_at, due_at=later if waiting_last and n < WAITING else earlier,
                    answers=first.answers)
        for n in range(COPIES)], batch_size=500)


def test_the_last_page_of_a_busy_agencys_tasks_is_reachable(submitted: dict[str, Any],  # noqa: F811
                                                            people: dict[str, Any]) -> None:  # noqa: F811
    _open_applications(Application.objects.get(tracking_number=submitted["fileId"]))
    officer_tasks = COPIES - WAITING + 1
    auth = bearer(people["petugas"])
    last = Client().get(f"{BASE}/tasks", {"firstResult": officer_tasks - 1, "maxResult": 10}, **auth)
    assert last.status_code == 200
    assert [t["fileId"] for t in last.json()] == [submitted["fileId"]]  # the latest deadline comes last
    page = Client().get(f"{BASE}/tasks", {"firstResult": 100, "maxResult": 500}, **auth).json()
    assert len(page) == 500 and {t["taskId"].split(".")[1] for t in page} == {"diajukan"}


def test_a_citizen_pages_through_the_applications_sent_back_to_them(submitted: dict[str, Any],  # noqa: F811
                                                                   people: dict[str, Any]) -> None:  # noqa: F811
    _open_applications(Application.objects.get(tracking_number=submitted["fileId"]), waiting_last=True)
    auth = bearer(people["warga"])
    tail = Client().get(f"{BASE}/tasks", {"firstResult": WAITING - 2, "maxResult": 10}, **auth).json()
    assert len(tail) == 2 and {t["fileId"].split("-")[2] for t in tail} <= {str(n + 100000) for n in range(WAITING)}
