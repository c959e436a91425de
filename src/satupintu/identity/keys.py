"""Loading the identity provider's keys from files or the environment (no Django models here).

Three kinds of key, each with its own variable (documented in ``.env.example``):

* ``SATUPINTU_NIK_KEYS`` / ``SATUPINTU_NIK_KEYS_FILE``: AES-256-GCM keys that encrypt NIK at
  rest, one per line as ``KEY_ID BASE64URL(32 bytes)``; the first line is the active key, the
  others stay to decrypt rows written before a rotation (``satupintu reencrypt-nik``).
* ``SATUPINTU_NIK_INDEX_KEY`` / ``SATUPINTU_NIK_INDEX_KEY_FILE``: the HMAC-SHA-256 key of the NIK
  blind index (lookup and uniqueness). Rotating it means re-indexing every row.
* ``SATUPINTU_OIDC_KEY_DIR``: folder with ``active.pem`` (RSA private key signing ID tokens) and
  ``retired/*.pem`` (still published in the JWKS until their tokens expire).

In development (and tests) missing keys are generated once into ``var/keys/``; in production a
missing key stops start-up with :class:`~django.core.exceptions.ImproperlyConfigured`.
"""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class NikKeyring:
    """AES-GCM keys by id; ``active`` encrypts, all decrypt."""

    active: str
    keys: dict[str, bytes]


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _read(name: str) -> str | None:
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc}") from exc
    return None


def _write_new(path: Path, text: str) -> None:
    """Create ``path`` (mode 0600) holding ``text`` unless it exists. Several processes starting
    together (server, worker, test writers) may race: each writes a complete private temp file and
    links it into place, so a reader sees no key or a whole key, and the first link wins."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


def parse_nik_keyring(text: str, source: str = "SATUPINTU_NIK_KEYS") -> NikKeyring:
    """Parse ``KEY_ID BASE64URL`` lines (first = active). Raises ImproperlyConfigured."""
    keys: dict[str, bytes] = {}
    active = ""
    for raw_line in text.replace(",", "\n").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[0].isascii() or len(parts[0]) > 16:
            raise ImproperlyConfigured(f"{source}: each line must be 'KEY_ID BASE64URL_KEY' (key id ≤ 16 chars).")
        try:
            key = _b64decode(parts[1])
        except ValueError as exc:
            raise ImproperlyConfigured(f"{source}: key {parts[0]!r} is not base64url.") from exc
        if len(key) != 32:
            raise ImproperlyConfigured(f"{source}: key {parts[0]!r} must be 32 bytes (AES-256).")
        keys[parts[0]] = key
        active = active or parts[0]
    if not keys:
        raise ImproperlyConfigured(f"{source} holds no key.")
    return NikKeyring(active=active, keys=keys)


def new_nik_key_line(key_id: str) -> str:
    """A fresh ``KEY_ID BASE64URL`` line for the NIK keyring."""
    return f"{key_id} {_b64encode(secrets.token_bytes(32))}\n"


def load_nik_keyring(*, production: bool, var_dir: Path) -> NikKeyring:
    text = _read("SATUPINTU_NIK_KEYS")
    if text is None:
        if production:
            raise ImproperlyConfigured(
                "SATUPINTU_NIK_KEYS (or SATUPINTU_NIK_KEYS_FILE) is required in production: lines of "
                "'KEY_ID BASE64URL(32 random bytes)', first line active. Generate one with: "
                "python -c \"import secrets,base64;"
                "print('k1',base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())\""
            )
        path = var_dir / "keys" / "nik_keys"
        if not path.exists():
            _write_new(path, new_nik_key_line("dev1"))
        text = path.read_text(encoding="utf-8")
    return parse_nik_keyring(text)


def load_nik_index_key(*, production: bool, var_dir: Path) -> bytes:
    text = _read("SATUPINTU_NIK_INDEX_KEY")
    if text is None:
        if production:
            raise ImproperlyConfigured(
                "SATUPINTU_NIK_INDEX_KEY (or SATUPINTU_NIK_INDEX_KEY_FILE) is required in production: "
                "base64url of 32 random bytes (the NIK blind-index HMAC key)."
            )
        path = var_dir / "keys" / "nik_index_key"
        if not path.exists():
            _write_new(path, _b64encode(secrets.token_bytes(32)) + "\n")
        text = path.read_text(encoding="utf-8")
    try:
        key = _b64decode(text.strip())
    except ValueError as exc:
        raise ImproperlyConfigured("SATUPINTU_NIK_INDEX_KEY is not base64url.") from exc
    if len(key) < 32:
        raise ImproperlyConfigured("SATUPINTU_NIK_INDEX_KEY must be at least 32 bytes.")
    return key


def generate_rsa_pem(bits: int = 3072) -> str:
    """A new RSA private key as PKCS#8 PEM (cryptography)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def oidc_key_dir(*, var_dir: Path) -> Path:
    return Path(os.environ.get("SATUPINTU_OIDC_KEY_DIR") or var_dir / "keys" / "oidc")


def load_oidc_keys(*, production: bool, var_dir: Path) -> tuple[str, list[str]]:
    """Return (active PEM, retired PEMs oldest first). Generates a dev key when allowed."""
    folder = oidc_key_dir(var_dir=var_dir)
    active = folder / "active.pem"
    if not active.exists():
        if production:
            raise ImproperlyConfigured(
                f"SATUPINTU_OIDC_KEY_DIR ({folder}) must contain active.pem, the RSA key signing ID tokens, "
                "in production. Create it with: satupintu oidc-rotate-key --key-dir DIR"
            )
        _write_new(active, generate_rsa_pem(2048))
    retired_dir = folder / "retired"
    retired = sorted(retired_dir.glob("*.pem")) if retired_dir.exists() else []
    try:
        return active.read_text(encoding="ascii"), [p.read_text(encoding="ascii") for p in retired]
    except OSError as exc:
        raise ImproperlyConfigured(f"OIDC signing keys in {folder} cannot be read: {exc}") from exc
