"""``satupintu import-population [PATH] [--if-empty]``: load the population register (default: the
demo data); ``--if-empty`` does nothing when the register already has residents (``make run``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from satupintu.core.principal import Principal
from satupintu.registries.actions import DEMO_FILE, population_import
from satupintu.registries.models import Person


class Command(BaseCommand):
    help = "Load residents into the population register (JSON array); default: the demo data set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEMO_FILE))
        parser.add_argument("--if-empty", action="store_true", help="skip when the register already has residents")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Person.objects.exists():
            self.stdout.write("population register: already loaded (--if-empty)")
            return
        try:
            result = population_import(path=Path(options["path"]),
                                       acting=Principal.platform("satupintu import-population"))
        except (ValidationError, OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"population register: {result['created']} created, {result['updated']} updated")
