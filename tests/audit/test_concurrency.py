"""Concurrent writers never fork the chain: every event links to the one before it.

Eight writer *processes* (each its own database connection, its own transactions) append at
the same time, on whichever database this test pass uses: on PostgreSQL they write into the test
database and race for the chain head's row lock; on SQLite they write into a fresh WAL file
database exactly as configured for production (the test pass's in-memory database cannot be
shared between processes). Nothing is skipped on either database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from satupintu.core.models import GENESIS_HASH

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8
EVENTS_PER_WRITER = 40

WRITER = """
import sys, time, django
django.setup()
from django.db import transaction
from satupintu.audit.actions import record
from satupintu.core.principal import Principal
n = int(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()  # start line: every writer begins together, once all are set up
for i in range({events}):
    with transaction.atomic():
        record(actor=Principal(kind="system", id=f"writer-{{n}}"), action="regions.imported",
               details={{"writer": n, "i": i}})
    time.sleep(0.005)  # a request does other work between writes; lets SQLite's sleeping waiters in
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATUPINTU_")}
    env.update(DJANGO_SETTINGS_MODULE="satupintu.config.settings", SATUPINTU_ENV="test",
               SATUPINTU_VAR_DIR=str(tmp_path))
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    else:
        env["DATABASE_URL"] = ""
        subprocess.run([sys.executable, "-m", "django", "migrate", "--noinput"], env=env, check=True,
                       capture_output=True, timeout=300)
    return env


def _rows(env: dict[str, str]) -> list[tuple[int, str, str, str]]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq, prev_hash, hash, actor_id FROM audit_auditevent ORDER BY seq")
            return list(cursor.fetchall())
    import sqlite3

    with sqlite3.connect(Path(env["SATUPINTU_VAR_DIR"]) / "satupintu.sqlite3") as db:
        return list(db.execute("SELECT seq, prev_hash, hash, actor_id FROM audit_auditevent ORDER BY seq"))


def test_parallel_writers_never_fork_the_chain(tmp_path: Path) -> None:
    env = _env(tmp_path)
    script = WRITER.format(events=EVENTS_PER_WRITER)
    writers = [subprocess.Popen([sys.executable, "-c", script, str(n)], env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(WRITERS)]
    for proc in writers:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in writers:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in writers:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err

    rows = _rows(env)
    assert [seq for seq, *_ in rows] == list(range(1, WRITERS * EVENTS_PER_WRITER + 1))
    prev = GENESIS_HASH
    for seq, prev_hash, hash_, _ in rows:
        assert prev_hash == prev, f"the chain forks at #{seq}"
        prev = hash_
    assert len({h for _, _, h, _ in rows}) == len(rows)
    # The writers really interleaved, or this test would prove nothing about concurrency.
    switches = sum(1 for a, b in zip(rows, rows[1:], strict=False) if a[3] != b[3])
    assert switches >= 4 * WRITERS, switches
    verify = subprocess.run([sys.executable, "-m", "django", "audit", "verify"], env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert verify.returncode == 0, verify.stderr
    assert f"audit chain OK: {WRITERS * EVENTS_PER_WRITER} events" in verify.stdout
