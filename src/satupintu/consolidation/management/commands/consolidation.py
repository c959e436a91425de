"""``satupintu consolidation generate --apps N [--seed S] [--keep]`` and
``satupintu consolidation sync-reference``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from satupintu.consolidation import generator
from satupintu.consolidation.reference import ReferenceDataError, sync_reference_data


class Command(BaseCommand):
    help = "SPBE consolidation tools: generate a synthetic inventory; sync the shipped reference data."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        gen = sub.add_parser("generate", help="create a SYNTHETIC inventory (needs `satupintu import-regions`)")
        gen.add_argument("--apps", type=int, default=30000, help="number of apps (default 30000)")
        gen.add_argument("--seed", type=int, default=20261130, help="random seed (default 20261130)")
        gen.add_argument("--keep", action="store_true", help="keep earlier synthetic rows (default: replace them)")
        sub.add_parser("sync-reference", help="load business functions, aplikasi umum and SPBE frameworks")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "sync-reference":
            try:
                counts = sync_reference_data()
            except ReferenceDataError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Business functions {counts['functions']}, aplikasi umum {counts['general_apps']}, "
                              f"frameworks created {counts['frameworks_created']}.")
            return
        show = sys.stdout.isatty()

        def tick(done: int, total: int) -> None:
            if show:
                self.stdout.write(f"\r{done:,}/{total:,} apps", ending="")

        try:
            created = generator.generate(apps=options["apps"], seed=options["seed"], replace=not options["keep"],
                                         progress=tick)
        except generator.GeneratorError as exc:
            raise CommandError(str(exc)) from exc
        if show:
            self.stdout.write("")
        self.stdout.write(f"Created {created:,} SYNTHETIC applications (seed {options['seed']}); "
                          "they are marked synthetic and are not real agency data.")
