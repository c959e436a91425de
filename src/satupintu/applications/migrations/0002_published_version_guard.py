"""Database-level guard: a published definition version cannot be updated (or, on PostgreSQL,
deleted). The model layer refuses the same (``ImmutableVersion``); this catches raw SQL and
bulk writes that bypass it. SQLite only guards UPDATE, because Django's test flush empties
tables with DELETE there (PostgreSQL flushes with TRUNCATE, which row triggers do not see)."""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER applications_version_published_guard
BEFORE UPDATE ON applications_definitionversion
WHEN OLD.status = 'published'
BEGIN SELECT RAISE(ABORT, 'published definition versions are immutable'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS applications_version_published_guard;"
PG_UP = """
CREATE OR REPLACE FUNCTION applications_version_guard() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'published definition versions are immutable';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER applications_version_published_guard
BEFORE UPDATE OR DELETE ON applications_definitionversion
FOR EACH ROW EXECUTE FUNCTION applications_version_guard();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS applications_version_published_guard ON applications_definitionversion;
DROP FUNCTION IF EXISTS applications_version_guard();
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(PG_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("applications", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
