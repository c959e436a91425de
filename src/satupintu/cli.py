"""The ``satupintu`` command.

Subcommands:

* ``serve [--bind HOST:PORT] [--workers N] [--threads N] [--role all|gateway]`` — production-grade
  HTTP server: every role under gunicorn (default), or the exchange gateway alone under granian
  (``--role gateway``, ADR 0113);
* ``worker`` — runs background tasks (django-tasks database backend);
* ``import-regions [PATH] [--url URL --sha256 HEX] [--if-empty]`` — load kode wilayah;
* ``manage ARGS...`` — any Django management command;
* any other ``NAME ARGS...`` runs the management command ``NAME`` with dashes as
  underscores (``satupintu audit verify`` runs ``manage audit verify``).

Exit status: the command's own (0 success; non-zero on failure, with the reason on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satupintu.config.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        print(f"satupintu: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


def _require_production_keys() -> None:
    """Production processes that serve or work need the audit key (docs/operations.md)."""
    from satupintu.audit.keys import production_key_problem

    problem = production_key_problem()
    if problem:
        print(f"satupintu: configuration error: {problem}", file=sys.stderr)
        raise SystemExit(2)


def _serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="satupintu serve", description="Serve the platform over HTTP.")
    parser.add_argument("--bind", default=os.environ.get("SATUPINTU_BIND", "127.0.0.1:8000"),
                        help="HOST:PORT to listen on (default 127.0.0.1:8000)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("SATUPINTU_WORKERS", "2")),
                        help="number of worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("SATUPINTU_THREADS", "4")),
                        help="threads per worker (default 4)")
    parser.add_argument("--role", choices=["all", "gateway"], default=os.environ.get("SATUPINTU_ROLE", "all"),
                        help="all: portal, identity provider, APIs and gateway (gunicorn); gateway: the exchange "
                             "gateway only (granian), for processes that serve nothing else")
    parser.add_argument("--access-log", action="store_true",
                        help="--role gateway: also write an access log line per request (the message log records "
                             "every message anyway)")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.threads < 1:
        parser.error("--workers and --threads must be at least 1")
    host, sep, port = args.bind.rpartition(":")
    if not sep or not host or not port.isdigit():
        parser.error("--bind must be HOST:PORT")
    _setup_django()  # fail fast on bad configuration, before forking workers
    _require_production_keys()
    if args.role == "gateway":
        # The gateway's only query per message is the log write, which replaces a dead connection
        # itself (messagelog._write_batch): skip Django's "SELECT 1" round trip per request.
        os.environ.setdefault("SATUPINTU_DB_HEALTH_CHECKS", "0")
        command = [
            sys.executable, "-m", "granian", "--interface", "wsgi", "satupintu.exchange.wsgi:application",
            "--host", host.strip("[]"), "--port", port, "--workers", str(args.workers),
            "--blocking-threads", str(args.threads), "--no-ws", "--respawn-failed-workers",
            "--workers-kill-timeout", "20", "--log-level", "warning",
            "--access-log" if args.access_log else "--no-access-log",
        ]
        os.execv(sys.executable, command)  # noqa: S606 - replaces this process with granian
    command = [
        sys.executable, "-m", "gunicorn", "satupintu.config.wsgi:application",
        "--bind", args.bind, "--workers", str(args.workers), "--threads", str(args.threads),
        "--worker-class", "gthread", "--access-logfile", "-", "--forwarded-allow-ips",
        os.environ.get("SATUPINTU_TRUSTED_PROXIES", "127.0.0.1"),
        "--timeout", "60", "--graceful-timeout", "20", "--limit-request-line", "8190",
        # gunicorn's runtime control socket ($HOME/.gunicorn/gunicorn.ctl, shared by every server of
        # the user: stopping one removed another's) is not used; worker counts come from this command.
        "--no-control-socket",
    ]
    os.execv(sys.executable, command)  # noqa: S606 - replaces this process with gunicorn
    return 0  # pragma: no cover


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``satupintu`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    name, rest = args[0], args[1:]
    if name == "serve":
        return _serve(rest)
    _setup_django()
    from django.core.management import execute_from_command_line, get_commands

    if name == "manage":
        execute_from_command_line(["satupintu manage", *rest])
        return 0
    if name == "worker":
        _require_production_keys()
        execute_from_command_line(["satupintu", "db_worker", *rest])
        return 0
    command = name.replace("-", "_")
    if command not in get_commands():
        print(f"satupintu: unknown command {name!r}. Run 'satupintu help'.", file=sys.stderr)
        return 2
    execute_from_command_line(["satupintu", command, *rest])
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
