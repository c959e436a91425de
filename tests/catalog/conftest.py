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


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the shared catalogue folder, for tests that break it."""
    for name in ("agencies.yaml", "services.yaml"):
        (tmp_path / name).write_text((CATALOG_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def load_queries() -> list[dict]:
    return yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
