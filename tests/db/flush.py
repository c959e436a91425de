"""The flush that ends every transactional test, made cheap on PostgreSQL and checked on both databases.

Django's ``TransactionTestCase`` (which pytest-django uses for ``django_db(transaction=True)`` and
``live_server``) empties every table after each test with ``manage flush``. On PostgreSQL that is one
``TRUNCATE`` of all ~70 tables, which gives each table, index and TOAST table a new file and syncs
them: 1.5–2.5 s per test on the CI machine. ``DELETE FROM`` each table costs 10–50 ms for the few
rows a test writes. ADR 0125.

What stays as with ``TRUNCATE``:
- every table is empty afterwards; :meth:`CheckedFlush.execute_sql_flush` checks it inside the same
  transaction and raises :class:`LeftoverRowsError` naming the tables that kept rows (a ``BEFORE
  DELETE`` trigger can skip rows silently, ``TRUNCATE`` cannot);
- writers still running in other connections (live-server threads) are waited for, not raced:
  ``LOCK TABLE ... IN ACCESS EXCLUSIVE MODE`` takes the lock ``TRUNCATE`` takes before the deletes;
- sequences are not reset (pytest-django flushes with ``reset_sequences=False``); a flush that asks
  to reset them, or to cascade (``available_apps``), is left to Django's ``TRUNCATE``, and so is
  ``manage flush`` with its defaults, so ``tests/audit/test_append_only.py`` still sees the audit
  tables refuse a real ``TRUNCATE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction


class LeftoverRowsError(AssertionError):
    """A flush left rows behind: the next test would start on another test's data."""


class CheckedFlush:
    """Mixin for a backend's ``DatabaseOperations``: remember the flushed tables, check they are empty."""

    connection: Any
    _flushed_tables: tuple[str, ...] = ()

    def sql_flush(self, style: Any, tables: Sequence[str], *, reset_sequences: bool = False,
                  allow_cascade: bool = False) -> list[str]:
        """Django's statements for emptying ``tables``; the tables are remembered for the check."""
        self._flushed_tables = tuple(tables)
        return super().sql_flush(  # type: ignore[misc]
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)

    def execute_sql_flush(self, sql_list: Iterable[str]) -> None:
        """Run the flush statements and, in the same transaction, check every flushed table is empty.

        Raises :class:`LeftoverRowsError` (rolling the flush back) naming each table that kept rows.
        """
        tables, self._flushed_tables = self._flushed_tables, ()
        with transaction.atomic(using=self.connection.alias):
            super().execute_sql_flush(sql_list)  # type: ignore[misc]
            left = leftover_tables(self.connection, tables)
            if left:
                raise LeftoverRowsError(f"the flush left rows in {', '.join(left)}")


def leftover_tables(connection: Any, tables: Sequence[str]) -> list[str]:
    """The names among ``tables`` that still hold at least one row, in the given order (one query)."""
    if not tables:
        return []
    quote = connection.ops.quote_name  # the names are Django's own table names, quoted as identifiers
    probes = " UNION ALL ".join(
        f"SELECT {i} FROM (SELECT 1 FROM {quote(name)} LIMIT 1) AS t{i}"  # noqa: S608
        for i, name in enumerate(tables))
    with connection.cursor() as cursor:
        cursor.execute(probes)
        found = {row[0] for row in cursor.fetchall()}
    return [name for i, name in enumerate(tables) if i in found]
