"""Shared fixtures. Tests hit the real database (SQLite by default, PostgreSQL with DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"

SMALL_REGIONS_CSV = """kode,nama
31,DKI Jakarta
31.71,Kota Administrasi Jakarta Pusat
31.71.01,Gambir
31.71.01.1001,Gambir
31.71.01.1002,Cideng
31.74,Kota Administrasi Jakarta Selatan
32,Jawa Barat
32.16,Kabupaten Bekasi
32.16.01,Tarumajaya
32.16.01.2001,Pantai Makmur
32.75,Kota Bekasi
32.75.01,Bekasi Timur
32.75.01.1001,Margahayu
"""

SMALL_POSTAL_CSV = """kode,kodepos
31.71.01.1001,10110
31.71.01.1002,10150
32.16.01.2001,17211
32.75.01.1001,17113
"""


@pytest.fixture
def small_region_files(tmp_path: Path) -> Path:
    """A folder with a 13-region wilayah.csv and its wilayah_kodepos.csv."""
    (tmp_path / "wilayah.csv").write_text(SMALL_REGIONS_CSV, encoding="utf-8")
    (tmp_path / "wilayah_kodepos.csv").write_text(SMALL_POSTAL_CSV, encoding="utf-8")
    return tmp_path


@pytest.fixture
def small_regions(db, small_region_files: Path):  # noqa: ANN001
    """The small region set loaded into the test database."""
    from satupintu.regions.importer import import_regions

    return import_regions(
        regions_path=small_region_files / "wilayah.csv", postal_path=small_region_files / "wilayah_kodepos.csv"
    )


def pytest_configure(config: pytest.Config) -> None:
    """Run the tests on Django's backend with the checked, cheaper flush of tests/db/ (ADR 0125).

    Before pytest-django creates the test database and before any connection is opened; every
    thread makes its own connection from these settings. Loading the models made this thread's
    (unconnected) connection object with the stock backend: it is dropped and made again."""
    from django.conf import settings
    from django.db import connections

    db = settings.DATABASES["default"]
    db["ENGINE"] = {"django.db.backends.postgresql": "tests.db.postgresql",
                    "django.db.backends.sqlite3": "tests.db.sqlite3"}.get(db["ENGINE"], db["ENGINE"])
    for made in connections.all(initialized_only=True):
        assert made.connection is None, "a database connection was opened before pytest_configure"
        del connections[made.alias]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):  # noqa: ANN001
    """On SQLite, put the test database in a file instead of memory, so live-server threads each
    get their own connection (as in production) instead of sharing one: concurrency tests of the
    exchange gateway then exercise real SQLite locking."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _audit_guard(request: pytest.FixtureRequest):  # noqa: ANN202
    """The audit tables refuse DELETE/TRUNCATE (triggers), which Django's flush after a
    transactional test needs: restore the guard before each database test, lift it for the flush.
    See tests/audit/guard.py."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server", "django_db_reset_sequences"}:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up before us, so torn down (flushed) after us
    from tests.audit import guard

    guard.restore()
    yield
    transactional = bool(names & {"transactional_db", "live_server", "django_db_reset_sequences"}) or (
        marker is not None and marker.kwargs.get("transaction", bool(marker.args and marker.args[0])))
    if transactional:
        guard.lift()
