"""``satupintu reindex-catalog``: rebuild the search index (after synonym or region changes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from satupintu.catalog.analyzer import reset_analyzer
from satupintu.catalog.search import reindex_all


class Command(BaseCommand):
    help = "Rebuild the catalogue search index with the current analyzer (synonyms, region names)."

    def handle(self, *args: Any, **options: Any) -> None:
        reset_analyzer()
        self.stdout.write(f"Indexed {reindex_all()} services.")
