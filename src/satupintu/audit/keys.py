"""The platform's Ed25519 audit key, which signs checkpoints of the chain.

Private key: PEM (PKCS#8, unencrypted) at ``SATUPINTU_AUDIT_KEY_FILE``. In development and test,
when the variable is unset, a key is generated once into ``$SATUPINTU_VAR_DIR/keys/audit-ed25519.pem``
(mode 0600). In production the variable is required: ``satupintu serve`` and ``satupintu worker``
refuse to start without a usable key (:func:`production_key_problem`), and signing or verifying
raises :class:`AuditKeyMissing` (``manage check --deploy`` still runs; docs/operations.md "Audit log").

Public keys trusted by ``verify``: the one derived from the private key, plus PEM public keys
listed in ``SATUPINTU_AUDIT_PUBLIC_KEY_FILES`` (comma-separated: retired keys, or the only keys on an
offline verification machine that must not hold the private key).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class AuditKeyError(Exception):
    """The audit key is missing, unreadable or not an Ed25519 key."""


class AuditKeyMissing(AuditKeyError):
    """``SATUPINTU_AUDIT_KEY_FILE`` is not set in production."""


def default_key_path() -> Path:
    """Where the development key lives: ``audit-ed25519.pem`` in ``SATUPINTU_KEYS_DIR`` (the
    platform's key folder, if that setting exists) or else ``$SATUPINTU_VAR_DIR/keys/``."""
    folder = getattr(settings, "SATUPINTU_KEYS_DIR", None) or Path(settings.VAR_DIR) / "keys"
    return Path(folder) / "audit-ed25519.pem"


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process generated it first: use theirs
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def key_path() -> Path:
    """The private key's path. Raises :class:`AuditKeyMissing` in production when unset."""
    configured = settings.SATUPINTU_AUDIT_KEY_FILE
    if configured:
        return Path(configured)
    if settings.PRODUCTION:
        raise AuditKeyMissing(
            "SATUPINTU_AUDIT_KEY_FILE is required in production: the path of a PEM Ed25519 private key. "
            "Create one with: satupintu audit keygen /etc/satupintu/audit-ed25519.pem"
        )
    path = default_key_path()
    if not path.exists():
        _generate(path)
    return path


def production_key_problem() -> str | None:
    """In production, why the audit key is unusable (missing, unreadable, wrong type), else ``None``.

    ``satupintu serve`` and ``satupintu worker`` refuse to start on a problem; ``manage check``
    does not look, so ``check --deploy`` stays usable without the key.
    """
    if not settings.PRODUCTION:
        return None
    try:
        signing_key()
    except AuditKeyError as exc:
        return str(exc)
    return None


def signing_key() -> Ed25519PrivateKey:
    """Load the private key (see module docstring). Raises :class:`AuditKeyError`."""
    path = key_path()
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise AuditKeyError(f"audit key {path} cannot be loaded: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditKeyError(f"audit key {path} is not an Ed25519 key")
    return key


def key_id(public_key: Ed25519PublicKey) -> str:
    """Hex SHA-256 of the raw 32-byte public key (64 characters)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A PEM public key (``SubjectPublicKeyInfo``) or private key file. Raises :class:`AuditKeyError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AuditKeyError(f"public key {path} cannot be read: {exc}") from exc
    try:
        key: object = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise AuditKeyError(f"{path} is not a PEM Ed25519 key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise AuditKeyError(f"{path} is not an Ed25519 key")
    return key


def trusted_public_keys(extra: list[Path] | None = None) -> dict[str, Ed25519PublicKey]:
    """``{key_id: public key}`` for verification: the configured keys plus ``extra`` files.

    With ``extra`` given or ``SATUPINTU_AUDIT_PUBLIC_KEY_FILES`` set, the private key is not
    needed (offline verification); otherwise it is loaded (and, in development, generated).
    """
    keys: dict[str, Ed25519PublicKey] = {}
    paths = [Path(p) for p in settings.SATUPINTU_AUDIT_PUBLIC_KEY_FILES] + list(extra or [])
    for path in paths:
        public = load_public_key(path)
        keys[key_id(public)] = public
    if settings.SATUPINTU_AUDIT_KEY_FILE or not paths:
        public = signing_key().public_key()
        keys[key_id(public)] = public
    return keys


def public_pem(public_key: Ed25519PublicKey) -> str:
    """The public key as PEM text (to publish or copy to an offline verifier)."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
