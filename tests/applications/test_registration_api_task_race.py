"""Completing a Registration API task while another officer moves the same application: the task
(``<fileId>.<state>``) names the state the caller saw, so once that state is gone the completion
is a 409 conflict, never a transition taken from a state the caller never saw (real locks: PostgreSQL's
row lock, SQLite's single writer lock)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client

from satupintu.applications.actions import application_transition
from satupintu.applications.models import Application
from tests.applications.conftest import officer
from tests.applications.test_registration_api import BASE, bearer, people, service, submitted  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _wait_until_blocked(thread: threading.Thread) -> None:
    """Until the API request has read the task and waits for the row (PostgreSQL: a lock not
    granted; pg_locks is live, unlike pg_stat_activity's per-transaction snapshot). SQLite has no
    such view: the request waits for our BEGIN IMMEDIATE write lock; give it a moment to get there."""
    if connection.vendor != "postgresql":
        thread.join(1.0)
        return
    for _ in range(2000):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0] or not thread.is_alive():
                return
        thread.join(0.01)


def test_completing_a_task_whose_state_another_officer_just_left_is_a_conflict(
        submitted: dict[str, Any], people: dict[str, Any]) -> None:  # noqa: F811
    task = f"{submitted['fileId']}.diajukan"
    auth = bearer(people["petugas"])
    results: dict[str, Any] = {}

    def complete() -> None:
        try:  # "minta_perbaikan" may start at diajukan *and* at diverifikasi
            results["api"] = Client().post(f"{BASE}/tasks/{task}/complete",
                                           {"data": {"transition": "minta_perbaikan", "reason": "Foto buram."}},
                                           content_type="application/json", **auth)
        finally:
            close_old_connections()
            connection.close()

    with transaction.atomic():
        Application.objects.select_for_update().get(tracking_number=submitted["fileId"])  # the first officer
        thread = threading.Thread(target=complete)
        thread.start()
        _wait_until_blocked(thread)
        assert thread.is_alive(), results["api"].content[:300]
        application_transition(acting=officer("dukcapil", "verifier", n=7),
                               application_id=Application.objects.get(tracking_number=submitted["fileId"]).pk,
                               transition="verifikasi")
    thread.join(30)
    response = results["api"]
    assert response.status_code == 409, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    application = Application.objects.get(tracking_number=submitted["fileId"])
    assert application.state == "diverifikasi"
    assert list(application.events.values_list("action", flat=True)) == ["created", "submitted", "verifikasi"]
