"""``satupintu import-regions [PATH] [--url URL --sha256 HEX] [--if-empty]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from satupintu.regions import importer
from satupintu.regions.models import Region


class Command(BaseCommand):
    help = (
        "Import kode wilayah (and postal codes) from PATH: a folder with wilayah.csv|.sql and "
        "optionally wilayah_kodepos.csv|.sql, or one such file. Without PATH: the shared data "
        "folder if present, else the pinned upstream files (sha256 checked)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="folder or file to import")
        parser.add_argument("--url", help="download the regions file from URL instead")
        parser.add_argument("--sha256", help="expected SHA-256 of --url (required with a non-pinned URL)")
        parser.add_argument("--postal-url", help="download the postal-code file from URL too")
        parser.add_argument("--postal-sha256", help="expected SHA-256 of --postal-url")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if regions are already loaded")
        parser.add_argument("--no-progress", action="store_true", help="never show a progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Region.objects.exists():
            self.stdout.write(f"Regions already loaded ({Region.objects.count()}); nothing to do.")
            return
        regions_path, postal_path = self._sources(options)
        show_bar = sys.stdout.isatty() and not options["no_progress"]
        try:
            if show_bar:
                report = self._run_with_bar(regions_path, postal_path)
            else:
                report = importer.import_regions(regions_path=regions_path, postal_path=postal_path)
        except importer.RegionImportError as exc:
            raise CommandError(str(exc)) from exc
        levels = report.by_level
        self.stdout.write(
            f"Regions: {report.regions_total} (provinces {levels.get(1, 0)}, regencies/cities "
            f"{levels.get(2, 0)}, districts {levels.get(3, 0)}, villages {levels.get(4, 0)}); "
            f"added {report.added}, renamed {report.renamed}, removed {report.removed}.\n"
            f"Postal codes: {report.postal_total}; added {report.postal_added}, changed "
            f"{report.postal_changed}, removed {report.postal_removed}."
        )

    def _sources(self, options: dict[str, Any]) -> tuple[Path | None, Path | None]:
        try:
            if options["url"]:
                sha = options["sha256"] or (
                    importer.PINNED_REGIONS_SHA256 if options["url"] == importer.PINNED_REGIONS_URL else None
                )
                if not sha:
                    raise CommandError("--sha256 is required with a URL that is not the pinned one.")
                regions = importer.download_pinned(options["url"], sha)
                postal = None
                if options["postal_url"]:
                    psha = options["postal_sha256"] or (
                        importer.PINNED_POSTAL_SHA256
                        if options["postal_url"] == importer.PINNED_POSTAL_URL else None
                    )
                    if not psha:
                        raise CommandError("--postal-sha256 is required with a non-pinned postal URL.")
                    postal = importer.download_pinned(options["postal_url"], psha)
                return regions, postal
            if options["path"]:
                return importer.resolve_sources(Path(options["path"]))
            shared = Path(settings.SATUPINTU_SHARED_DATA) / "wilayah"
            if shared.is_dir():
                return importer.resolve_sources(shared)
            self.stdout.write("Shared data not found; downloading the pinned upstream files.")
            return (
                importer.download_pinned(importer.PINNED_REGIONS_URL, importer.PINNED_REGIONS_SHA256),
                importer.download_pinned(importer.PINNED_POSTAL_URL, importer.PINNED_POSTAL_SHA256),
            )
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        except importer.RegionImportError as exc:
            raise CommandError(str(exc)) from exc

    def _run_with_bar(self, regions_path: Path | None, postal_path: Path | None) -> importer.ImportReport:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn()) as bar:
            bar_tasks: dict[str, Any] = {}
            bar.console.print("Validating…")

            def tick(stage: str, done: int, total: int) -> None:
                if stage not in bar_tasks:
                    bar_tasks[stage] = bar.add_task("Regions" if stage == "regions" else "Postal codes", total=total)
                bar.update(bar_tasks[stage], completed=done)

            return importer.import_regions(regions_path=regions_path, postal_path=postal_path, progress=tick)
