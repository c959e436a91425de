"""``satupintu import-holidays [PATH]``: load national holidays and cuti bersama (idempotent).

The calendar moves working-day deadlines, so an import that adds or changes days is recorded as
``holiday.imported`` (file, counts) in the same transaction; an import that changes nothing records
nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from satupintu.core.holidays_io import SEED, HolidayImportError, load_holidays
from satupintu.core.models import Holiday


class Command(BaseCommand):
    help = "Load hari libur nasional and cuti bersama from PATH (default: the bundled 2025–2027 seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(SEED))

    def handle(self, *args: Any, **options: Any) -> None:
        from satupintu.audit.actions import record
        from satupintu.core.principal import Principal

        path = Path(options["path"])
        try:
            with transaction.atomic():
                created, updated = load_holidays(Holiday, path)
                if created or updated:
                    record(actor=Principal.platform("import-holidays"), action="holiday.imported",
                           details={"file": path.name, "added": created, "updated": updated})
        except (OSError, HolidayImportError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Holidays: {created} added, {updated} updated, {Holiday.objects.count()} in total.")
