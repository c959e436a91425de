"""``satupintu audit <subcommand>``: verify, checkpoint, export, keygen, public-key.

* ``verify [--public-key PEM ...]`` — walk the chain and checkpoints. Exit 0 and print the
  count when intact; exit 1 naming the first bad event otherwise; exit 2 for a key problem.
  ``verify --file SEGMENT.jsonl`` checks an exported segment's links and hashes, no database.
* ``checkpoint [--force]`` — sign the latest hash with the audit key (run it from a timer).
* ``export [--since T] [--until T | --older-than-retention] --format jsonl [--output FILE]`` —
  events with ``since <= time < until`` as JSON Lines (ISO 8601; a date or a time without an
  offset is taken as UTC). Records an ``audit.exported`` event with the count and SHA-256.
* ``keygen PATH`` — create a new Ed25519 private key (PEM, mode 0600) for production.
* ``public-key`` — print the public key (PEM) to give to offline verifiers.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from satupintu.audit import keys
from satupintu.audit.actions import create_checkpoint, record
from satupintu.audit.exporting import events_between, write_jsonl
from satupintu.audit.verify import verify_chain, verify_segment
from satupintu.core.principal import Principal


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {value!r} (e.g. 2026-01-31 or "
                                         "2026-01-31T08:00:00+07:00)") from exc
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Audit log: verify the chain, sign checkpoints, export for archiving, manage the key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        verify = sub.add_parser("verify", help="check the hash chain and the signed checkpoints")
        verify.add_argument("--public-key", action="append", type=Path, default=[],
                            help="extra trusted public key (PEM); repeatable")
        verify.add_argument("--file", type=Path, help="check an exported JSONL segment instead of the database")
        checkpoint = sub.add_parser("checkpoint", help="sign the latest chain hash with the audit key")
        checkpoint.add_argument("--force", action="store_true", help="sign even if nothing new was appended")
        export = sub.add_parser("export", help="write events as JSON Lines for archiving")
        export.add_argument("--since", type=_moment, help="first moment included (ISO 8601; default: start)")
        export.add_argument("--until", type=_moment, help="first moment excluded (ISO 8601; default: now)")
        export.add_argument("--older-than-retention", action="store_true",
                            help="until = now - SATUPINTU_AUDIT_RETENTION_DAYS")
        export.add_argument("--format", choices=["jsonl"], default="jsonl")
        export.add_argument("--output", type=Path, help="file to write (default: standard output)")
        keygen = sub.add_parser("keygen", help="create a new Ed25519 audit key file (PEM, 0600)")
        keygen.add_argument("path", type=Path)
        sub.add_parser("public-key", help="print the audit public key (PEM)")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, "_" + options["subcommand"].replace("-", "_"))
        try:
            handler(options)
        except keys.AuditKeyError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def _verify(self, options: dict[str, Any]) -> None:
        if options["file"] is not None:
            self._verify_file(options["file"])
            return
        report = verify_chain(public_keys=keys.trusted_public_keys(options["public_key"]))
        if report.problem is not None:
            raise CommandError(f"audit chain BROKEN after {report.count} good events: {report.problem}")
        unsigned = report.last_seq - report.last_signed_seq
        self.stdout.write(f"audit chain OK: {report.count} events, {report.checkpoints} checkpoints verified; "
                          f"last signed event #{report.last_signed_seq}, {unsigned} newer not yet signed")

    def _verify_file(self, path: Path) -> None:
        try:
            with path.open(encoding="utf-8") as lines:
                report = verify_segment(lines)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}", returncode=2) from exc
        if report.problem is not None:
            raise CommandError(f"audit segment {path} BROKEN after {report.count} good events: {report.problem}")
        self.stdout.write(f"audit segment OK: {report.count} events from #{report.first_seq}; links to previous "
                          f"hash {report.first_prev_hash}; last hash {report.last_hash}")

    def _checkpoint(self, options: dict[str, Any]) -> None:
        checkpoint = create_checkpoint(force=options["force"])
        if checkpoint is None:
            self.stdout.write("no new events since the last checkpoint: nothing signed")
        else:
            self.stdout.write(f"checkpoint signed at event #{checkpoint.seq}: {checkpoint.hash}")

    def _export(self, options: dict[str, Any]) -> None:
        until = options["until"]
        if options["older_than_retention"]:
            if until is not None:
                raise CommandError("--until and --older-than-retention cannot be combined")
            until = timezone.now() - timedelta(days=settings.SATUPINTU_AUDIT_RETENTION_DAYS)
        events = events_between(since=options["since"], until=until)
        if options["output"] is None:
            count, digest = write_jsonl(events, self.stdout)
        else:
            with options["output"].open("x", encoding="utf-8") as out:  # never overwrite an archive
                count, digest = write_jsonl(events, out)
        record(actor=Principal.platform(), action="audit.exported", target=("audit.chain", "export"),
               details={"since": options["since"].isoformat() if options["since"] else None,
                        "until": until.isoformat() if until else None, "count": count, "sha256": digest,
                        "format": options["format"]})
        self.stderr.write(f"exported {count} events, sha256 {digest}")

    def _keygen(self, options: dict[str, Any]) -> None:
        path: Path = options["path"]
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise CommandError(f"cannot create {path}: {exc} (an existing key is never overwritten)") from exc
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        public = serialization.load_pem_private_key(pem, None).public_key()
        self.stdout.write(f"created {path}; set SATUPINTU_AUDIT_KEY_FILE={path}\n"
                          f"key id {keys.key_id(public)}")  # type: ignore[arg-type]

    def _public_key(self, options: dict[str, Any]) -> None:
        public = keys.signing_key().public_key()
        self.stdout.write(f"# key id {keys.key_id(public)}\n{keys.public_pem(public)}", ending="")
