"""``satupintu documents verify FILE.pdf``: print the verification verdict of a signed PDF.

Exit status: 0 when the document is valid; 1 otherwise (modified, invalid, untrusted, revoked,
superseded, not a PDF, ...); the verdict is printed either way. ``--json`` prints the API shape.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from satupintu.documents.verify import Verdict, bad_input_message, verify_pdf


class Command(BaseCommand):
    help = "Outcome documents: verify a signed PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify FILE.pdf; exit 1 unless valid")
        verify.add_argument("file", type=Path)
        verify.add_argument("--json", action="store_true", help="print the verdict as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        limit = int(settings.SATUPINTU_DOCUMENTS_MAX_UPLOAD)
        try:
            size = path.stat().st_size
            if size > limit:
                verdict = Verdict("too_large", bad_input_message("too_large", limit), size)
            else:
                verdict = verify_pdf(path.read_bytes())
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{verdict.status.upper()}: {verdict.message}")
            for sig in verdict.signatures:
                self.stdout.write(
                    f"  signer: {sig.signer} ({sig.signer_organization}); signed at: {sig.signed_at}; "
                    f"PAdES {sig.level}; intact: {sig.intact}; trusted: {sig.trusted}; "
                    f"byte range: {sig.byte_range}; uncovered bytes: {sig.uncovered_bytes}"
                )
            if verdict.document:
                self.stdout.write(f"  register: {verdict.document['number']} — {verdict.document['statusMessage']}")
        if not verdict.ok:
            raise CommandError(f"not valid ({verdict.status})", returncode=1)
