"""Message log: chain and signatures verify, tampering is detected, concurrent calls keep the
chain whole, the CLI verifies and exports."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from satupintu.audit.models import AuditEvent
from satupintu.exchange import keys
from satupintu.exchange.messagelog import chain_hash, verify, verify_signature
from satupintu.exchange.models import LogHead, MessageLog
from tests.exchange.conftest import SERVICE_PATH, Directory, client_headers

pytestmark = pytest.mark.django_db(transaction=True)


def _calls(live_server, directory: Directory, n: int, workers: int) -> list[int]:  # noqa: ANN001
    with httpx.Client(headers=client_headers(directory), timeout=30) as http:
        def one(i: int) -> int:
            return http.get(f"{live_server.url}{SERVICE_PATH}/persons/{i}").status_code

        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(one, range(n)))


def test_concurrent_calls_keep_the_chain_intact(directory: Directory, live_server) -> None:  # noqa: ANN001
    statuses = _calls(live_server, directory, 40, 8)
    assert statuses == [200] * 40
    entries = list(MessageLog.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 41))
    assert len({e.prev_hash for e in entries}) == 40  # no fork: every record has its own predecessor
    assert LogHead.objects.get().last_hash == entries[-1].hash
    result = verify(entries, keys.signing_key())
    assert result.ok, result.problems


def test_tampering_is_detected(directory: Directory, live_server) -> None:  # noqa: ANN001
    _calls(live_server, directory, 3, 1)
    second = MessageLog.objects.get(seq=2)
    MessageLog.objects.filter(seq=2).update(status=500)
    problems = verify(MessageLog.objects.order_by("seq"), keys.signing_key()).problems
    assert any("#2: hash" in p for p in problems) and any("#2: signature" in p for p in problems)
    # Re-chaining an altered record still fails: the signature covers it.
    altered = MessageLog.objects.get(seq=2)
    altered.hash = chain_hash(altered.prev_hash, altered.canonical_fields())
    assert not verify_signature(second.signature, altered.canonical_fields(), keys.signing_key())


def test_cli_verifies_and_exports(directory: Directory, live_server, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    _calls(live_server, directory, 3, 1)
    call_command("exchange", "verify-log")
    assert "3 records" in capsys.readouterr().out
    out = tmp_path / "log.jsonl"
    call_command("exchange", "export-log", "--out", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[0]["publicKey"]["crv"] == "Ed25519" and "d" not in lines[0]["publicKey"]
    assert [row["seq"] for row in lines[1:]] == [1, 2, 3]
    assert AuditEvent.objects.filter(action="exchange.log_exported").count() == 1
    MessageLog.objects.filter(seq=3).delete()
    MessageLog.objects.filter(seq=2).update(path="/other")
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("exchange", "verify-log")


def test_monitoring_counts_errors_and_latency_per_service(directory: Directory, live_server) -> None:  # noqa: ANN001
    from satupintu.core.principal import Principal
    from satupintu.exchange.selectors import service_statistics

    _calls(live_server, directory, 4, 1)
    httpx.delete(f"{live_server.url}{SERVICE_PATH}/persons/1", headers=client_headers(directory))  # 403
    for made_up in ("ANON1/GOV/X/y/junk1/z", "SPLP-DEV/GOV/DUKCAPIL/etc/passwd"):  # anyone may send these
        httpx.get(f"{live_server.url}/r1/{made_up}", headers={"X-Road-Client": "A/B/C/D"})
    platform = Principal(kind="officer", id="1", roles=frozenset({"platform_admin"}))
    stats = service_statistics(platform)
    [row] = [r for r in stats if r["service"] and r["service"].endswith("/penduduk")]
    assert (row["count"], row["errors"]) == (5, 1)
    assert stats[-1]["service"] is None and (stats[-1]["count"], stats[-1]["errors"]) == (2, 2)
    assert not [r for r in stats if r["service"] and ("ANON1" in r["service"] or "passwd" in r["service"])]
    assert 0 < row["p50"] <= row["p95"] <= row["p99"]
    kemensos_admin = Principal(kind="officer", id="2", agency="kemensos", roles=frozenset({"agency_admin"}))
    assert [r["count"] for r in service_statistics(kemensos_admin)] == [5]  # they are the client
    stranger = Principal(kind="officer", id="3", agency="bpjs", roles=frozenset({"agency_admin"}))
    assert service_statistics(stranger) == []


def test_development_keys_are_created_once_and_reused(tmp_path: Path, settings) -> None:  # noqa: ANN001
    settings.VAR_DIR = tmp_path
    keys.reset_caches()
    first = keys.public_jwk()
    keys.reset_caches()
    assert keys.public_jwk() == first
    assert (tmp_path / "keys" / "exchange-signing.pem").stat().st_mode & 0o077 == 0  # owner-only
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["exchange-signing.pem"]  # no temp files left
    assert (tmp_path / "keys").stat().st_mode & 0o077 == 0
    keys.reset_caches()


def test_verify_log_accepts_the_retired_key_after_a_rotation(directory: Directory, live_server, tmp_path: Path,
                                                             settings, capsys) -> None:  # noqa: ANN001
    _calls(live_server, directory, 2, 1)
    old_public = tmp_path / "old.jwk"
    call_command("exchange", "public-key")
    old_public.write_text(capsys.readouterr().out)
    # Rotate: a new signing key; the old public key is kept in the retired key set.
    (tmp_path / "keys" / "exchange-signing.pem").unlink()
    keys.reset_caches()
    _calls(live_server, directory, 2, 1)
    entries = list(MessageLog.objects.order_by("seq"))
    assert entries[0].key_id != entries[-1].key_id
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("exchange", "verify-log")  # the old key is not known yet
    assert "#1: signed with key" in capsys.readouterr().err
    retired = tmp_path / "retired.json"
    retired.write_text(json.dumps({"keys": [json.loads(old_public.read_text())]}))
    settings.SATUPINTU_EXCHANGE_RETIRED_PUBLIC_KEYS_FILE = str(retired)
    call_command("exchange", "verify-log")
    assert "4 records" in capsys.readouterr().out
    current = tmp_path / "current.jwk"
    current.write_text(json.dumps(keys.public_jwk()))
    call_command("exchange", "verify-log", "--public-key", str(old_public), "--public-key", str(current))
    out = tmp_path / "log.jsonl"
    call_command("exchange", "export-log", "--out", str(out))
    first = json.loads(out.read_text().splitlines()[0])
    assert [k["x"] for k in first["retiredPublicKeys"]] == [json.loads(old_public.read_text())["x"]]
    # Tampering with a record signed by the retired key is still detected.
    MessageLog.objects.filter(seq=1).update(path="/other")
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("exchange", "verify-log")
    assert "#1: signature is not valid" in capsys.readouterr().err


def test_verify_log_refuses_a_key_file_that_is_not_a_jwk(directory: Directory, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jwk"
    bad.write_text("not json")
    with pytest.raises(CommandError, match="--public-key"):
        call_command("exchange", "verify-log", "--public-key", str(bad))


def test_an_append_after_another_writer_moved_the_head_rechains_after_it(directory: Directory, live_server,
                                                                         monkeypatch) -> None:  # noqa: ANN001
    from satupintu.exchange import messagelog

    _calls(live_server, directory, 1, 1)
    stale = messagelog._head_hint
    _calls(live_server, directory, 1, 1)
    # As if another gateway process had written the second record: this process's guess of the head
    # is one record behind (on PostgreSQL the conditional write misses and the batch is re-chained).
    monkeypatch.setattr(messagelog, "_head_hint", stale)
    _calls(live_server, directory, 2, 1)
    entries = list(MessageLog.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert LogHead.objects.get().last_hash == entries[-1].hash
    result = verify(entries, keys.signing_key())
    assert result.ok, result.problems


def test_append_inside_a_transaction_commits_or_rolls_back_with_it(directory: Directory, live_server) -> None:  # noqa: ANN001
    from django.db import transaction
    from django.utils import timezone

    from satupintu.exchange import messagelog

    def message(n: int) -> messagelog.Message:
        return messagelog.Message(request_id=f"in-transaction-{n}", started_at=timezone.now(), client="c",
                                  service="s", method="GET", path=f"/{n}", status=200)

    _calls(live_server, directory, 1, 1)
    with transaction.atomic():  # written under the head's lock, in the caller's transaction
        messagelog.append(message(1))
        messagelog.append(message(2))
    def failing_caller() -> None:
        with transaction.atomic():
            messagelog.append(message(3))
            raise RuntimeError("the caller fails: the record goes with its transaction")

    with pytest.raises(RuntimeError):
        failing_caller()
    _calls(live_server, directory, 1, 1)
    entries = list(MessageLog.objects.order_by("seq"))
    assert [e.path for e in entries][1:3] == ["/1", "/2"] and len(entries) == 4
    assert not MessageLog.objects.filter(request_id="in-transaction-3").exists()
    assert LogHead.objects.get().last_hash == entries[-1].hash
    result = verify(entries, keys.signing_key())
    assert result.ok, result.problems


def test_a_failed_batch_leaves_nothing_and_the_next_message_chains_on(directory: Directory) -> None:  # noqa: ARG001
    """The queued writer (the driver's own cursor, ADR 0123): a batch that fails inside its
    transaction — here on the unique request id, after the head was read — is rolled back whole and
    raised as Django's ``IntegrityError``; the connection is usable and the chain goes on."""
    from django.db import IntegrityError, connection
    from django.utils import timezone

    from satupintu.exchange import messagelog

    def message(request_id: str) -> messagelog.Message:
        return messagelog.Message(request_id=request_id, started_at=timezone.now(), client="c", service="s",
                                  method="GET", path="/" + request_id, status=200,
                                  data_access={"subject_index": "0" * 64, "agency_code": "dukcapil",
                                               "agency_name": "Dukcapil", "client": "c", "service": "s",
                                               "record": "/x", "data_items": ["nama"], "purpose": "uji",
                                               "legal_basis": "", })

    assert not connection.in_atomic_block  # the queued writer's path, not the in-transaction one
    first = messagelog.append(message("once"))
    with pytest.raises(IntegrityError):
        messagelog.append(message("once"))
    assert MessageLog.objects.count() == 1
    assert LogHead.objects.get().last_seq == first.seq
    from satupintu.exchange.models import DataAccess

    assert DataAccess.objects.count() == 1  # the failed batch's data-access record went with it
    second = messagelog.append(message("twice"))
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
    assert DataAccess.objects.filter(request_id="twice", message_id=second.seq).exists()
    result = verify(MessageLog.objects.order_by("seq"), keys.signing_key())
    assert result.ok, result.problems
