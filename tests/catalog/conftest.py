"""Catalogue fixtures: the shared seed catalogue imported into the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import SHARED_DATA

CATALOG_DIR = SHARED_DATA / "catalog"
QUERIES = Path(__file__).with_name("queries.yaml")


@pytest.fixture(autouse=True)
def _fresh_analyzer():
    """Each test starts with an analyzer built from its own database (regions, synonyms)."""
    from satupintu.catalog.analyzer import reset_analyzer

    reset_analyzer()
    yield
    reset_analyzer()


@pytest.fixture
def catalog(small_regions):  # noqa: ANN001, ANN201
    """The 60-service shared catalogue imported, on top of the small region set (incl. Bekasi)."""
    from satupintu.catalog.importer import import_catalog

    return import_catalog(CATALOG_DIR)


@pytest.fixture(scope="module")
def catalog_module(django_db_setup, django_db_blocker, tmp_path_factory):  # noqa: ANN001, ANN201
    """The same data imported once per test module inside an outer transaction that is rolled back
    at the module's end (like Django's ``setUpTestData``); each test still runs in its own savepoint."""
    from django.db import transaction

    from satupintu.catalog.importer import import_catalog
    from satupintu.regions.importer import import_regions
    from tests.conftest import SMALL_POSTAL_CSV, SMALL_REGIONS_CSV

    folder = tmp_path_factory.mktemp("regions")
    (folder / "wilayah.csv").write_text(SMALL_REGIONS_CSV, encoding="utf-8")
    (folder / "wilayah_kodepos.csv").write_text(SMALL_POSTAL_CSV, encoding="utf-8")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            import_regions(regions_path=folder / "wilayah.csv", postal_path=folder / "wilayah_kodepos.csv")
            from satupintu.catalog.analyzer import reset_analyzer

            reset_analyzer()
            yield import_catalog(CATALOG_DIR)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def shared_catalog(catalog_module, db):  # noqa: ANN001, ANN201
    """Per-test access to :func:`catalog_module` (read-mostly tests; writes roll back per test)."""
    return catalog_module


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the shared catalogue folder, for tests that break it."""
    for name in ("agencies.yaml", "services.yaml"):
        (tmp_path / name).write_text((CATALOG_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def load_queries() -> list[dict]:
    return yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
