"""Shared helpers for benchmarks: a fresh database per backend, timing, and table printing.

Benchmarks compare against a baseline measured in the same run (ratios), because wall-clock
numbers on shared machines are noisy. Each bench module exposes ``main(backend: str)`` and is run
by ``bench/run.py`` once per backend, in its own process, against a fresh database.
"""

from __future__ import annotations

import atexit
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("SATUPINTU_SHARED_DATA", REPO.parent / "shared" / "data"))
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
# One database per bench process, so parallel runs (other developers, CI) never drop each other's.
PG_BENCH_DB = f"satupintu_bench_{os.getpid()}"


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def prepare_backend(backend: str) -> None:
    """Point Django at a fresh database for ``backend`` (``sqlite`` or ``postgres``), migrate it."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "satupintu.config.settings"
    os.environ.setdefault("SATUPINTU_VAR_DIR", tempfile.mkdtemp(prefix="satupintu-bench-"))
    (Path(os.environ["SATUPINTU_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)  # whitenoise's root
    os.environ["SATUPINTU_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    if backend == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
        os.environ["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB
        atexit.register(_drop_bench_database)
    else:
        os.environ.pop("DATABASE_URL", None)
        var = Path(os.environ["SATUPINTU_VAR_DIR"])
        for leftover in var.glob("satupintu.sqlite3*"):
            leftover.unlink()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _drop_bench_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes (monotonic clock)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def percentile(samples: Sequence[float], pct: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a plain-text table (Markdown-compatible)."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    print(f"\n### {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def _fmt(value: object) -> str:
    """Numbers without thousands separators and never with exactly three digits after a point
    unless the integer part is 0: "2,686" and "50.442" read as other numbers to Indonesian readers
    (where "." groups thousands and "," marks decimals)."""
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:.0f}"
        return f"{value:.3f}" if abs(value) < 1 else f"{value:.2f}"
    return str(value)


def git_rev() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=False).stdout.strip()
    except OSError:
        return "?"
