"""Database triggers that make the audit tables append-only (UPDATE, DELETE and, on PostgreSQL,
TRUNCATE are refused), so neither the ORM, a raw SQL statement nor ``manage flush`` can change
history. ``audit_chainhead`` stays updatable: it is the append lock, not history.

The SQL lives here (frozen with the migration); ``tests/audit/guard.py`` reuses it to lift the
guard around test flushes.
"""

from django.db import migrations

TABLES = ("audit_auditevent", "audit_checkpoint")

SQLITE_INSTALL = [
    sql
    for table in TABLES
    for sql in (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    )
]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {table}_{op}" for table in TABLES for op in ("no_update", "no_delete")
]

POSTGRES_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    *[
        sql
        for table in TABLES
        for sql in (
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
        )
    ],
]
POSTGRES_REMOVE = [
    *[
        f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}"
        for table in TABLES
        for name in ("append_only", "no_truncate")
    ],
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]


def statements(vendor: str, *, install: bool) -> list[str]:
    """The SQL for ``vendor`` (``sqlite`` or ``postgresql``); other databases are refused."""
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_REMOVE
    raise NotImplementedError(f"audit append-only triggers are not written for {vendor!r}")


def install(apps, schema_editor):  # noqa: ANN001
    for sql in statements(schema_editor.connection.vendor, install=True):
        schema_editor.execute(sql, params=None)


def remove(apps, schema_editor):  # noqa: ANN001
    for sql in statements(schema_editor.connection.vendor, install=False):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_checkpoint")]
    operations = [migrations.RunPython(install, remove)]
