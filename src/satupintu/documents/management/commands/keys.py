"""``satupintu keys init|rotate|list``: development signing keys for outcome documents.

``init [--agency CODE ...]``: create the platform root CA and issuing CA (once) and a signing
certificate for every agency in the catalogue (or only the named ones) that has none.
``rotate --agency CODE``: a new key and certificate for the agency; old ones are kept.
``list``: every agency's certificates with validity and which one is current.
Exit status 0 on success, 1 with the reason on stderr otherwise.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from satupintu.catalog.models import Agency
from satupintu.documents import keys


class Command(BaseCommand):
    help = "Manage the signing keys of outcome documents: init, rotate, list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="create the development CA and agency signing certificates")
        init.add_argument("--agency", action="append", default=[], help="agency code (repeatable)")
        rotate = sub.add_parser("rotate", help="give an agency a new signing key; old certificates are kept")
        rotate.add_argument("--agency", required=True)
        sub.add_parser("list", help="list agency certificates")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except keys.KeyConfigurationError as exc:
            raise CommandError(str(exc)) from exc

    def _agencies(self, codes: list[str]) -> list[Agency]:
        if not codes:
            return list(Agency.objects.order_by("code"))
        found = {a.code: a for a in Agency.objects.filter(code__in=codes)}
        missing = sorted(set(codes) - set(found))
        if missing:
            raise CommandError(f"unknown agency code(s): {', '.join(missing)}")
        return [found[c] for c in codes]

    def _init(self, options: dict[str, Any]) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("keys init creates DEVELOPMENT keys and refuses to run in production; "
                               "install the agencies' PKCS#12 files instead (docs/operations.md, Signing keys).")
        created, directory = keys.init_dev_ca(platform_name=settings.SATUPINTU_PLATFORM_NAME)
        self.stdout.write(f"{'created' if created else 'kept'} development root and issuing CA in {directory}")
        for agency in self._agencies(options["agency"]):
            made, path = keys.issue_agency_certificate(code=agency.code, name=agency.name_id)
            self.stdout.write(f"{'created' if made else 'kept'} {agency.code}: {path.name}")

    def _rotate(self, options: dict[str, Any]) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("keys rotate uses the development CA; in production install the new PKCS#12 "
                               "and point agencies/<code>/current at it (docs/operations.md).")
        agency = self._agencies([options["agency"]])[0]
        _made, path = keys.issue_agency_certificate(code=agency.code, name=agency.name_id, rotate=True)
        self.stdout.write(f"rotated {agency.code}: now {path.name}; older certificates kept")

    def _list(self, options: dict[str, Any]) -> None:
        base = keys.keys_dir() / "agencies"
        for agency_dir in sorted(p for p in base.glob("*") if p.is_dir()):
            for stem, cert, current in keys.agency_certificates(agency_dir.name):
                self.stdout.write(
                    f"{agency_dir.name}\t{stem}\t{cert.not_valid_before_utc:%Y-%m-%d}..{cert.not_valid_after_utc:%Y-%m-%d}"
                    f"\t{'current' if current else 'retired'}"
                )
