"""Life events, the 9 national priority services, and the per-database full-text structures.

SQLite: an FTS5 table ``catalog_service_fts`` (external content = catalog_searchdocument) kept in
sync by triggers. PostgreSQL: ``pg_trgm``, a generated weighted ``tsvector`` column with a GIN index,
and a trigram index on the vocabulary (typo suggestions).
"""

from django.db import migrations

LIFE_EVENTS = [
    ("kelahiran", "Kelahiran", "Birth"),
    ("pendidikan", "Pendidikan", "Education"),
    ("pekerjaan", "Pekerjaan", "Work"),
    ("pernikahan", "Pernikahan", "Marriage"),
    ("pindah-domisili", "Pindah domisili", "Moving house"),
    ("usaha", "Memulai usaha", "Starting a business"),
    ("kendaraan", "Kendaraan", "Vehicles"),
    ("kesehatan", "Kesehatan", "Health"),
    ("bantuan-sosial", "Bantuan sosial", "Social assistance"),
    ("perjalanan", "Perjalanan", "Travel"),
    ("kematian", "Kematian", "Death of a family member"),
    ("pajak", "Pajak", "Taxes"),
    ("pensiun", "Pensiun", "Retirement"),
    ("properti", "Tanah dan properti", "Land and property"),
]

PRIORITY_AREAS = [
    ("identitas-digital", "Identitas digital", "Digital identity"),
    ("satu-data", "Satu Data Indonesia", "One Data Indonesia"),
    ("pembayaran-digital", "Pembayaran digital", "Digital payments"),
    ("portal-layanan", "Portal pelayanan publik", "Public service portal"),
    ("asn", "ASN digital", "Digital civil service"),
    ("sim-online", "SIM online", "Online driving licence"),
    ("bansos", "Bantuan sosial", "Social assistance"),
    ("kesehatan", "Kesehatan", "Health"),
    ("pendidikan", "Pendidikan", "Education"),
]

SQLITE_UP = [
    """CREATE VIRTUAL TABLE catalog_service_fts USING fts5(
        name_terms, keyword_terms, summary_terms, body_terms,
        content='catalog_searchdocument', content_rowid='service_id',
        tokenize='unicode61 remove_diacritics 0')""",
    # "rank" = bm25 with the field weights name 10, keywords 5, summary 2, body 1 (search.WEIGHTS).
    "INSERT INTO catalog_service_fts(catalog_service_fts, rank) VALUES ('rank', 'bm25(10.0, 5.0, 2.0, 1.0)')",
    """CREATE TRIGGER catalog_searchdocument_ai AFTER INSERT ON catalog_searchdocument BEGIN
        INSERT INTO catalog_service_fts(rowid, name_terms, keyword_terms, summary_terms, body_terms)
        VALUES (new.service_id, new.name_terms, new.keyword_terms, new.summary_terms, new.body_terms);
    END""",
    """CREATE TRIGGER catalog_searchdocument_ad AFTER DELETE ON catalog_searchdocument BEGIN
        INSERT INTO catalog_service_fts(catalog_service_fts, rowid, name_terms, keyword_terms, summary_terms,
                                        body_terms)
        VALUES ('delete', old.service_id, old.name_terms, old.keyword_terms, old.summary_terms, old.body_terms);
    END""",
    """CREATE TRIGGER catalog_searchdocument_au AFTER UPDATE ON catalog_searchdocument BEGIN
        INSERT INTO catalog_service_fts(catalog_service_fts, rowid, name_terms, keyword_terms, summary_terms,
                                        body_terms)
        VALUES ('delete', old.service_id, old.name_terms, old.keyword_terms, old.summary_terms, old.body_terms);
        INSERT INTO catalog_service_fts(rowid, name_terms, keyword_terms, summary_terms, body_terms)
        VALUES (new.service_id, new.name_terms, new.keyword_terms, new.summary_terms, new.body_terms);
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS catalog_searchdocument_au",
    "DROP TRIGGER IF EXISTS catalog_searchdocument_ad",
    "DROP TRIGGER IF EXISTS catalog_searchdocument_ai",
    "DROP TABLE IF EXISTS catalog_service_fts",
]

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE catalog_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(name_terms, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(keyword_terms, '')), 'B') ||
        setweight(to_tsvector('simple', coalesce(summary_terms, '')), 'C') ||
        setweight(to_tsvector('simple', coalesce(body_terms, '')), 'D')) STORED""",
    # A small vector (name, keywords, summary) for ts_rank: ranking thousands of matches reads each
    # row's vector, and the full one (with requirements and procedure) is several times larger.
    """ALTER TABLE catalog_searchdocument ADD COLUMN rank_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(name_terms, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(keyword_terms, '')), 'B') ||
        setweight(to_tsvector('simple', coalesce(summary_terms, '')), 'C')) STORED""",
    "CREATE INDEX catalog_searchdocument_vector ON catalog_searchdocument USING gin (vector)",
    "CREATE INDEX catalog_searchterm_trgm ON catalog_searchterm USING gin (term gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS catalog_searchterm_trgm",
    "DROP INDEX IF EXISTS catalog_searchdocument_vector",
    "ALTER TABLE catalog_searchdocument DROP COLUMN IF EXISTS rank_vector",
    "ALTER TABLE catalog_searchdocument DROP COLUMN IF EXISTS vector",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def seed(apps, schema_editor):
    LifeEvent = apps.get_model("catalog", "LifeEvent")
    PriorityArea = apps.get_model("catalog", "PriorityArea")
    for position, (slug, name_id, name_en) in enumerate(LIFE_EVENTS):
        LifeEvent.objects.update_or_create(slug=slug, defaults={"name_id": name_id, "name_en": name_en,
                                                                "position": position})
    for position, (slug, name_id, name_en) in enumerate(PRIORITY_AREAS):
        PriorityArea.objects.update_or_create(slug=slug, defaults={"name_id": name_id, "name_en": name_en,
                                                                   "position": position})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_services")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(_run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
                             _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})),
    ]
