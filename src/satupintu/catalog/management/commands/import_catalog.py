"""``satupintu import-catalog [PATH] [--if-empty]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from satupintu.catalog.importer import CatalogImportError, import_catalog
from satupintu.catalog.models import Service


class Command(BaseCommand):
    help = (
        "Import the service catalogue from PATH, a folder holding agencies.yaml and services.yaml "
        "(default: $SATUPINTU_SHARED_DATA/catalog). Validates everything first; writes nothing if any "
        "entry is invalid (each problem printed as file: entry: field: message). Re-import is idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="folder with agencies.yaml and services.yaml")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if services are already loaded")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Service.objects.exists():
            self.stdout.write(f"Catalogue already loaded ({Service.objects.count()} services); nothing to do.")
            return
        folder = Path(options["path"]) if options["path"] else Path(settings.SATUPINTU_SHARED_DATA) / "catalog"
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder (expected agencies.yaml and services.yaml in it).")
        try:
            report = import_catalog(folder)
        except CatalogImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(exc.errors)} error(s); nothing was imported.") from exc
        self.stdout.write(str(report))
