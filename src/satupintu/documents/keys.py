"""Signing keys for outcome documents: development CA hierarchy, per-agency PKCS#12 files, trust roots.

Layout of the keys folder (``SATUPINTU_KEYS_DIR``, default ``$SATUPINTU_VAR_DIR/keys``)::

    root-ca.p12 / root-ca.pem          platform root CA (development only)
    issuing-ca.p12 / issuing-ca.pem    issuing CA signed by the root (development only)
    trust/*.pem                        trust roots used to verify uploaded PDFs (old roots stay)
    agencies/<code>/<stamp>.p12        one PKCS#12 per signing certificate of the agency
    agencies/<code>/<stamp>.pem        its certificate (kept after rotation, for reference)
    agencies/<code>/current            the file name of the PKCS#12 in use
    agencies/<code>/pkcs11.yaml        or: the agency's key is in a PKCS#11 token (HSM); see below

Every key is ECDSA P-256 (ADR 0041). PKCS#12 files are encrypted with the password from
``SATUPINTU_KEYS_PASSWORD`` (or ``SATUPINTU_KEYS_PASSWORD_FILE``); an agency can have its own
``SATUPINTU_KEYS_PASSWORD_<CODE>`` (code upper-cased, dashes as underscores). In development
only, a missing password is generated once into ``$SATUPINTU_VAR_DIR/keys-password``.
A ``pkcs11.yaml`` (keys ``module``, ``token_label``, ``key_label``, optional ``cert_label``,
``chain`` (PEM files beside it), ``use_raw_mechanism`` (hash in software, sign with plain
``CKM_ECDSA``: for tokens such as SoftHSM2 without ``CKM_ECDSA_SHA256``) and ``pin_env``,
default ``SATUPINTU_PKCS11_PIN_<CODE>`` then ``SATUPINTU_PKCS11_PIN``) takes precedence over
PKCS#12 files: the key never leaves the token.
Rotation writes a new PKCS#12 and moves ``current``; old files are never deleted, so documents
signed before keep verifying (their chain is embedded in the signature and ends at a kept root).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator import ValidationContext

_CODE_OK = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


class KeyConfigurationError(Exception):
    """Keys are missing, unreadable or the password is wrong; the message says what to do."""


def keys_dir() -> Path:
    return Path(settings.SATUPINTU_KEYS_DIR)


def _password_for(agency_code: str | None) -> bytes:
    """The PKCS#12 password: per agency env var, else the shared one, else (dev only) a generated file."""
    names = []
    if agency_code:
        names.append("SATUPINTU_KEYS_PASSWORD_" + agency_code.upper().replace("-", "_"))
    names.append("SATUPINTU_KEYS_PASSWORD")
    for name in names:
        value = os.environ.get(name)
        if value:
            return value.encode()
        file_name = os.environ.get(f"{name}_FILE")
        if file_name:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip().encode()
            except OSError as exc:
                raise KeyConfigurationError(f"{name}_FILE={file_name} cannot be read: {exc}") from exc
    if getattr(settings, "PRODUCTION", False):
        raise KeyConfigurationError(
            "SATUPINTU_KEYS_PASSWORD (or SATUPINTU_KEYS_PASSWORD_FILE) is required in production "
            "to open the signing keys."
        )
    path = Path(settings.VAR_DIR) / "keys-password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text(encoding="utf-8").strip().encode()


def _check_code(code: str) -> str:
    if not code or not set(code) <= _CODE_OK or len(code) > 64:
        raise KeyConfigurationError(f"invalid agency code {code!r}")
    return code


X509_NAME_MAX = 64  # RFC 5280 ub-common-name, ub-organization-name, ub-organizational-unit-name


def fit_x509_name(text: str, limit: int = X509_NAME_MAX) -> str:
    """``text`` shortened to at most ``limit`` characters for an X.509 name attribute, never cut
    inside a word: a trailing parenthesised abbreviation is dropped first
    ("Direktorat Jenderal Kependudukan dan Pencatatan Sipil (Ditjen Dukcapil)" → without
    "(Ditjen Dukcapil)"); otherwise whole words are kept and "…" marks the cut. The verification
    page shows these names, so a name cut mid-word ("… (Ditjen Du") looked broken."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    without = re.sub(r"\s*\([^()]*\)$", "", text)
    if without and len(without) <= limit:
        return without
    head = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return head.rstrip(" ,;:-(") + "…"


def _name(common: str, org: str, unit: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, fit_x509_name(org)),
    ]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, fit_x509_name(unit)))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, fit_x509_name(common)))
    return x509.Name(attrs)


def _build_cert(
    *,
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    ca: bool,
    path_length: int | None,
    days: int,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write_private(path: Path, data: bytes) -> None:
    """Write a file readable by the owner only, atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _p12(name: str, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate,
         chain: list[x509.Certificate], password: bytes) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, chain or None, serialization.BestAvailableEncryption(password)
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class _CA:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate


def _load_ca(directory: Path, stem: str, password: bytes) -> _CA | None:
    path = directory / f"{stem}.p12"
    if not path.exists():
        return None
    try:
        key, cert, _others = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    except ValueError as exc:
        raise KeyConfigurationError(f"{path} cannot be opened: wrong SATUPINTU_KEYS_PASSWORD?") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or cert is None:
        raise KeyConfigurationError(f"{path} does not hold an ECDSA key and certificate")
    return _CA(key=key, cert=cert)


def init_dev_ca(directory: Path | None = None, *, platform_name: str = "satupintu") -> tuple[bool, Path]:
    """Create the development root CA and issuing CA in ``directory`` unless they exist.

    Returns ``(created, directory)``. The root certificate is also written to ``trust/``.
    Raises :class:`KeyConfigurationError` when existing files cannot be opened.
    """
    directory = directory or keys_dir()
    password = _password_for(None)
    if _load_ca(directory, "root-ca", password) and _load_ca(directory, "issuing-ca", password):
        return False, directory
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{platform_name} Root CA (DEVELOPMENT)", platform_name)
    root = _build_cert(subject=root_name, key=root_key, issuer=root_name, issuer_key=root_key,
                       ca=True, path_length=1, days=3650)
    issuing_key = ec.generate_private_key(ec.SECP256R1())
    issuing = _build_cert(subject=_name(f"{platform_name} Issuing CA (DEVELOPMENT)", platform_name),
                          key=issuing_key, issuer=root_name, issuer_key=root_key, ca=True, path_length=0,
                          days=1825)
    _write_private(directory / "root-ca.p12", _p12("root-ca", root_key, root, [], password))
    _write_private(directory / "root-ca.pem", _pem(root))
    _write_private(directory / "issuing-ca.p12", _p12("issuing-ca", issuing_key, issuing, [root], password))
    _write_private(directory / "issuing-ca.pem", _pem(issuing))
    fingerprint = root.fingerprint(hashes.SHA256()).hex()[:16]
    _write_private(directory / "trust" / f"root-ca-{fingerprint}.pem", _pem(root))
    return True, directory


def issue_agency_certificate(
    *, code: str, name: str, directory: Path | None = None, rotate: bool = False
) -> tuple[bool, Path]:
    """Give the agency a signing certificate from the development issuing CA.

    Without ``rotate`` an agency that already has a current certificate is left alone
    (returns ``(False, path)``). With ``rotate`` a new key and certificate become current and
    the old files stay. Returns ``(created, path of the PKCS#12 now current)``.
    """
    directory = directory or keys_dir()
    _check_code(code)
    agency_dir = directory / "agencies" / code
    current = agency_dir / "current"
    if current.exists() and not rotate:
        return False, agency_dir / current.read_text(encoding="utf-8").strip()
    ca_password = _password_for(None)
    issuing = _load_ca(directory, "issuing-ca", ca_password)
    root = _load_ca(directory, "root-ca", ca_password)
    if issuing is None or root is None:
        raise KeyConfigurationError(f"no issuing CA in {directory}: run 'satupintu keys init' first")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _build_cert(subject=_name(name, name, unit=code), key=key, issuer=issuing.cert.subject,
                       issuer_key=issuing.key, ca=False, path_length=None, days=730)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + f"-{cert.serial_number:x}"[:9]
    p12_path = agency_dir / f"{stamp}.p12"
    _write_private(p12_path, _p12(code, key, cert, [issuing.cert, root.cert], _password_for(code)))
    _write_private(agency_dir / f"{stamp}.pem", _pem(cert))
    _write_private(current, p12_path.name.encode())
    return True, p12_path


def agency_certificates(code: str, directory: Path | None = None) -> list[tuple[str, x509.Certificate, bool]]:
    """All certificates the agency has had: ``[(file stem, certificate, is_current)]``, oldest first."""
    directory = directory or keys_dir()
    agency_dir = directory / "agencies" / _check_code(code)
    current = (agency_dir / "current").read_text(encoding="utf-8").strip() if (agency_dir / "current").exists() else ""
    out = []
    for pem in sorted(agency_dir.glob("*.pem")):
        out.append((pem.stem, x509.load_pem_x509_certificate(pem.read_bytes()), f"{pem.stem}.p12" == current))
    return out


_signer_cache: dict[tuple[str, float], SimpleSigner] = {}
_cache_lock = threading.Lock()


def load_signer(code: str, directory: Path | None = None) -> SimpleSigner:
    """The pyHanko signer for the agency's current PKCS#12 (cached per file and modification time).

    Raises :class:`KeyConfigurationError` with the command to run when the agency has no key.
    """
    directory = directory or keys_dir()
    agency_dir = directory / "agencies" / _check_code(code)
    current = agency_dir / "current"
    if not current.exists():
        raise KeyConfigurationError(
            f"agency {code!r} has no signing key in {directory}: run 'satupintu keys init --agency {code}' "
            "(development) or install its PKCS#12 file (see docs/operations.md, Signing keys)"
        )
    path = agency_dir / current.read_text(encoding="utf-8").strip()
    try:
        cache_key = (str(path), path.stat().st_mtime)
    except OSError as exc:
        raise KeyConfigurationError(f"{path} is missing: {exc}") from exc
    with _cache_lock:
        cached = _signer_cache.get(cache_key)
    if cached is not None:
        return cached
    try:
        signer = SimpleSigner.load_pkcs12_data(path.read_bytes(), other_certs=[], passphrase=_password_for(code))
    except ValueError as exc:
        raise KeyConfigurationError(f"{path} cannot be opened: wrong password?") from exc
    with _cache_lock:
        _signer_cache[cache_key] = signer
    return signer


def _env_name(code: str) -> str:
    return code.upper().replace("-", "_")


def pkcs11_config(code: str, directory: Path | None = None) -> dict[str, Any] | None:
    """The agency's ``pkcs11.yaml`` as a dict, or ``None`` when it signs with PKCS#12 files."""
    directory = directory or keys_dir()
    path = directory / "agencies" / _check_code(code) / "pkcs11.yaml"
    if not path.exists():
        return None
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KeyConfigurationError(f"{path} cannot be read: {exc}") from exc
    if not isinstance(config, dict) or not all(config.get(k) for k in ("module", "token_label", "key_label")):
        raise KeyConfigurationError(f"{path} must name module, token_label and key_label")
    return config


@contextmanager
def _pkcs11_signer(code: str, config: dict[str, Any], directory: Path) -> Iterator[Signer]:
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    pin_names = [config.get("pin_env") or "", f"SATUPINTU_PKCS11_PIN_{_env_name(code)}", "SATUPINTU_PKCS11_PIN"]
    pin = next((os.environ[n] for n in pin_names if n and os.environ.get(n)), None)
    if pin is None:
        raise KeyConfigurationError(f"no PIN for agency {code!r}'s PKCS#11 token: set {pin_names[1]}")
    chain = []
    for name in config.get("chain") or []:
        pem = (directory / "agencies" / code / str(name)).read_bytes()
        chain += [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                  for c in x509.load_pem_x509_certificates(pem)]
    try:
        session = open_pkcs11_session(str(config["module"]), token_criteria=TokenCriteria(
            label=str(config["token_label"])), user_pin=pin)
    except Exception as exc:  # the PKCS#11 library reports many kinds: missing token, wrong PIN, ...
        raise KeyConfigurationError(
            f"agency {code!r}: cannot open PKCS#11 token {config['token_label']!r}: {type(exc).__name__} {exc}"
        ) from exc
    try:
        yield PKCS11Signer(session, key_label=str(config["key_label"]),
                           cert_label=str(config.get("cert_label") or config["key_label"]), ca_chain=chain,
                           use_raw_mechanism=bool(config.get("use_raw_mechanism", False)))
    finally:
        session.close()


@contextmanager
def agency_signer(code: str, directory: Path | None = None) -> Iterator[Signer]:
    """The pyHanko signer for the agency, for the duration of the ``with`` block.

    A PKCS#11 token when ``agencies/<code>/pkcs11.yaml`` exists (session opened and closed
    here), else the current PKCS#12 (:func:`load_signer`). Raises :class:`KeyConfigurationError`.
    """
    directory = directory or keys_dir()
    config = pkcs11_config(code, directory)
    if config is None:
        yield load_signer(code, directory)
        return
    with _pkcs11_signer(code, config, directory) as signer:
        yield signer


def trust_roots(directory: Path | None = None) -> list[asn1_x509.Certificate]:
    """Trust roots for verification: ``trust/*.pem`` plus ``SATUPINTU_DOCUMENTS_TRUST_ROOTS`` files."""
    directory = directory or keys_dir()
    paths = sorted((directory / "trust").glob("*.pem"))
    paths += [Path(p) for p in getattr(settings, "SATUPINTU_DOCUMENTS_TRUST_ROOTS", [])]
    roots = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KeyConfigurationError(f"trust root {path} cannot be read: {exc}") from exc
        for cert in x509.load_pem_x509_certificates(data):
            roots.append(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)))
    return roots


def validation_context(directory: Path | None = None) -> ValidationContext:
    """A pyHanko validation context trusting only the platform's roots; no network fetching."""
    return ValidationContext(trust_roots=trust_roots(directory), allow_fetching=False, revocation_mode="soft-fail")
