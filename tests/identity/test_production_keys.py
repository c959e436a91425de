"""Production refuses to start without the identity keys, with a clear message, and never
generates them silently; development generates them once into var/keys/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.test_production import BIN, SECRET, _identity_keys, _run

BASE = {"SATUPINTU_ENV": "production", "SATUPINTU_SECRET_KEY": SECRET,
        "SATUPINTU_ALLOWED_HOSTS": "portal.example.go.id"}


@pytest.mark.parametrize(("missing", "message"), [
    ("SATUPINTU_NIK_KEYS_FILE", "SATUPINTU_NIK_KEYS"),
    ("SATUPINTU_NIK_INDEX_KEY_FILE", "SATUPINTU_NIK_INDEX_KEY"),
    ("SATUPINTU_OIDC_KEY_DIR", "active.pem"),
])
def test_production_without_an_identity_key_exits_with_a_clear_message(tmp_path: Path, missing: str,
                                                                       message: str) -> None:
    env = {**BASE, **_identity_keys(tmp_path), "SATUPINTU_VAR_DIR": str(tmp_path / "var")}
    if missing == "SATUPINTU_OIDC_KEY_DIR":
        env[missing] = str(tmp_path / "empty")
    else:
        env.pop(missing)
    result = _run([str(BIN / "satupintu"), "manage", "check"], env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "var" / "keys").exists()
    assert not (tmp_path / "empty" / "active.pem").exists()


def test_a_wrong_size_nik_key_is_refused(tmp_path: Path) -> None:
    env = {**BASE, **_identity_keys(tmp_path), "SATUPINTU_VAR_DIR": str(tmp_path)}
    (tmp_path / "nik_keys").write_text("k1 c2hvcnQ\n")
    result = _run([str(BIN / "satupintu"), "manage", "check"], env, tmp_path)
    assert result.returncode != 0 and "32 bytes" in result.stderr


def test_demo_accounts_is_refused_in_production(tmp_path: Path) -> None:
    env = {**BASE, **_identity_keys(tmp_path), "SATUPINTU_VAR_DIR": str(tmp_path)}
    result = _run([str(BIN / "satupintu"), "demo-accounts"], env, tmp_path)
    assert result.returncode != 0
    assert "refused when SATUPINTU_ENV=production" in result.stderr


def test_development_generates_keys_once_into_var(tmp_path: Path) -> None:
    env = {"SATUPINTU_ENV": "development", "SATUPINTU_VAR_DIR": str(tmp_path)}
    first = _run([str(BIN / "satupintu"), "manage", "check"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    keys = {p.name: p.read_bytes() for p in (tmp_path / "keys").rglob("*") if p.is_file()}
    assert set(keys) == {"nik_keys", "nik_index_key", "active.pem"}
    assert all((p.stat().st_mode & 0o077) == 0 for p in (tmp_path / "keys").rglob("*") if p.is_file())
    _run([str(BIN / "satupintu"), "manage", "check"], env, tmp_path)
    assert {p.name: p.read_bytes() for p in (tmp_path / "keys").rglob("*") if p.is_file()} == keys


def test_processes_starting_together_on_a_fresh_var_dir_share_one_dev_key(tmp_path: Path) -> None:
    """Several workers starting at once must not crash on (or half-read) the dev OIDC key."""
    import subprocess
    import sys

    script = ("import sys; from pathlib import Path; from satupintu.identity.keys import load_oidc_keys; "
              "print(load_oidc_keys(production=False, var_dir=Path(sys.argv[1]))[0].splitlines()[1])")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE,  # noqa: S603
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-500:] for _out, err in results]
    assert len({out for out, _err in results}) == 1
    assert [p.name for p in (tmp_path / "keys" / "oidc").iterdir()] == ["active.pem"]
