"""``satupintu import-online-services [PATH ...] [--with-agencies] [--check]``.

Loads online service definitions from YAML files (default: the six bundled ones in
``satupintu/applications/definitions/``). Agencies come from the catalogue (``satupintu
import-catalog``); ``--with-agencies`` is only needed without a loaded catalogue. Each service
found in the catalogue is marked as online on this portal (a ``portal`` channel, added through
:func:`satupintu.catalog.actions.service_portal_channel_ensure`, audited), so its page shows
"Ajukan online" (ADR 0081). Idempotent: a file whose content equals the newest
published version changes nothing; a changed file adds and publishes a new version (published
versions are never edited). Every file is checked before anything is written; a problem stops
the command with each error and its path (exit status 1). ``--check`` runs the same checks,
unknown agencies included, and writes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from satupintu.applications.actions import definition_import
from satupintu.applications.definitions_io import DefinitionContent, load_yaml, parse_definition
from satupintu.catalog import actions as catalog_actions
from satupintu.catalog import selectors as catalog_selectors
from satupintu.catalog.models import Agency
from satupintu.core.errors import InvalidInput
from satupintu.core.principal import Principal

BUNDLED = Path(__file__).resolve().parent.parent.parent / "definitions"


def _files(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths or [str(BUNDLED)]:
        path = Path(raw)
        if path.is_dir():
            out += sorted(path.glob("*.yaml"))
        elif path.is_file():
            out.append(path)
        else:
            raise CommandError(f"{path}: no such file or folder")
    if not out:
        raise CommandError("no *.yaml definition files found")
    return out


def _ensure_agencies(codes: set[str]) -> list[str]:
    """Create missing agencies (and their parents) from the shared catalogue's agencies.yaml.
    Interim, until the catalogue branch's importer owns agencies (ADR 0071)."""
    source = Path(settings.SATUPINTU_SHARED_DATA) / "catalog" / "agencies.yaml"
    rows = {row["code"]: row for row in yaml.safe_load(source.read_text(encoding="utf-8"))}
    created: list[str] = []

    def ensure(code: str) -> Agency:
        existing = Agency.objects.filter(code=code).first()
        if existing is not None:
            return existing
        if code not in rows:
            raise CommandError(f"agency {code!r} is not in {source}")
        row = rows[code]
        parent = ensure(row["parent"]) if row.get("parent") else None
        if row["kind"] == "pemda":
            raise CommandError(f"agency {code!r} is a pemda: load it with its region through the catalogue")
        agency = Agency.objects.create(code=code, name_id=row["name_id"], name_en=row.get("name_en") or "",
                                       kind=row["kind"], parent=parent, website=row.get("website") or "")
        created.append(code)
        return agency

    for code in sorted(codes):
        ensure(code)
    return created


class Command(BaseCommand):
    help = "Load online service definitions (form + workflow) from YAML; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="YAML files or folders (default: the bundled definitions)")
        parser.add_argument("--with-agencies", action="store_true",
                            help="create missing agencies from the shared catalogue's agencies.yaml")
        parser.add_argument("--check", action="store_true", help="only check the files; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        contents: list[tuple[Path, DefinitionContent]] = []
        problems: list[str] = []
        for path in _files(options["paths"]):
            try:
                contents.append((path, parse_definition(load_yaml(path.read_text(encoding="utf-8")))))
            except InvalidInput as exc:
                problems += [f"{path.name}: {e.field}: {e.message}" for e in exc.errors]
            except UnicodeDecodeError as exc:  # saved in another encoding (e.g. Windows-1252)
                problems.append(f"{path.name}: byte {exc.start}: the file is not UTF-8 text")
        if problems:
            raise CommandError("invalid definitions:\n  " + "\n  ".join(problems))
        missing = sorted({c.agency_code for _p, c in contents} - set(
            Agency.objects.filter(code__in={c.agency_code for _p, c in contents}).values_list("code", flat=True)))
        if missing and not options["with_agencies"]:
            raise CommandError(f"unknown agencies {', '.join(missing)}: load the catalogue first "
                               "(satupintu import-catalog) or add --with-agencies")
        if options["check"]:
            extra = f" (agencies to create: {', '.join(missing)})" if missing else ""
            self.stdout.write(f"{len(contents)} definition(s) are valid{extra}.")
            return
        acting = Principal.platform("import")
        with transaction.atomic():
            if options["with_agencies"]:
                made = _ensure_agencies({c.agency_code for _p, c in contents})
                if made:
                    self.stdout.write(f"Agencies created: {', '.join(made)}")
            for path, content in contents:
                try:
                    version, changed = definition_import(content=content, acting=acting)
                except InvalidInput as exc:
                    raise CommandError(f"{path.name}: " + "; ".join(f"{e.field}: {e.message}"
                                                                  for e in exc.errors)) from exc
                state = f"published version {version.number}" if changed else f"unchanged (version {version.number})"
                service = catalog_selectors.service_by_slug(content.service_slug)
                if service is not None and catalog_actions.service_portal_channel_ensure(service=service,
                                                                                         acting=acting):
                    state += ", now online on the portal"
                self.stdout.write(f"{content.slug}: {state}")
