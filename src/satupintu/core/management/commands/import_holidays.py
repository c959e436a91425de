"""``satupintu import-holidays [PATH]``: load national holidays and cuti bersama (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from satupintu.core.holidays_io import SEED, HolidayImportError, load_holidays
from satupintu.core.models import Holiday


class Command(BaseCommand):
    help = "Load hari libur nasional and cuti bersama from PATH (default: the bundled 2025–2027 seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(SEED))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created, updated = load_holidays(Holiday, Path(options["path"]))
        except (OSError, HolidayImportError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Holidays: {created} added, {updated} updated, {Holiday.objects.count()} in total.")
