"""The exchange's key files (message-log signing key, body key, platform client key) all come from
one helper, :func:`satupintu.exchange.keys.key_file` + :func:`~satupintu.exchange.keys.private_jwk`:
generated once in ``var/keys/`` in development, required in production, refused when not the
expected key, each error naming its setting."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from joserfc.jwk import ECKey, OKPKey

from satupintu.exchange import keys, platform_client

SIGNING = "SATUPINTU_EXCHANGE_SIGNING_KEY_FILE"
PLATFORM = "SATUPINTU_EXCHANGE_PLATFORM_CLIENT_KEY_FILE"


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.VAR_DIR = tmp_path
    settings.PRODUCTION = False
    settings.SATUPINTU_EXCHANGE_SIGNING_KEY_FILE = ""
    settings.SATUPINTU_EXCHANGE_PLATFORM_CLIENT_KEY_FILE = ""
    keys.reset_caches()
    platform_client.client_key.cache_clear()
    yield
    keys.reset_caches()
    platform_client.client_key.cache_clear()


def test_key_file_generates_once_in_development_and_then_reads_the_same_file(tmp_path: Path) -> None:
    made: list[bytes] = []

    def generate() -> bytes:
        made.append(b"key-%d" % len(made))
        return made[-1]

    first = keys.key_file("SATUPINTU_TEST_KEY_FILE", "test.key", generate)
    again = keys.key_file("SATUPINTU_TEST_KEY_FILE", "test.key", generate)
    path = tmp_path / "keys" / "test.key"
    assert first == again == b"key-0" == path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_key_file_in_production_needs_its_setting_and_generates_nothing(settings, tmp_path: Path) -> None:  # noqa: ANN001
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match=f"^{SIGNING} must name a key file in production.$"):
        keys.key_file(SIGNING, "exchange-signing.pem", lambda: b"never")
    with pytest.raises(ImproperlyConfigured, match=f"^{PLATFORM} must name an EC P-256 PEM private key in production"):
        platform_client.client_key()
    with pytest.raises(ImproperlyConfigured, match=f"^{SIGNING} must name a key file in production"):
        keys.signing_key()
    assert not (tmp_path / "keys").exists()


def test_the_signing_and_platform_keys_are_generated_in_development_with_thumbprint_kids(tmp_path: Path) -> None:
    signing, client = keys.signing_key(), platform_client.client_key()
    assert signing.as_dict()["crv"] == "Ed25519" and signing.kid == signing.thumbprint() and signing.is_private
    assert client.as_dict()["crv"] == "P-256" and client.kid == client.thumbprint() and client.is_private
    assert {p.name for p in (tmp_path / "keys").iterdir()} >= {"exchange-signing.pem", "exchange-platform-client.pem"}


def test_private_jwk_refuses_the_wrong_kind_or_curve_naming_the_setting() -> None:
    ed25519 = OKPKey.generate_key("Ed25519").as_pem(private=True)
    p384 = ECKey.generate_key("P-384").as_pem(private=True)
    with pytest.raises(ImproperlyConfigured, match=f"^{PLATFORM}: not an EC PEM private key"):
        keys.private_jwk(ECKey, ed25519, setting=PLATFORM, curve="P-256", kind="EC", curve_name="EC P-256")
    with pytest.raises(ImproperlyConfigured, match=f"^{PLATFORM}: the key must be an EC P-256 private key$"):
        keys.private_jwk(ECKey, p384, setting=PLATFORM, curve="P-256", kind="EC", curve_name="EC P-256")
    public = OKPKey.generate_key("Ed25519").as_pem(private=False)
    with pytest.raises(ImproperlyConfigured, match=f"^{SIGNING}: the key must be an Ed25519 private key$"):
        keys.private_jwk(OKPKey, public, setting=SIGNING, curve="Ed25519", kind="Ed25519", curve_name="Ed25519")


def test_a_configured_wrong_key_file_is_refused_for_each_key(settings, tmp_path: Path) -> None:  # noqa: ANN001
    wrong = tmp_path / "p384.pem"
    wrong.write_bytes(ECKey.generate_key("P-384").as_pem(private=True))
    settings.SATUPINTU_EXCHANGE_PLATFORM_CLIENT_KEY_FILE = str(wrong)
    with pytest.raises(ImproperlyConfigured, match="the key must be an EC P-256 private key"):
        platform_client.client_key()
    settings.SATUPINTU_EXCHANGE_SIGNING_KEY_FILE = str(wrong)
    with pytest.raises(ImproperlyConfigured, match=f"^{SIGNING}: not an Ed25519 PEM private key"):
        keys.signing_key()
