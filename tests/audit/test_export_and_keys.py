"""`satupintu audit export`, the checkpoint task and the audit key handling."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from satupintu.audit import keys
from satupintu.audit.actions import record
from satupintu.audit.chain import event_hash
from satupintu.audit.models import AuditEvent, Checkpoint
from satupintu.core.principal import Principal

pytestmark = pytest.mark.django_db


def _export(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", "export", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_jsonl_holds_every_event_and_can_be_reverified_offline() -> None:
    for i in range(3):
        record(actor=Principal.platform(), action="regions.imported", details={"i": i, "nama": "Bekasi"})
    text, err = _export("--since", "2000-01-01", "--format", "jsonl")
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["seq"] for line in lines] == [1, 2, 3]
    for line in lines:
        stored_hash = line.pop("hash")
        assert stored_hash == event_hash(line["prev_hash"], line)
    assert lines[1]["prev_hash"] == event_hash(lines[0]["prev_hash"], lines[0])
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert f"exported 3 events, sha256 {digest}" in err
    exported = AuditEvent.objects.order_by("-seq").first()
    assert exported is not None and exported.action == "audit.exported"
    assert exported.details["count"] == 3 and exported.details["sha256"] == digest


def test_export_since_excludes_older_events_and_until_excludes_newer() -> None:
    record(actor=Principal.platform(), action="regions.imported")
    assert _export("--since", "2999-01-01")[0] == ""
    assert _export("--until", "2000-01-01T00:00:00+07:00")[0] == ""
    assert _export("--older-than-retention")[0] == ""  # default retention 10 years: nothing is old yet


def test_export_refuses_a_bad_date_naming_the_field_and_rule() -> None:
    with pytest.raises(CommandError, match="argument --since: not an ISO 8601 date or time: 'kemarin'"):
        _export("--since", "kemarin")


def test_export_bad_date_on_the_command_line_exits_2_without_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "SATUPINTU_VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    result = subprocess.run([str(Path(sys.executable).parent / "satupintu"), "audit", "export", "--since", "kemarin"],
                            env=env, capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert result.returncode == 2
    assert "argument --since: not an ISO 8601 date or time" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_never_overwrites_an_archive(tmp_path: Path) -> None:
    record(actor=Principal.platform(), action="regions.imported")
    target = tmp_path / "segment.jsonl"
    _export("--output", str(target))
    assert target.read_text().count("\n") == 1
    with pytest.raises(FileExistsError):
        _export("--output", str(target))


def test_development_key_is_generated_once_with_private_permissions(tmp_path: Path, settings) -> None:  # noqa: ANN001
    settings.VAR_DIR = tmp_path
    settings.SATUPINTU_KEYS_DIR = tmp_path / "keys"  # the platform's key folder, where it exists
    settings.SATUPINTU_AUDIT_KEY_FILE = ""
    first = keys.key_id(keys.signing_key().public_key())
    assert keys.key_id(keys.signing_key().public_key()) == first
    path = tmp_path / "keys" / "audit-ed25519.pem"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_production_without_audit_key_refuses_to_sign(settings) -> None:  # noqa: ANN001
    settings.PRODUCTION = True
    settings.SATUPINTU_AUDIT_KEY_FILE = ""
    with pytest.raises(CommandError, match="SATUPINTU_AUDIT_KEY_FILE is required in production") as caught:
        call_command("audit", "checkpoint", stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert Checkpoint.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_offline_verifier_needs_only_the_public_key(tmp_path: Path, settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_AUDIT_KEY_FILE = str(tmp_path / "audit.pem")
    call_command("audit", "keygen", str(tmp_path / "audit.pem"), stdout=io.StringIO())
    call_command("audit", "checkpoint", stdout=io.StringIO())
    out = io.StringIO()
    call_command("audit", "public-key", stdout=out)
    (tmp_path / "audit.pub").write_text(out.getvalue())
    settings.SATUPINTU_AUDIT_KEY_FILE = ""
    settings.PRODUCTION = True  # an offline machine without the private key
    result = io.StringIO()
    call_command("audit", "verify", "--public-key", str(tmp_path / "audit.pub"), stdout=result)
    assert "audit chain OK: 1 events, 1 checkpoints verified" in result.getvalue()


def test_keygen_never_overwrites_a_key(tmp_path: Path) -> None:
    call_command("audit", "keygen", str(tmp_path / "k.pem"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("audit", "keygen", str(tmp_path / "k.pem"), stdout=io.StringIO())


def test_checkpoint_task_signs_the_head() -> None:
    from satupintu.audit.tasks import sign_checkpoint

    record(actor=Principal.platform(), action="regions.imported")
    assert sign_checkpoint.call() == 2  # the event above + the checkpoint's own announcement
    assert sign_checkpoint.call() is None
    assert Checkpoint.objects.get().seq == 2


def test_exported_segment_verifies_offline_and_a_changed_line_is_named(tmp_path: Path) -> None:
    for i in range(4):
        record(actor=Principal.platform(), action="regions.imported", details={"i": i})
    segment = tmp_path / "segment.jsonl"
    _export("--since", "2000-01-01", "--output", str(segment))
    out = io.StringIO()
    call_command("audit", "verify", "--file", str(segment), stdout=out)
    assert "audit segment OK: 4 events from #1" in out.getvalue()

    lines = segment.read_text().splitlines()
    lines[2] = lines[2].replace('"i": 2', '"i": 20')
    (tmp_path / "changed.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="first bad event #3: stored hash does not match") as caught:
        call_command("audit", "verify", "--file", str(tmp_path / "changed.jsonl"), stdout=io.StringIO())
    assert caught.value.returncode == 1

    del lines[1]
    (tmp_path / "gap.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="first bad event #2: event #2 is missing"):
        call_command("audit", "verify", "--file", str(tmp_path / "gap.jsonl"), stdout=io.StringIO())


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_production_serve_and_worker_refuse_to_start_without_the_audit_key(tmp_path: Path, command: str) -> None:
    import subprocess
    import sys

    from tests.core.test_production import _identity_keys

    env = {k: v for k, v in os.environ.items() if not k.startswith("SATUPINTU_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(SATUPINTU_ENV="production", SATUPINTU_SECRET_KEY="p" * 30 + "Q9-x_" * 6,
               SATUPINTU_ALLOWED_HOSTS="portal.example.go.id", SATUPINTU_VAR_DIR=str(tmp_path),
               SATUPINTU_AUDIT_KEY_FILE=str(tmp_path / "missing.pem"))
    env.update(_identity_keys(tmp_path))  # the other production keys are present: only the audit key is missing
    satupintu = str(Path(sys.executable).parent / "satupintu")
    result = subprocess.run([satupintu, command], env=env, capture_output=True, text=True, timeout=120,
                            check=False, cwd=tmp_path)
    assert result.returncode == 2
    assert "audit key" in result.stderr and "missing.pem" in result.stderr
    assert "Traceback" not in result.stderr
    env.pop("SATUPINTU_AUDIT_KEY_FILE")
    result = subprocess.run([satupintu, command], env=env, capture_output=True, text=True, timeout=120,
                            check=False, cwd=tmp_path)
    assert result.returncode == 2
    assert "SATUPINTU_AUDIT_KEY_FILE is required in production" in result.stderr
