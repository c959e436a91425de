"""CLI: ``satupintu keys init|rotate|list`` and ``satupintu documents verify FILE.pdf``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import CommandError, call_command

from satupintu.catalog.models import Agency
from satupintu.documents.actions import document_path
from satupintu.documents.keys import KeyConfigurationError, load_signer
from satupintu.documents.verify import verify_pdf
from tests.documents.conftest import AGENCY_CODE, KEYS_PASSWORD, issue

pytestmark = pytest.mark.django_db
BIN = Path(sys.executable).parent


def test_keys_init_creates_a_ca_hierarchy_and_agency_pkcs12_files(agency, tmp_path, settings, capsys) -> None:
    settings.SATUPINTU_KEYS_DIR = tmp_path / "keys"
    call_command("keys", "init")
    keys_dir = tmp_path / "keys"
    for name in ("root-ca.p12", "root-ca.pem", "issuing-ca.p12", "issuing-ca.pem"):
        assert (keys_dir / name).is_file()
        assert stat.S_IMODE((keys_dir / name).stat().st_mode) == 0o600
    assert len(list((keys_dir / "trust").glob("*.pem"))) == 1
    agency_dir = keys_dir / "agencies" / AGENCY_CODE
    p12 = agency_dir / (agency_dir / "current").read_text()
    with pytest.raises(ValueError, match="(?i)invalid password|could not"):
        pkcs12.load_key_and_certificates(p12.read_bytes(), b"wrong")
    key, cert, chain = pkcs12.load_key_and_certificates(p12.read_bytes(), KEYS_PASSWORD.encode())
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    issuing, root = chain
    assert cert.issuer == issuing.subject and issuing.issuer == root.subject == root.subject
    assert "DEVELOPMENT" in root.subject.rfc4514_string()
    # Running it again keeps every key.
    call_command("keys", "init")
    assert (agency_dir / "current").read_text() == p12.name
    assert "kept" in capsys.readouterr().out


def test_rotation_keeps_old_certificates_and_old_documents_still_verify(agency, key_set, tmp_path,
                                                                        settings) -> None:
    import shutil

    settings.SATUPINTU_KEYS_DIR = tmp_path / "keys"
    shutil.copytree(key_set.trusted, settings.SATUPINTU_KEYS_DIR)
    old = issue(agency, reference="OLD-1")
    old_cert = load_signer(AGENCY_CODE).signing_cert
    call_command("keys", "rotate", "--agency", AGENCY_CODE)
    new = issue(agency, reference="NEW-1")
    assert load_signer(AGENCY_CODE).signing_cert != old_cert
    assert old.signer_certificate_sha256 != new.signer_certificate_sha256
    assert verify_pdf(document_path(old).read_bytes()).status == "valid"
    assert verify_pdf(document_path(new).read_bytes()).status == "valid"
    files = sorted(p.name for p in (settings.SATUPINTU_KEYS_DIR / "agencies" / AGENCY_CODE).glob("*.p12"))
    assert len(files) == 2


def test_keys_list_shows_current_and_retired(agency, tmp_path, settings, capsys) -> None:
    settings.SATUPINTU_KEYS_DIR = tmp_path / "keys"
    call_command("keys", "init")
    call_command("keys", "rotate", "--agency", AGENCY_CODE)
    capsys.readouterr()
    call_command("keys", "list")
    out = capsys.readouterr().out
    assert out.count(AGENCY_CODE) == 2 and "current" in out and "retired" in out


def test_keys_init_refuses_in_production(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("keys", "init")


def test_unknown_agency_is_named(db) -> None:
    with pytest.raises(CommandError, match="nope"):
        call_command("keys", "init", "--agency", "nope")


def test_a_wrong_password_is_a_clear_error(agency, key_set, monkeypatch) -> None:
    from satupintu.documents import keys

    keys._signer_cache.clear()
    monkeypatch.setenv("SATUPINTU_KEYS_PASSWORD", "not-the-password")
    with pytest.raises(KeyConfigurationError, match="wrong password"):
        load_signer(AGENCY_CODE)
    keys._signer_cache.clear()


def test_documents_verify_prints_the_verdict_and_exits_zero_when_valid(document, capsys) -> None:
    call_command("documents", "verify", str(document_path(document)))
    out = capsys.readouterr().out
    assert out.startswith("VALID:") and document.number in out


def test_documents_verify_fails_when_modified(document, tmp_path, capsys) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(document_path(document).read_bytes() + b"\n%junk\n")
    with pytest.raises(CommandError) as caught:
        call_command("documents", "verify", str(bad))
    assert caught.value.returncode == 1
    assert capsys.readouterr().out.startswith("MODIFIED:")


def test_documents_verify_missing_file(tmp_path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("documents", "verify", str(tmp_path / "none.pdf"))


def test_the_satupintu_command_exits_non_zero_for_a_non_pdf(tmp_path) -> None:
    text = tmp_path / "surat.txt"
    text.write_text("bukan pdf")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"SATUPINTU_VAR_DIR": str(tmp_path / "var"), "SATUPINTU_KEYS_DIR": str(tmp_path / "keys")})
    result = subprocess.run([str(BIN / "satupintu"), "documents", "verify", str(text)], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("NOT_PDF:") and "bukan dokumen PDF" in result.stdout
    assert "Traceback" not in result.stderr


def test_an_agency_code_that_is_not_a_slug_is_refused(tmp_path, settings) -> None:
    from satupintu.documents import keys

    settings.SATUPINTU_KEYS_DIR = tmp_path
    with pytest.raises(KeyConfigurationError):
        keys.issue_agency_certificate(code="../../etc", name="x")
    assert Agency.objects.count() == 0


def test_a_bad_upload_limit_setting_stops_start_up_with_a_clear_message(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATUPINTU_") and k != "DATABASE_URL"}
    env.update({"SATUPINTU_VAR_DIR": str(tmp_path), "SATUPINTU_DOCUMENTS_MAX_UPLOAD": "10MB"})
    result = subprocess.run([str(BIN / "satupintu"), "manage", "check"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert "SATUPINTU_DOCUMENTS_MAX_UPLOAD" in result.stderr and "Traceback" not in result.stderr
