"""``satupintu import-population [PATH]``: load the population register (default: the demo data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from satupintu.core.principal import Principal
from satupintu.registries.actions import DEMO_FILE, population_import


class Command(BaseCommand):
    help = "Load residents into the population register (JSON array); default: the demo data set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEMO_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = population_import(path=Path(options["path"]),
                                       acting=Principal.platform("satupintu import-population"))
        except (ValidationError, OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"population register: {result['created']} created, {result['updated']} updated")
