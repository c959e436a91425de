"""Uploaded documents: checked by content, cleaned, scanned, stored outside the web root.

Rules (ADR 0072):

* Size: at most ``SATUPINTU_UPLOAD_MAX_FILE_BYTES`` per file (default 5 MiB; a field's
  ``rules.max_bytes`` may lower it) and ``SATUPINTU_UPLOAD_MAX_TOTAL_BYTES`` per application
  (default 25 MiB). Empty files are refused.
* Type: decided by the file's first bytes (``filetype``), never by its name or the browser's
  ``Content-Type``; only the kinds the field accepts (pdf, jpeg, png).
* PDFs must parse as PDF with at least one page (``pypdf``, strict) and must not be encrypted.
  Images are decoded and re-encoded with Pillow (drops metadata such as GPS EXIF and anything
  hidden after the image data; refuses decompression bombs).
* Names: only the last path component is kept, normalised (NFKC), limited to letters, digits,
  ``. _ -`` and spaces, 100 characters, with the extension of the sniffed kind. The stored path
  is random and never derived from the name.
* Virus scan: the scanner named by ``SATUPINTU_VIRUS_SCANNER`` (dotted path to a class with
  ``scan(data: bytes, name: str) -> None`` raising :class:`InfectedFile`). Default
  :class:`NoScan`; :class:`ClamdScanner` talks to ClamAV's ``clamd`` (INSTREAM) on
  ``SATUPINTU_CLAMD_ADDRESS`` and fails closed when clamd cannot be reached.
* Storage: ``SATUPINTU_UPLOAD_ROOT`` (default ``$SATUPINTU_MEDIA_ROOT/applications``), not served
  by the web server; files are sent only by the guarded view in :mod:`satupintu.applications.views`.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import socket
import struct
import unicodedata
import uuid
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

KINDS = {"pdf": ("application/pdf", ".pdf"), "jpeg": ("image/jpeg", ".jpg"), "png": ("image/png", ".png")}
_SNIFF_TO_KIND = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png"}
MAX_IMAGE_PIXELS = 40_000_000


class InfectedFile(Exception):
    """The virus scanner found something (``str(exc)`` names it)."""


class ScannerUnavailable(Exception):
    """The virus scanner could not be asked; the upload is refused (fail closed)."""


class Scanner(Protocol):
    def scan(self, data: bytes, name: str) -> None: ...


class NoScan:
    """The default scanner: accepts everything (deployments plug in :class:`ClamdScanner`)."""

    def scan(self, data: bytes, name: str) -> None:
        return None


class ClamdScanner:
    """ClamAV adapter: streams the file to ``clamd`` with the INSTREAM command.

    ``SATUPINTU_CLAMD_ADDRESS`` is a Unix socket path (``/run/clamav/clamd.ctl``) or
    ``HOST:PORT``. clamd answers ``stream: OK`` or ``stream: <name> FOUND``. Any other answer
    or a connection failure raises :class:`ScannerUnavailable` (the upload is refused).
    Operators: install ``clamav-daemon``, keep ``StreamMaxLength`` ≥ the per-file limit.
    """

    def __init__(self, address: str | None = None, timeout: float = 30.0) -> None:
        self.address = address or getattr(settings, "SATUPINTU_CLAMD_ADDRESS", "") or "/run/clamav/clamd.ctl"
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        if self.address.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.address)
            return sock
        host, _sep, port = self.address.rpartition(":")
        return socket.create_connection((host, int(port)), timeout=self.timeout)

    def scan(self, data: bytes, name: str) -> None:
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), 65536):
                    chunk = data[start:start + 65536]
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = sock.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {self.address} cannot be reached: {exc}") from exc
        text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
        if text.endswith("FOUND"):
            raise InfectedFile(text.removeprefix("stream:").removesuffix("FOUND").strip())
        if not text.endswith("OK"):
            raise ScannerUnavailable(f"unexpected clamd answer: {text[:200]}")


@lru_cache(maxsize=4)
def _scanner(path: str) -> Scanner:
    return import_string(path)()


def scanner() -> Scanner:
    return _scanner(getattr(settings, "SATUPINTU_VIRUS_SCANNER", "satupintu.applications.uploads.NoScan"))


def max_file_bytes() -> int:
    return int(getattr(settings, "SATUPINTU_UPLOAD_MAX_FILE_BYTES", 5 * 1024 * 1024))


def max_total_bytes() -> int:
    return int(getattr(settings, "SATUPINTU_UPLOAD_MAX_TOTAL_BYTES", 25 * 1024 * 1024))


def storage() -> FileSystemStorage:
    """The upload storage: a folder outside the web root, no public URL."""
    root = getattr(settings, "SATUPINTU_UPLOAD_ROOT", None) or os.path.join(settings.MEDIA_ROOT, "applications")
    return FileSystemStorage(location=root, base_url=None, file_permissions_mode=0o600,
                             directory_permissions_mode=0o700)


@dataclass
class CheckedFile:
    """An upload that passed every check; ``data`` is what will be stored (re-encoded images)."""

    name: str
    kind: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sanitise_name(name: str, kind: str) -> str:
    """A safe display name for an uploaded file (see the module rules); never a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = os.path.splitext(base)[0]
    stem = re.sub(r"[^\w .-]", "_", stem, flags=re.ASCII)
    stem = re.sub(r"[ _.-]{2,}", "_", stem).strip(" ._-")[:96]
    return f"{stem or 'berkas'}{KINDS[kind][1]}"


def _reencode_image(data: bytes, kind: str) -> bytes:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as opened:
            if (opened.format or "").lower() != kind:
                raise ValueError("image format differs from its signature")
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened)
            out = io.BytesIO()
            if kind == "jpeg":
                image.convert("RGB").save(out, format="JPEG", quality=90, optimize=True)
            else:
                if image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA"}:
                    image = image.convert("RGBA")
                image.save(out, format="PNG")
            return out.getvalue()


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=True)
    if reader.is_encrypted:
        raise ValueError("encrypted")
    if len(reader.pages) < 1:
        raise ValueError("no pages")


def check_upload(file: UploadedFile, *, accept: list[str], max_bytes: int | None = None) -> CheckedFile:
    """Check one uploaded file against the rules in the module docstring.

    ``accept``: the kinds the field allows. ``max_bytes``: the field's own limit (never above
    the platform limit). Returns a :class:`CheckedFile`; raises :class:`ValidationError` with
    code ``empty``, ``too_large``, ``file_type``, ``broken``, ``infected`` or ``scan_unavailable``
    and a message in the active language.
    """
    limit = min(max_bytes or max_file_bytes(), max_file_bytes())
    size = file.size or 0
    if size <= 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(_("The file is larger than %(limit)s MB.") % {"limit": _mb(limit)}, code="too_large")
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("The file is larger than %(limit)s MB.") % {"limit": _mb(limit)}, code="too_large")
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    sniffed = filetype.guess_mime(data[:8192])
    kind = _SNIFF_TO_KIND.get(sniffed or "")
    allowed = ", ".join(k.upper() for k in accept)
    if kind is None or kind not in accept:
        raise ValidationError(_("This file is not a %(kinds)s file (its content was checked, not its name).")
                              % {"kinds": allowed}, code="file_type")
    try:
        if kind == "pdf":
            _check_pdf(data)
        else:
            data = _reencode_image(data, kind)
    except Exception as exc:  # noqa: BLE001 - any parser failure means the file is not usable
        raise ValidationError(_("The file is damaged or is not a real %(kind)s file.") % {"kind": kind.upper()},
                              code="broken") from exc
    name = sanitise_name(file.name or "", kind)
    try:
        scanner().scan(data, name)
    except InfectedFile as exc:
        raise ValidationError(_("The file was refused by the virus scanner."), code="infected") from exc
    except ScannerUnavailable as exc:
        raise ValidationError(_("Files cannot be checked for viruses right now. Please try again later."),
                              code="scan_unavailable") from exc
    return CheckedFile(name=name, kind=kind, content_type=KINDS[kind][0], data=data)


def _mb(value: int) -> str:
    return f"{value / (1024 * 1024):.0f}"


def store(checked: CheckedFile) -> str:
    """Write the file under a random name (``YYYY/MM/<uuid>.<ext>``); returns the storage name."""
    now = timezone.now()
    name = f"{now:%Y/%m}/{uuid.uuid4().hex}{KINDS[checked.kind][1]}"
    return storage().save(name, ContentFile(checked.data))


def remove(storage_name: str) -> None:
    """Delete a stored file (used to undo writes of a failed transaction)."""
    storage().delete(storage_name)


def open_stored(storage_name: str) -> Any:
    return storage().open(storage_name, "rb")
