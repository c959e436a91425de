"""Verify an uploaded PDF: pyHanko validation against the platform's trust roots.

:func:`verify_pdf` never raises on bad input: every outcome is a :class:`Verdict` with a stable
``status`` and a message in the active language. Statuses (``ok`` only for ``valid``):

``valid``       signature intact, chains to a trusted root, the whole file is covered
``modified``    the signature is intact but bytes were added after it (incremental update or
                trailing data): the covered range is reported
``invalid``     the signature does not match the signed bytes (the document was altered)
``untrusted``   intact, but the signer's certificate does not chain to a platform trust root
``revoked`` / ``superseded``  valid signature, but the register says the document was revoked
                (dicabut) or replaced by a newer one
``empty``, ``not_pdf``, ``encrypted``, ``malformed``, ``no_signature``, ``too_large``  bad input

Source of the rules: ETSI EN 319 142-1 (PAdES), ISO 32000-2 §12.8 (byte range, incremental
updates), RFC 5652 (CMS).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel

from satupintu.documents import keys

log = logging.getLogger(__name__)

BAD_INPUT = frozenset({"empty", "not_pdf", "encrypted", "malformed", "no_signature", "too_large"})


@dataclass
class SignatureReport:
    """One embedded signature. ``byte_range`` is the PDF /ByteRange ``[0, a, b, c]``;
    ``covered_until`` the offset after the last signed byte; ``uncovered_bytes`` what follows it."""

    field_name: str
    signer: str
    signer_organization: str
    signed_at: dt.datetime | None
    timestamped: bool
    level: str
    intact: bool
    trusted: bool
    coverage: str
    byte_range: list[int]
    covered_until: int
    uncovered_bytes: int
    later_revisions: int
    problem: str = ""


@dataclass
class Verdict:
    status: str
    message: str
    file_size: int = 0
    sha256: str = ""
    signatures: list[SignatureReport] = field(default_factory=list)
    document: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == "valid"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (camelCase keys, ISO 8601 times) for the API."""
        def sig(s: SignatureReport) -> dict[str, Any]:
            d = asdict(s)
            return {
                "fieldName": d["field_name"], "signer": d["signer"], "signerOrganization": d["signer_organization"],
                "signedAt": s.signed_at.isoformat() if s.signed_at else None, "timestamped": s.timestamped,
                "level": s.level, "intact": s.intact, "trusted": s.trusted, "coverage": s.coverage,
                "byteRange": s.byte_range, "coveredUntil": s.covered_until, "uncoveredBytes": s.uncovered_bytes,
                "laterRevisions": s.later_revisions, "problem": s.problem,
            }
        return {
            "status": self.status, "valid": self.ok, "message": self.message, "fileSize": self.file_size,
            "sha256": self.sha256, "signatures": [sig(s) for s in self.signatures], "document": self.document,
        }


def bad_input_message(status: str, limit: int = 0) -> str:
    messages = {
        "empty": _("The file is empty. Choose the PDF document you received."),
        "not_pdf": _("This file is not a PDF document. Only PDF files can be checked."),
        "encrypted": _("This PDF is password-protected (encrypted) and cannot be checked. "
                       "Upload the original document as issued."),
        "malformed": _("This PDF is damaged or not readable, so its signature cannot be checked."),
        "no_signature": _("This PDF has no digital signature. It is not a signed document from this platform."),
        "too_large": _("The file is larger than %(mb)s MB, the largest document that can be checked.")
        % {"mb": max(1, limit // (1024 * 1024))},
    }
    return str(messages[status])


def _name_part(cert: Any, key: str) -> str:
    try:
        return str(cert.subject.native.get(key, ""))
    except Exception:  # an odd certificate name must not break the verdict
        return ""


def _report(emb: Any, status: PdfSignatureStatus | None, file_size: int, total_revisions: int,
            problem: str = "") -> SignatureReport:
    try:  # a forged /ByteRange may be a number, a short list or hold non-integers: report it as empty
        byte_range = [int(x) for x in emb.byte_range]
    except Exception:
        byte_range = []
    covered_until = byte_range[2] + byte_range[3] if len(byte_range) == 4 else 0
    try:
        later = max(0, total_revisions - 1 - int(emb.signed_revision))
    except Exception:  # the revision is found from the byte range, so it fails with it
        later = 0
    signed_at = None
    timestamped = False
    if status is not None:
        tst = status.timestamp_validity
        timestamped = tst is not None and tst.intact and tst.valid
        signed_at = tst.timestamp if tst is not None and timestamped else status.signer_reported_dt
    try:
        cert = emb.signer_cert
    except Exception:
        cert = None
    return SignatureReport(
        field_name=str(emb.field_name or ""),
        signer=_name_part(cert, "common_name") if cert is not None else "",
        signer_organization=_name_part(cert, "organization_name") if cert is not None else "",
        signed_at=signed_at,
        timestamped=timestamped,
        level="B-T" if timestamped else "B-B",
        intact=bool(status and status.intact),
        trusted=bool(status and status.trusted),
        coverage=(status.coverage.name if status is not None and status.coverage is not None else "UNCLEAR"),
        byte_range=byte_range,
        covered_until=covered_until,
        uncovered_bytes=max(0, file_size - covered_until),
        later_revisions=later,
        problem=problem,
    )


def _signature_status(report: SignatureReport, status: PdfSignatureStatus | None) -> str:
    if status is None or not status.intact or not status.valid:
        return "invalid"
    if not status.trusted:
        return "untrusted"
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or report.uncovered_bytes:
        return "modified"
    return "valid"


_ORDER = ["invalid", "untrusted", "modified", "valid"]


def _message(status: str, reports: list[SignatureReport]) -> str:
    first = reports[0] if reports else None
    if status == "valid" and first:
        return _("The signature is valid: the document is unchanged since %(org)s signed it.") % {
            "org": first.signer_organization or first.signer}
    if status == "invalid":
        return _("The signature is NOT valid: the document was changed after it was signed, "
                 "or the signature is damaged. Do not rely on this document.")
    if status == "untrusted":
        return _("The signature is intact but NOT trusted: it was not made with a key of an agency on "
                 "this platform. Do not rely on this document.")
    worst = max(reports, key=lambda r: r.uncovered_bytes)
    if worst.later_revisions:
        return _("The signature covers bytes 0–%(end)s, but %(n)s more bytes were added after signing "
                 "(%(rev)s incremental update(s)). The added content is not covered by the signature. "
                 "Ask for the document as issued.") % {
            "end": worst.covered_until, "n": worst.uncovered_bytes, "rev": worst.later_revisions}
    return _("The signature covers bytes 0–%(end)s, but %(n)s bytes of other data follow the end of the "
             "signed document. That data is not covered by the signature. Ask for the document as issued.") % {
        "end": worst.covered_until, "n": worst.uncovered_bytes}


def verify_pdf(data: bytes) -> Verdict:
    """Check ``data`` (a whole PDF file) and return the :class:`Verdict`; never raises on bad input.

    Trust: only the platform's roots (:func:`satupintu.documents.keys.trust_roots`); no network.
    A valid file is also looked up in the register by SHA-256 to report revocation/supersession.
    """
    size = len(data)
    if size == 0:
        return Verdict("empty", bad_input_message("empty"))
    digest = hashlib.sha256(data).hexdigest()
    if b"%PDF-" not in data[:1024]:
        return Verdict("not_pdf", bad_input_message("not_pdf"), size, digest)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            return Verdict("encrypted", bad_input_message("encrypted"), size, digest)
        embedded = list(reader.embedded_regular_signatures)
        total_revisions = int(reader.xrefs.total_revisions)
    except Exception as exc:  # pyHanko raises many kinds on broken files; all mean "unreadable"
        log.info("verify_pdf: unreadable PDF: %s", exc)
        return Verdict("malformed", bad_input_message("malformed"), size, digest)
    if not embedded:
        return Verdict("no_signature", bad_input_message("no_signature"), size, digest)
    context = keys.validation_context()
    reports: list[SignatureReport] = []
    statuses: list[str] = []
    for emb in embedded:
        try:
            status: PdfSignatureStatus | None = validate_pdf_signature(emb, signer_validation_context=context)
            problem = ""
        except Exception as exc:  # damaged CMS, unsupported subfilter, broken byte range
            log.info("verify_pdf: signature could not be validated: %s", exc)
            status, problem = None, str(exc)[:200]
        report = _report(emb, status, size, total_revisions, problem)
        reports.append(report)
        statuses.append(_signature_status(report, status))
    overall = min(statuses, key=_ORDER.index)
    verdict = Verdict(overall, _message(overall, reports), size, digest, reports)
    if overall == "valid":
        from satupintu.documents.selectors import public_status_by_sha256

        public = public_status_by_sha256(digest)
        if public is not None:
            verdict.document = public
            if public["status"] in {"revoked", "superseded"}:
                verdict.status = public["status"]
                verdict.message = public["statusMessage"]
    return verdict
