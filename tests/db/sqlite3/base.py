"""SQLite for the tests: Django's backend (whose flush already deletes), with the emptiness check of
``tests/db/flush.py`` (ADR 0125)."""

from __future__ import annotations

from django.db.backends.sqlite3 import base, operations

from tests.db.flush import CheckedFlush


class DatabaseOperations(CheckedFlush, operations.DatabaseOperations):
    pass


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
