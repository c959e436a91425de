"""``satupintu exchange verify-log | export-log | public-key``.

* ``verify-log [--public-key FILE ...]``: re-check every message-log record's chain hash and detached
  JWS signature under the key its ``key_id`` names; keys: each ``--public-key`` file (a JWK or JWK
  Set; repeatable), default the gateway's active key plus its retired keys (ADR 0088); exit 0 when
  intact, 1 with one line per problem otherwise;
* ``export-log --out FILE [--since ISO-DATE]``: JSON Lines, one record per line (canonical fields,
  ``hash``, ``signature``; no bodies), first line the public JWK (``publicKey``) and the retired
  ones (``retiredPublicKeys``); audited ``exchange.log_exported``;
* ``public-key``: print the gateway's public signing key as a JWK (for offline verifiers);
* ``setup-demo [--base-url URL] [--client-agency CODE ...]``: development only, idempotent: the
  population register service, each agency's platform-hosted client subsystem with its OAuth
  client and access right, and the gateway's introspection client (ADR 0110,
  :mod:`satupintu.exchange.demo`).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from joserfc.jwk import OKPKey

from satupintu.audit.actions import record
from satupintu.core.principal import Principal
from satupintu.exchange import keys, messagelog
from satupintu.exchange.models import MessageLog


class Command(BaseCommand):
    help = "Exchange message log: verify-log, export-log, public-key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify-log", help="verify the chain and signatures of the message log")
        verify.add_argument("--public-key", action="append", default=[],
                            help="JWK or JWK Set file of signing keys; repeatable (default: the gateway's active "
                                 "and retired keys)")
        export = sub.add_parser("export-log", help="export the message log as JSON Lines")
        export.add_argument("--out", required=True)
        export.add_argument("--since", help="only records logged at or after this ISO 8601 time")
        sub.add_parser("public-key", help="print the public signing key (JWK)")
        demo = sub.add_parser("setup-demo", help="development: wire the once-only prefill through the gateway")
        demo.add_argument("--base-url", default="",
                          help="where this platform is served (default SATUPINTU_PUBLIC_URL); the register's "
                               "backend URL is BASE/registri")
        demo.add_argument("--client-agency", action="append", default=None,
                          help="agency code of a prefill client; repeatable (default: every agency with an "
                               "online service)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "public-key":
            self.stdout.write(json.dumps(keys.public_jwk()))
        elif action == "setup-demo":
            self._setup_demo(options["base_url"] or settings.SATUPINTU_PUBLIC_URL, options["client_agency"])
        elif action == "verify-log":
            self._verify(options.get("public_key") or [])
        else:
            self._export(Path(options["out"]), options.get("since"))

    def _setup_demo(self, base_url: str, client_agencies: list[str] | None) -> None:
        from satupintu.exchange.demo import SetupRefused, setup_demo

        try:
            result = setup_demo(base_url=base_url, client_agencies=client_agencies)
        except SetupRefused as exc:
            raise CommandError(str(exc)) from exc
        for line in result.created:
            self.stdout.write(f"  created {line}")
        self.stdout.write(f"exchange demo: {len(result.created)} directory entries and {len(result.clients)} OAuth "
                          f"clients created; gateway introspection secret in {result.introspection_secret_file}")

    def _verify(self, public_key_files: list[str]) -> None:
        given: list[OKPKey] = []
        for name in public_key_files:
            try:
                given += keys.public_keys_from_json(Path(name).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"--public-key {name}: {exc}") from exc
        result = messagelog.verify(MessageLog.objects.order_by("seq").iterator(chunk_size=2000),
                                   given or keys.verification_keys())
        for problem in result.problems:
            self.stderr.write(problem)
        if not result.ok:
            raise CommandError(f"message log NOT intact: {len(result.problems)} problem(s) in {result.checked} records")
        self.stdout.write(f"message log intact: {result.checked} records, chain and signatures valid")

    def _export(self, out: Path, since: str | None) -> None:
        qs = MessageLog.objects.order_by("seq")
        if since:
            try:
                moment = datetime.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"--since: not an ISO 8601 time: {since}") from exc
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            qs = qs.filter(logged_at__gte=moment)
        count = 0
        with out.open("w", encoding="utf-8") as handle:
            retired = [k.as_dict(private=False) for k in keys.verification_keys()[1:]]
            handle.write(json.dumps({"publicKey": keys.public_jwk(), "retiredPublicKeys": retired}) + "\n")
            for row in messagelog.export_lines(qs.iterator(chunk_size=2000)):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
        record(actor=Principal.platform("satupintu exchange export-log"), action="exchange.log_exported",
               details={"records": count, "since": since or "", "file": out.name})
        self.stdout.write(f"exported {count} records to {out}")
