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
  :mod:`satupintu.exchange.demo`);
* ``demo-token [--agency CODE]``: development only: a client-credentials access token of a
  platform-hosted client subsystem (the one setup-demo made for the agency; default the first), from
  the running server's token endpoint, with a ready-to-run ``curl`` call of the population register
  through the gateway.
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

        token = sub.add_parser("demo-token", help="development: an access token of a demo client and a curl example")
        token.add_argument("--agency", default="", help="agency code of the hosted client (default: the first)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "demo-token":
            self._demo_token(options["agency"])
        elif action == "public-key":
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

    def _demo_token(self, agency: str) -> None:
        """Print the client id, a fresh access token and a curl call of the population register's
        ``read`` through the gateway. Refused in production; errors name what is missing."""
        from satupintu.exchange import platform_client
        from satupintu.exchange.client import TokenUnavailable
        from satupintu.exchange.demo import POPULATION_SERVICE, READ_PATH
        from satupintu.exchange.models import Service, Subsystem

        if settings.PRODUCTION:
            raise CommandError("exchange demo-token is refused when SATUPINTU_ENV=production.")
        if agency:
            hosted = platform_client.hosted_client(agency)
        else:
            first = (Subsystem.objects.select_related("member").exclude(oauth_client_id="")
                     .filter(code=settings.SATUPINTU_EXCHANGE_PLATFORM_SUBSYSTEM,
                             member__instance=settings.SATUPINTU_EXCHANGE_INSTANCE)
                     .order_by("member__member_code").first())
            hosted = platform_client.HostedClient(first.identifier, first.oauth_client_id) if first else None
        if hosted is None:
            raise CommandError("no platform-hosted client subsystem" + (f" for agency {agency}" if agency else "")
                               + ": run `satupintu exchange setup-demo` first")
        try:
            token = platform_client.access_token(hosted.oauth_client_id)
        except TokenUnavailable as exc:
            raise CommandError(f"{exc} (is the server running at SATUPINTU_EXCHANGE_TOKEN_URL?)") from exc
        service = Service.objects.select_related("provider__member").filter(service_code=POPULATION_SERVICE).first()
        self.stdout.write(f"client: {hosted.client_id}\naccess token: {token}")
        if service is not None:
            url = f"{settings.SATUPINTU_EXCHANGE_GATEWAY_URL.rstrip('/')}/r1/{service.identifier}{READ_PATH}"
            headers = [f"X-Road-Client: {hosted.client_id}", f"Authorization: Bearer {token}",
                       "X-Road-UserId: $NIK", "X-Road-Purpose: uji coba", "Content-Type: application/json"]
            command = ["curl", "-sS", "-X", "POST", *[part for h in headers for part in ("-H", h)],
                       "-d", '{"query": {"content": {"nik": "$NIK"}}}', url]
            self.stdout.write(self._curl(command))

    @staticmethod
    def _curl(command: list[str]) -> str:
        """``command`` as one shell line; parts holding ``$NIK`` in double quotes (so the shell fills
        it in), JSON with its inner quotes escaped."""
        import shlex

        out = []
        for part in command:
            if "$NIK" in part:
                out.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
            else:
                out.append(shlex.quote(part))
        return "read a resident's record through the gateway (set NIK first, e.g. the demo citizen's from " \
               "`satupintu demo-accounts`):\n" + " ".join(out)

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
