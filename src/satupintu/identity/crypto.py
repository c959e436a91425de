"""NIK at rest: AES-256-GCM encryption with a key id, and a keyed HMAC blind index.

Keys come from :mod:`satupintu.identity.keys` via settings (``SATUPINTU_NIK_KEYRING`` and
``SATUPINTU_NIK_INDEX_KEY``). The ciphertext layout is ``nonce(12) || AES-GCM(ct || tag)``; the
associated data binds the ciphertext to its key id and purpose so a value cannot be moved to
another column or key unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from satupintu.identity.keys import NikKeyring

_AAD_PREFIX = b"satupintu:nik:v1:"


def _keyring() -> NikKeyring:
    ring: NikKeyring = getattr(settings, "SATUPINTU_NIK_KEYRING")  # noqa: B009 - set by identity_settings()
    return ring


def encrypt_nik(nik: str) -> tuple[bytes, str]:
    """Encrypt a (validated) NIK with the active key. Returns ``(ciphertext, key_id)``."""
    ring = _keyring()
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(ring.keys[ring.active]).encrypt(nonce, nik.encode("ascii"), _AAD_PREFIX + ring.active.encode())
    return nonce + sealed, ring.active


def decrypt_nik(ciphertext: bytes, key_id: str) -> str:
    """Decrypt a stored NIK. Raises ``KeyError`` for an unknown key id and
    ``cryptography.exceptions.InvalidTag`` for a tampered value."""
    key = _keyring().keys[key_id]
    data = bytes(ciphertext)
    return AESGCM(key).decrypt(data[:12], data[12:], _AAD_PREFIX + key_id.encode()).decode("ascii")


def nik_blind_index(nik: str) -> str:
    """HMAC-SHA-256 of the NIK under the index key, hex (64 chars): equal NIKs → equal index."""
    return hmac.new(_index_key(), nik.encode("ascii"), hashlib.sha256).hexdigest()


def mask_nik(nik: str) -> str:
    """``3174********0001``: first four and last four digits shown."""
    return f"{nik[:4]}{'*' * 8}{nik[-4:]}" if len(nik) == 16 else "*" * len(nik)


def _index_key() -> bytes:
    key: bytes = getattr(settings, "SATUPINTU_NIK_INDEX_KEY")  # noqa: B009 - set by identity_settings()
    return key
