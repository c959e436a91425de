"""Test-only database backends: the stock PostgreSQL and SQLite backends with a cheaper, checked flush.

``tests/conftest.py`` switches the test settings to ``tests.db.postgresql`` or ``tests.db.sqlite3``
(ADR 0125). Production code never uses them.
"""
