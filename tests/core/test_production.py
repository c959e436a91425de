"""Production mode: refuses to start without secrets; `check --deploy` is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
SECRET = "p" * 30 + "Q9-x_" * 6


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SATUPINTU_") and k != "DJANGO_SETTINGS_MODULE"}
    base.update(env)
    return subprocess.run(args, env=base, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def _identity_keys(tmp_path: Path) -> dict[str, str]:
    """The identity app's production keys (NIK encryption and index, OIDC signing) as files."""
    from satupintu.identity.keys import generate_rsa_pem, new_nik_key_line

    (tmp_path / "nik_keys").write_text(new_nik_key_line("k1"))
    (tmp_path / "nik_index_key").write_text(new_nik_key_line("x").split()[1])
    (tmp_path / "oidc").mkdir()
    (tmp_path / "oidc" / "active.pem").write_text(generate_rsa_pem(2048))
    return {"SATUPINTU_NIK_KEYS_FILE": str(tmp_path / "nik_keys"),
            "SATUPINTU_NIK_INDEX_KEY_FILE": str(tmp_path / "nik_index_key"),
            "SATUPINTU_OIDC_KEY_DIR": str(tmp_path / "oidc")}


def test_production_without_secret_key_exits_with_a_clear_message(tmp_path: Path) -> None:
    result = _run([str(BIN / "satupintu"), "manage", "check"],
                  {"SATUPINTU_ENV": "production", "SATUPINTU_ALLOWED_HOSTS": "portal.example.go.id",
                   "SATUPINTU_VAR_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode != 0
    assert "SATUPINTU_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_production_without_allowed_hosts_exits_with_a_clear_message(tmp_path: Path) -> None:
    result = _run([str(BIN / "satupintu"), "manage", "check"],
                  {"SATUPINTU_ENV": "production", "SATUPINTU_SECRET_KEY": SECRET,
                   "SATUPINTU_VAR_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode != 0
    assert "SATUPINTU_ALLOWED_HOSTS" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    result = _run([str(BIN / "satupintu"), "manage", "check"],
                  {"SATUPINTU_ENV": "production", "SATUPINTU_SECRET_KEY_FILE": str(secret_file),
                   "SATUPINTU_ALLOWED_HOSTS": "portal.example.go.id", "SATUPINTU_VAR_DIR": str(tmp_path),
                   **_identity_keys(tmp_path)}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {"SATUPINTU_ENV": "production", "SATUPINTU_SECRET_KEY": SECRET,
           "SATUPINTU_ALLOWED_HOSTS": "portal.example.go.id", "SATUPINTU_VAR_DIR": str(tmp_path),
           "REDIS_URL": "redis://127.0.0.1:6379/0", **_identity_keys(tmp_path)}
    result = _run([str(BIN / "satupintu"), "manage", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    # without a shared cache, lockouts and rate limits would count per process: production is warned
    env["REDIS_URL"] = ""  # also when the test run itself has one (_run passes the environment on)
    result = _run([str(BIN / "satupintu"), "manage", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode != 0 and "satupintu.W001" in result.stdout + result.stderr
    assert "REDIS_URL" in result.stdout + result.stderr


@pytest.mark.parametrize("value", ["staging", "prod"])
def test_unknown_environment_name_is_refused(tmp_path: Path, value: str) -> None:
    result = _run([str(BIN / "satupintu"), "manage", "check"],
                  {"SATUPINTU_ENV": value, "SATUPINTU_VAR_DIR": str(tmp_path)}, tmp_path)
    assert result.returncode != 0
    assert "SATUPINTU_ENV" in result.stderr


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz'); print(r.status_code, r.json()['status'])"
    )
    result = _run([sys.executable, "-c", code],
                  {"DJANGO_SETTINGS_MODULE": "satupintu.config.settings",
                   "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "SATUPINTU_VAR_DIR": str(tmp_path)},
                  tmp_path)
    assert result.stdout.strip() == "503 unavailable", result.stderr


def test_processes_starting_together_on_a_fresh_var_dir_share_one_secret_key(tmp_path: Path) -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATUPINTU_") and k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="satupintu.config.settings", SATUPINTU_VAR_DIR=str(tmp_path / "var"))
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    keys = set()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        keys.add(out.strip())
    assert len(keys) == 1
    assert keys == {(tmp_path / "var" / "secret_key").read_text().strip()}
    assert len(next(iter(keys))) >= 50
