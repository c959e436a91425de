"""JSON API for other agencies' systems: ``POST /api/v1/documents/verify``, ``GET /api/v1/documents/{id}``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from satupintu.core.errors import FieldError, InvalidInput, NotFound, SatupintuError
from satupintu.documents import selectors
from satupintu.documents.uploads import UploadMissing, UploadTooLarge, max_upload, read_uploaded_pdf
from satupintu.documents.verify import verify_pdf

router = Router()


class PayloadTooLarge(SatupintuError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(detail=detail, status=413, type="/problems/payload-too-large", title=_("Payload too large"))


_VERIFY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "required": ["file"],
                           "properties": {"file": {"type": "string", "format": "binary"}}},
            },
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post("/verify", summary="Verify a signed PDF", openapi_extra=_VERIFY_BODY)
def verify_document(request: HttpRequest) -> dict[str, Any]:
    """Verify a PDF's PAdES signature against the platform's trust roots.

    Body: the PDF as ``application/pdf``, or ``multipart/form-data`` with field ``file``; at most
    ``SATUPINTU_DOCUMENTS_MAX_UPLOAD`` bytes (default 10 MiB), refused from ``Content-Length``
    before the body is read. Returns 200 with ``{status, valid, message, fileSize, sha256,
    signatures: [{signer, signerOrganization, signedAt, timestamped, level, intact, trusted,
    coverage, byteRange, coveredUntil, uncoveredBytes, laterRevisions}], document}``; ``status``
    is one of valid, modified, invalid, untrusted, revoked, superseded, empty, not_pdf, encrypted,
    malformed, no_signature (see :mod:`satupintu.documents.verify`). Errors: 413 problem when too
    large; 422 problem (field ``file``) when no file was sent. No authentication (public check).
    """
    try:
        data = read_uploaded_pdf(request)
    except UploadTooLarge as exc:
        raise PayloadTooLarge(_("The file is larger than %(n)s bytes.") % {"n": max_upload()}) from exc
    except UploadMissing as exc:
        raise InvalidInput([FieldError("file", "required", _("Send the PDF as application/pdf or as the "
                                                                "multipart field 'file'."))]) from exc
    return verify_pdf(data).as_dict()


@router.get("/{document_id}", summary="Public status of a document")
def document_status(request: HttpRequest, document_id: str) -> dict[str, Any]:
    """The public facts of a document by id (what its QR code shows): ``{id, number, agency,
    agencyCode, service, holderName (partly masked), issuedAt, validUntil, status (valid | revoked |
    superseded), statusLabel, statusMessage, revokedAt, supersededBy}``. 404 problem when the id
    is malformed or unknown (e.g. a forged QR code)."""
    public = selectors.public_status_by_id(document_id)
    if public is None:
        raise NotFound(_("No document with this id is registered on this platform."))
    return public
