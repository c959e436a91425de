"""Two inventory imports of the same agency at the same time: the second waits for the first and
then updates what the first created, instead of failing on the (agency, code) unique rule."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from satupintu.audit.models import AuditEvent
from satupintu.consolidation.inventory_io import ImportResult, import_inventory
from satupintu.consolidation.models import Application
from tests.consolidation.conftest import admin_of
from tests.consolidation.test_import import csv_bytes, row

ADMIN = admin_of("pemda-32-16")


def _backend_pid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _blocked_by(waiting: int, holding: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [holding, waiting])
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_import_of_the_same_new_application_waits_and_then_updates_it(agencies) -> None:  # noqa: ANN001
    """The first import runs inside a transaction this test keeps open; the second import of the same
    new application code starts meanwhile. On PostgreSQL the test sees the second wait for the
    first's locks; on SQLite (no view of waiting connections) its IMMEDIATE transactions queue the
    writers, and the test checks the same outcome."""
    imported, release, second_started = threading.Event(), threading.Event(), threading.Event()
    outcomes: dict[str, ImportResult | BaseException] = {}
    pids: dict[str, int | None] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcomes["first"] = import_inventory(data=csv_bytes(row()), filename="a.csv", acting=ADMIN)
                pids["first"] = _backend_pid()
                imported.set()
                release.wait(60)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            outcomes["first"] = exc
            imported.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            pids["second"] = _backend_pid()
            second_started.set()
            outcomes["second"] = import_inventory(data=csv_bytes(row(nama="SIMPEG Bekasi v2")), filename="b.csv",
                                                  acting=ADMIN)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            outcomes["second"] = exc
            second_started.set()
        finally:
            connection.close()

    threads: list[Any] = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert imported.wait(60)
    threads[1].start()
    assert second_started.wait(60)
    if connection.vendor == "postgresql":
        first_pid, second_pid = pids["first"], pids["second"]
        assert first_pid is not None and second_pid is not None
        for _ in range(6000):  # until the second import waits for the first's transaction
            if _blocked_by(second_pid, first_pid) or not threads[1].is_alive():
                break
            time.sleep(0.01)
        assert _blocked_by(second_pid, first_pid)
    assert "second" not in outcomes  # it cannot finish while the first holds its transaction
    release.set()
    for thread in threads:
        thread.join(60)
    first_result, second_result = outcomes["first"], outcomes["second"]
    assert isinstance(first_result, ImportResult), first_result
    assert isinstance(second_result, ImportResult), second_result
    assert (first_result.created, first_result.updated) == (1, 0)
    assert (second_result.created, second_result.updated) == (0, 1)
    assert list(Application.objects.filter(agency__code="pemda-32-16").values_list("code", "name")) == [
        ("simpeg", "SIMPEG Bekasi v2")]
    assert AuditEvent.objects.filter(action="spbe_inventory.imported").count() == 2
