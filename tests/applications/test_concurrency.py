"""Two officers acting on the same application at once: exactly one wins (real transactions)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils.datastructures import MultiValueDict

from satupintu.applications.access import access_application_by_id
from satupintu.applications.actions import application_apply, application_transition, definition_import
from satupintu.applications.definitions_io import parse_definition
from satupintu.applications.models import Application
from satupintu.core.errors import Conflict
from satupintu.core.principal import Principal
from tests.applications.conftest import citizen, definition_data, officer, valid_post

# Real row locks need PostgreSQL: SQLite's in-memory test database (shared cache) answers a
# concurrent writer with "table is locked" instead of waiting, unlike the file database in WAL
# mode with BEGIN IMMEDIATE that deployments use. `make test` with DATABASE_URL runs these.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
]


@pytest.fixture
def app(agencies, settings, tmp_path) -> Application:  # noqa: ANN001
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")
    version, _ = definition_import(content=parse_definition(definition_data()), acting=Principal.platform())
    data = MultiValueDict({k: [v] for k, v in valid_post().items()})
    return application_apply(acting=citizen(), definition=version.definition, data=data, idempotency_key="c")


def run_in_thread(fn: Any, results: dict[str, Any], name: str) -> threading.Thread:
    def target() -> None:
        try:
            results[name] = fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[name] = exc
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_second_officer_waits_for_the_lock_then_gets_a_conflict(app: Application) -> None:
    first, second = officer("dukcapil", "verifier", n=1), officer("dukcapil", "verifier", n=2)
    results: dict[str, Any] = {}
    with transaction.atomic():
        access_application_by_id(first, app.pk, for_update=True)  # officer 1 holds the row
        thread = run_in_thread(lambda: application_transition(
            acting=second, application_id=app.pk, transition="verifikasi"), results, "second")
        time.sleep(0.3)
        assert thread.is_alive()  # blocked on the row lock, not acting on stale data
        application_transition(acting=first, application_id=app.pk, transition="verifikasi")
    thread.join(10)
    assert isinstance(results["second"], Conflict)
    app.refresh_from_db()
    assert app.state == "diverifikasi"
    assert list(app.events.values_list("action", flat=True)) == ["created", "submitted", "verifikasi"]


def test_two_officers_at_once_exactly_one_wins(app: Application) -> None:
    results: dict[str, Any] = {}
    barrier = threading.Barrier(2)

    def act(n: int) -> Any:
        barrier.wait()
        return application_transition(acting=officer("dukcapil", "verifier", n=n), application_id=app.pk,
                                      transition="verifikasi")

    threads = [run_in_thread(lambda n=n: act(n), results, f"o{n}") for n in (1, 2)]
    for thread in threads:
        thread.join(30)
    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["Application", "Conflict"], results
    app.refresh_from_db()
    assert app.events.filter(action="verifikasi").count() == 1


def test_same_idempotency_key_at_once_creates_one_application(agencies, settings, tmp_path) -> None:  # noqa: ANN001
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")
    version, _ = definition_import(content=parse_definition(definition_data()), acting=Principal.platform())
    data = MultiValueDict({k: [v] for k, v in valid_post().items()})
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def submit() -> Any:
        barrier.wait()
        return application_apply(acting=citizen(), definition=version.definition, data=data, idempotency_key="dbl")

    threads = [run_in_thread(submit, results, f"t{n}") for n in (1, 2)]
    for thread in threads:
        thread.join(30)
    assert all(isinstance(r, Application) for r in results.values()), results
    assert len({r.pk for r in results.values()}) == 1
    assert Application.objects.filter(idempotency_key="dbl").count() == 1
