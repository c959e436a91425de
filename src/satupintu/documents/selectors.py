"""Public reads of the document register (no login): what ``/verifikasi/`` may show anyone."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from satupintu.documents.access import parse_document_id
from satupintu.documents.models import DocumentStatus, OutcomeDocument


def mask_name(name: str) -> str:
    """Partly mask a person's name for public pages: ``Budi Santoso`` → ``Bu** Sa*****``."""
    words = []
    for word in name.split():
        keep = 1 if len(word) <= 3 else 2
        words.append(word[:keep] + "*" * (len(word) - keep))
    return " ".join(words)


def _public(document: OutcomeDocument) -> dict[str, Any]:
    status = document.status
    if status == DocumentStatus.REVOKED and document.revoked_at:
        when = formats.date_format(timezone.localtime(document.revoked_at), "j F Y")
        message = _("This document was REVOKED (dicabut) on %(date)s. It is no longer valid.") % {"date": when}
    elif status == DocumentStatus.SUPERSEDED:
        message = _("This document was SUPERSEDED by document %(number)s. Only the newer document is valid.") % {
            "number": document.superseded_by.number if document.superseded_by else "?"}
    else:
        message = _("This document is registered and VALID.")
    return {
        "id": str(document.pk),
        "number": document.number,
        "agency": document.agency.name_id,
        "agencyCode": document.agency.code,
        "service": document.service_name,
        "holderName": mask_name(document.holder_name),
        "issuedAt": document.issued_at.isoformat(),
        "validUntil": document.valid_until.isoformat() if document.valid_until else None,
        "status": status,
        "statusLabel": str(DocumentStatus(status).label),
        "statusMessage": str(message),
        "revokedAt": document.revoked_at.isoformat() if document.revoked_at else None,
        "supersededBy": document.superseded_by.number if document.superseded_by else None,
        "supersededById": str(document.superseded_by_id) if document.superseded_by_id else None,
    }


def _base():  # noqa: ANN202 - a queryset of documents with what the public view shows
    return OutcomeDocument.objects.select_related("agency", "superseded_by")


def public_status_by_id(document_id: object) -> dict[str, Any] | None:
    """The public facts of a document (issue 8: issuer, service, number, date, status, masked
    holder name), or ``None`` when the id is malformed or unknown (a forged QR code)."""
    parsed = parse_document_id(document_id)
    if parsed is None:
        return None
    document = _base().filter(pk=parsed).first()
    return _public(document) if document else None


def public_status_by_sha256(sha256: str) -> dict[str, Any] | None:
    """The public facts of the document whose signed file has this SHA-256, or ``None``."""
    document = _base().filter(sha256=sha256).first()
    return _public(document) if document else None
