"""The flush after each transactional test (tests/db/, ADR 0125): every table empty, sequences kept,
writers in other connections waited for, and a flush that leaves rows fails naming the table."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from satupintu.audit.models import Checkpoint
from tests.audit import guard
from tests.db.flush import CheckedFlush, LeftoverRowsError, leftover_tables

pytestmark = pytest.mark.django_db(transaction=True)


def _flush() -> None:
    """The flush pytest-django runs after a transactional test (TransactionTestCase._fixture_teardown),
    without the post_migrate signal, so that every table is left empty."""
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, allow_cascade=False,
                 inhibit_post_migrate=True)


def _tables() -> list[str]:
    return connection.introspection.django_table_names(only_existing=True, include_views=False)


def _checkpoint() -> Checkpoint:
    return Checkpoint.objects.create(seq=0, hash="0" * 64, signed_at=timezone.now(), key_id="k", signature="s")


def test_the_tests_run_on_the_backend_with_the_checked_flush() -> None:
    assert isinstance(connection.ops, CheckedFlush)


def test_the_flush_empties_every_table_and_keeps_the_sequences() -> None:
    before = _checkpoint()
    assert ContentType.objects.exists()
    guard.lift()
    try:
        _flush()
    finally:
        guard.restore()
    assert leftover_tables(connection, _tables()) == []
    assert _checkpoint().pk > before.pk


def _skip_deletes(table: str, *, install: bool) -> None:
    """A trigger that silently keeps the rows a DELETE would remove from ``table``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if install:
                cursor.execute("CREATE FUNCTION uji_keep_row() RETURNS trigger LANGUAGE plpgsql AS "
                               "$$ BEGIN RETURN NULL; END $$")
                cursor.execute(f"CREATE TRIGGER uji_keep_row BEFORE DELETE ON {table} "
                               "FOR EACH ROW EXECUTE FUNCTION uji_keep_row()")
            else:
                cursor.execute(f"DROP TRIGGER uji_keep_row ON {table}")
                cursor.execute("DROP FUNCTION uji_keep_row()")
        elif install:
            cursor.execute(f"CREATE TRIGGER uji_keep_row BEFORE DELETE ON {table} BEGIN SELECT RAISE(IGNORE); END")
        else:
            cursor.execute("DROP TRIGGER uji_keep_row")


def test_a_flush_that_leaves_rows_fails_naming_the_table_and_changes_nothing() -> None:
    kinds = ContentType.objects.count()
    assert kinds
    _skip_deletes("django_content_type", install=True)
    try:
        with pytest.raises(CommandError) as caught:
            _flush()
    finally:
        _skip_deletes("django_content_type", install=False)
    assert isinstance(caught.value.__cause__, LeftoverRowsError)
    assert str(caught.value.__cause__) == "the flush left rows in django_content_type"
    assert ContentType.objects.count() == kinds


def _blocked_on_a_lock() -> bool:
    if connection.vendor != "postgresql":
        return False  # SQLite has no view of waiting connections; its writer lock makes the flush wait
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return bool(cursor.fetchone()[0])


def test_the_flush_waits_for_a_writer_in_another_connection_and_removes_its_rows() -> None:
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                ContentType.objects.create(app_label="uji", model="tertunda")
                inserted.set()
                release.wait(30)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            inserted.set()
        finally:
            connection.close()

    def flusher() -> None:
        try:
            guard.lift()
            _flush()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            guard.restore()
            connection.close()

    writing = threading.Thread(target=writer)
    writing.start()
    assert inserted.wait(30)
    flushing = threading.Thread(target=flusher)
    flushing.start()
    for _ in range(500):  # until the flush waits for the writer's lock (PostgreSQL) or has finished
        if not flushing.is_alive() or _blocked_on_a_lock():
            break
        time.sleep(0.01)
    release.set()
    writing.join(30)
    flushing.join(30)
    assert errors == []
    assert leftover_tables(connection, _tables()) == []
