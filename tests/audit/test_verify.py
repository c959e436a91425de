"""`satupintu audit verify`: 0 and the count when intact; non-zero naming the first bad event
for every kind of tampering (an attacker who can switch the append-only triggers off)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from satupintu.audit.actions import create_checkpoint, record
from satupintu.audit.chain import event_hash
from satupintu.audit.models import AuditEvent, ChainHead
from satupintu.core.principal import Principal
from tests.audit.guard import guard_lifted

pytestmark = pytest.mark.django_db(transaction=True)


def _events(n: int) -> list[AuditEvent]:
    return [record(actor=Principal.platform(), action="regions.imported", target=("regions", str(i)),
                   details={"added": i}) for i in range(1, n + 1)]


def _verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as caught:
        _verify()
    assert caught.value.returncode == 1
    return str(caught.value)


def _sql(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _reinsert(event: AuditEvent, *, seq: int) -> None:
    """Insert ``event``'s stored row again under another sequence number (hashes copied as they are)."""
    event.seq = seq
    AuditEvent.objects.bulk_create([event])


def test_intact_chain_verifies_and_prints_the_count() -> None:
    _events(5)
    create_checkpoint()
    assert "audit chain OK: 6 events, 1 checkpoints verified" in _verify()


def test_empty_chain_verifies() -> None:
    assert "audit chain OK: 0 events" in _verify()


def test_modified_detail_is_caught_at_that_event() -> None:
    _events(5)
    with guard_lifted():
        _sql("UPDATE audit_auditevent SET details = %s WHERE seq = 3", ['{"added": 300}'])
    message = _broken()
    assert "first bad event #3" in message and "modified" in message


def test_deleted_event_is_caught() -> None:
    _events(5)
    with guard_lifted():
        _sql("DELETE FROM audit_auditevent WHERE seq = %s", [3])
    message = _broken()
    assert "first bad event #3" in message and "missing" in message


def test_deleted_last_event_is_caught_through_the_chain_head() -> None:
    _events(5)
    with guard_lifted():
        _sql("DELETE FROM audit_auditevent WHERE seq = %s", [5])
    message = _broken()
    assert "first bad event #5" in message and "missing" in message


def test_inserted_event_is_caught() -> None:
    events = _events(4)
    forged = AuditEvent(**{f.attname: getattr(events[1], f.attname) for f in AuditEvent._meta.fields})
    forged.details = {"added": 999}
    forged.prev_hash = events[1].hash
    forged.hash = event_hash(forged.prev_hash, {**forged.canonical_fields(), "seq": 3})
    with guard_lifted():  # make room after #2: shift #3 and #4 up by one, then slot the forgery in
        _sql("DELETE FROM audit_auditevent WHERE seq >= %s", [3])
        _reinsert(events[3], seq=5)
        _reinsert(events[2], seq=4)
        _reinsert(forged, seq=3)
        ChainHead.objects.filter(id=1).update(last_seq=5)
    message = _broken()
    assert "first bad event #3" in message


def test_appended_event_outside_record_is_caught_through_the_chain_head() -> None:
    events = _events(3)
    forged = AuditEvent(**{f.attname: getattr(events[2], f.attname) for f in AuditEvent._meta.fields})
    forged.seq, forged.prev_hash = 4, events[2].hash
    forged.hash = event_hash(forged.prev_hash, forged.canonical_fields())
    AuditEvent.objects.bulk_create([forged])
    message = _broken()
    assert "first bad event #4" in message and "chain head" in message


def test_swapped_events_are_caught() -> None:
    events = _events(5)
    with guard_lifted():
        _sql("DELETE FROM audit_auditevent WHERE seq IN (2, 3)", [])
        _reinsert(events[1], seq=3)
        _reinsert(events[2], seq=2)
    message = _broken()
    assert "first bad event #2" in message


def test_whole_chain_rewritten_without_the_key_is_caught_by_the_checkpoint() -> None:
    _events(2)
    create_checkpoint()  # signs #3
    _events(3)  # #4..#6
    create_checkpoint()  # signs #7
    # The attacker rewrites #5 and recomputes every later hash and the head: the chain is
    # internally consistent again, but the second signature no longer matches.
    with guard_lifted():
        rows = list(AuditEvent.objects.filter(seq__gte=5).order_by("seq"))
        _sql("DELETE FROM audit_auditevent WHERE seq >= %s", [5])
        prev = AuditEvent.objects.get(seq=4).hash
        for row in rows:
            if row.seq == 5:
                row.details = {"added": 500}
            row.prev_hash = prev
            row.hash = prev = event_hash(row.prev_hash, row.canonical_fields())
            AuditEvent.objects.bulk_create([row])
        ChainHead.objects.filter(id=1).update(last_hash=prev)
    message = _broken()
    assert "first bad event #4" in message and "#4..#7 were rewritten" in message


def test_forged_checkpoint_is_caught() -> None:
    _events(2)
    checkpoint = create_checkpoint()
    assert checkpoint is not None
    with guard_lifted():
        _sql("UPDATE audit_checkpoint SET signature = %s", ["00" * 64])
    assert "invalid signature" in _broken()


def test_checkpoint_signed_by_another_key_is_refused(tmp_path: Path, settings) -> None:  # noqa: ANN001
    _events(1)
    settings.SATUPINTU_AUDIT_KEY_FILE = str(tmp_path / "other.pem")
    call_command("audit", "keygen", str(tmp_path / "other.pem"), stdout=io.StringIO())
    create_checkpoint()
    settings.SATUPINTU_AUDIT_KEY_FILE = ""
    assert "untrusted key" in _broken()


def test_checkpoint_without_new_events_signs_nothing() -> None:
    _events(1)
    assert create_checkpoint() is not None
    assert create_checkpoint() is None
    assert create_checkpoint(force=True) is not None


def test_satupintu_cli_maps_audit_verify_and_exits_non_zero_when_broken(tmp_path: Path) -> None:
    """The real console script, on a file database with a tampered chain."""
    env_db = {"SATUPINTU_VAR_DIR": str(tmp_path), "SATUPINTU_ENV": "test", "DATABASE_URL": ""}
    satupintu = str(Path(sys.executable).parent / "satupintu")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        import os

        env = {**os.environ, **env_db}
        return subprocess.run([satupintu, *args], env=env, capture_output=True, text=True, timeout=120,
                              check=False, cwd=tmp_path)

    assert run("manage", "migrate", "--noinput").returncode == 0
    assert run("audit", "checkpoint").returncode == 0
    ok = run("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "audit chain OK: 1 events" in ok.stdout
    import sqlite3

    with sqlite3.connect(tmp_path / "satupintu.sqlite3") as db:
        db.execute("DROP TRIGGER audit_auditevent_no_update")
        db.execute("UPDATE audit_auditevent SET actor_id = 'someone-else' WHERE seq = 1")
    broken = run("audit", "verify")
    assert broken.returncode == 1
    assert "first bad event #1" in broken.stderr
