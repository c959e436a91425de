"""Lift and restore the audit tables' append-only triggers — for tests only.

Transactional tests (``django_db(transaction=True)``) empty the database with Django's
``flush`` afterwards; the triggers rightly refuse that, so ``tests/conftest.py`` lifts the guard
for that flush and restores it before the next test. Tamper tests use :func:`guard_lifted` to
play an attacker who has switched the triggers off.

PostgreSQL: ``SET session_replication_role = replica`` (ordinary triggers do not fire; needs a
superuser, which the test role is). SQLite: drop the triggers, re-create them afterwards.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_migration = importlib.import_module("satupintu.audit.migrations.0004_append_only_triggers")


def lift() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        else:
            for sql in _migration.statements(connection.vendor, install=False):
                cursor.execute(sql)


def restore() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            for sql in _migration.statements(connection.vendor, install=True):
                cursor.execute(sql)


@contextmanager
def guard_lifted() -> Iterator[None]:
    """Run the block with the append-only triggers off (an attacker with DBA rights)."""
    lift()
    try:
        yield
    finally:
        restore()
