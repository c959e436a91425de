"""The gateway's keys, read from files named by settings (development: generated in var/keys/).

* message-log signing key: Ed25519 private key, PEM (``SATUPINTU_EXCHANGE_SIGNING_KEY_FILE``);
* body encryption key: 32 random bytes, AES-256-GCM (``SATUPINTU_EXCHANGE_BODY_KEY_FILE``);
* retired message-log public keys: a JWK Set (``SATUPINTU_EXCHANGE_RETIRED_PUBLIC_KEYS_FILE``),
  still accepted by ``verify-log`` after a rotation.

The NIK blind index is the identity app's (one key, ``SATUPINTU_NIK_INDEX_KEY(_FILE)``, one
function): :func:`nik_index` delegates to it so data-tracker rows join with citizens' accounts (ADR 0085).

In production a missing file raises :class:`~django.core.exceptions.ImproperlyConfigured` at
first use; nothing is generated there.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc.jwk import ECKey, OKPKey

from satupintu.identity.interface import nik_blind_index

KeyT = TypeVar("KeyT", ECKey, OKPKey)


def _key_path(setting: str, dev_name: str, required: str) -> Path:
    configured = getattr(settings, setting, "")
    if configured:
        return Path(configured)
    if settings.PRODUCTION:
        raise ImproperlyConfigured(f"{setting} must name {required} in production.")
    return Path(settings.VAR_DIR) / "keys" / dev_name


def read_or_create(path: Path, make: bytes | None) -> bytes:
    """The bytes of the file at ``path``; when it is missing and ``make`` is given, ``make`` is
    written there first (mode 0600 in a 0700 folder, atomically: concurrent processes all end up
    with the first file linked). Raises :class:`ImproperlyConfigured` when it cannot be read."""
    if path.exists() or make is None:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise ImproperlyConfigured(f"key file {path} cannot be read: {exc}") from exc
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Write a complete private temp file, then link it into place: another process sees either no
    # key or the whole key, and if two processes race, both end up using the first one linked.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(make)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return path.read_bytes()


def key_file(setting: str, dev_name: str, generate: Callable[[], bytes], *, required: str = "a key file") -> bytes:
    """The content of the key file named by the setting ``setting``. In development (setting
    empty, not production) it is ``var/keys/<dev_name>``, created from ``generate()`` when
    missing; in production an empty setting raises :class:`ImproperlyConfigured` ("``setting``
    must name ``required`` in production."), as does an unreadable file. Nothing is generated
    for a configured path."""
    new = generate() if not getattr(settings, setting, "") and not settings.PRODUCTION else None
    return read_or_create(_key_path(setting, dev_name, required), new)


def private_jwk(key_type: type[KeyT], pem: bytes, *, setting: str, curve: str, kind: str, curve_name: str) -> KeyT:
    """``pem`` as a private JWK of ``key_type`` on ``curve`` with ``kid`` = its RFC 7638
    thumbprint. Raises :class:`ImproperlyConfigured` naming ``setting`` when it is not a PEM
    private key of that kind (``kind``, e.g. ``EC``) and curve (``curve_name``, e.g. ``EC P-256``)."""
    try:
        key = key_type.import_key(pem)
    except Exception as exc:
        raise ImproperlyConfigured(f"{setting}: not an {kind} PEM private key ({exc})") from exc
    if key.as_dict().get("crv") != curve or not key.is_private:
        raise ImproperlyConfigured(f"{setting}: the key must be an {curve_name} private key")
    return key_type.import_key(pem, {"kid": key.thumbprint()})


def _new_ed25519_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@functools.cache
def signing_key() -> OKPKey:
    """The Ed25519 message-log signing key as a JWK with ``kid`` = RFC 7638 thumbprint."""
    setting = "SATUPINTU_EXCHANGE_SIGNING_KEY_FILE"
    pem = key_file(setting, "exchange-signing.pem", _new_ed25519_pem)
    return private_jwk(OKPKey, pem, setting=setting, curve="Ed25519", kind="Ed25519", curve_name="Ed25519")


def public_jwk() -> dict[str, str | list[str]]:
    """The public half of :func:`signing_key` as a JWK dict (for verifiers and exports)."""
    return signing_key().as_dict(private=False)


def public_key_from_jwk(data: Mapping[str, Any]) -> OKPKey:
    """An Ed25519 public JWK (dict) as a key whose ``kid`` is its RFC 7638 thumbprint.
    Raises ``ValueError`` for anything else (a private key is reduced to its public half)."""
    try:
        key = OKPKey.import_key({k: v for k, v in data.items() if k not in ("d", "kid")})
    except Exception as exc:
        raise ValueError(f"not an OKP JWK: {exc}") from exc
    if key.as_dict().get("crv") != "Ed25519":
        raise ValueError("the key must be an Ed25519 JWK")
    return OKPKey.import_key(key.as_dict(private=False), {"kid": key.thumbprint()})


def public_keys_from_json(text: str) -> list[OKPKey]:
    """Keys from a JWK (RFC 7517 §4) or a JWK Set (``{"keys": [...]}``, §5). Raises ``ValueError``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("keys"), list):
        return [public_key_from_jwk(item) for item in data["keys"] if isinstance(item, dict)]
    if isinstance(data, dict):
        return [public_key_from_jwk(data)]
    raise ValueError("expected a JWK or a JWK Set")


def verification_keys() -> list[OKPKey]:
    """Public keys that verify message-log signatures: the active signing key, then the retired
    keys listed in ``SATUPINTU_EXCHANGE_RETIRED_PUBLIC_KEYS_FILE`` (a JWK Set), so the log stays
    verifiable across a key rotation (ADR 0088). Raises ImproperlyConfigured for an unreadable file."""
    found = [public_key_from_jwk(public_jwk())]
    path = getattr(settings, "SATUPINTU_EXCHANGE_RETIRED_PUBLIC_KEYS_FILE", "")
    if path:
        try:
            found += public_keys_from_json(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ImproperlyConfigured(f"SATUPINTU_EXCHANGE_RETIRED_PUBLIC_KEYS_FILE={path}: {exc}") from exc
    return found


def _secret_32(setting: str, dev_name: str) -> bytes:
    raw = key_file(setting, dev_name, lambda: secrets.token_bytes(32))
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{setting}: the key file must hold exactly 32 random bytes")
    return raw


@functools.cache
def body_cipher() -> AESGCM:
    """AES-256-GCM for stored message bodies."""
    return AESGCM(_secret_32("SATUPINTU_EXCHANGE_BODY_KEY_FILE", "exchange-body.key"))


def nik_index(nik: str) -> str:
    """Keyed blind index of a NIK: ``hex(HMAC-SHA-256(key, nik))`` (RFC 2104), the identity app's
    :func:`~satupintu.identity.interface.nik_blind_index` (same key, same function)."""
    return nik_blind_index(nik)


def encrypt_body(body: bytes, *, aad: bytes) -> bytes:
    """``nonce(12) || AES-256-GCM(body)`` with ``aad`` (the request id) bound to the ciphertext."""
    nonce = secrets.token_bytes(12)
    return nonce + body_cipher().encrypt(nonce, body, aad)


def decrypt_body(blob: bytes, *, aad: bytes) -> bytes:
    return body_cipher().decrypt(blob[:12], blob[12:], aad)


def reset_caches() -> None:
    """Forget loaded keys (tests and key rotation)."""
    signing_key.cache_clear()
    body_cipher.cache_clear()
