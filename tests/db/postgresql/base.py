"""PostgreSQL for the tests: Django's backend, with the flush of ``tests/db/flush.py`` (ADR 0125)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.postgresql import base, operations

from tests.db.flush import CheckedFlush


class DatabaseOperations(CheckedFlush, operations.DatabaseOperations):
    def sql_flush(self, style: Any, tables: Sequence[str], *, reset_sequences: bool = False,
                  allow_cascade: bool = False) -> list[str]:
        """``LOCK TABLE`` all, then ``DELETE FROM`` each, instead of one ``TRUNCATE`` of all.

        Foreign keys are ``DEFERRABLE INITIALLY DEFERRED`` (Django's DDL), so the deletes may run
        in any order: the constraints are checked at commit, when every table is empty. Resetting
        sequences or cascading to tables outside ``tables`` is left to Django's ``TRUNCATE``.
        """
        if not tables or reset_sequences or allow_cascade:
            return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        self._flushed_tables = tuple(tables)
        names = [style.SQL_FIELD(self.quote_name(table)) for table in tables]
        return [f"{style.SQL_KEYWORD('LOCK TABLE')} {', '.join(names)} "
                f"{style.SQL_KEYWORD('IN ACCESS EXCLUSIVE MODE')};",
                *(f"{style.SQL_KEYWORD('DELETE FROM')} {name};" for name in names)]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
