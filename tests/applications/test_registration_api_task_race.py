"""Completing a Registration API task while another officer moves the same application: the task
(``<fileId>.<state>``) names the state the caller saw, so once that state is gone the completion
is a 409 conflict, never a transition taken from a state the caller never saw (real row locks)."""

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


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        # pg_locks is live (pg_stat_activity is a snapshot frozen for the whole transaction).
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return bool(cursor.fetchone()[0])


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
        for _ in range(2000):  # until the API request has read the task and waits for the row
            if _waiting_on_a_lock() or not thread.is_alive():
                break
            thread.join(0.01)
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
