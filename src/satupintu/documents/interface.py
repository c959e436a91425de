"""What other apps (the applications app first) use from ``documents``. Nothing else is public.

On approval, inside the approval action's transaction::

    from django.db import transaction
    from satupintu.documents import interface as documents

    transaction.on_commit(lambda: documents.issue_document.enqueue(
        agency_code=application.agency.code,          # catalog.Agency.code of the issuing agency
        holder_name=applicant_name,
        holder_nik=applicant_nik,                     # 16 digits or None; only the masked form is kept
        service_name=service.name,
        decision="Permohonan disetujui. ...",         # ≤ 1500 characters
        valid_until=valid_until.isoformat() if valid_until else None,
        reference=application.tracking_number,        # idempotency key: one document per agency+reference
        acting=documents.principal_to_json(acting),   # the approving officer (or Principal.platform())
        holder_principal_id=applicant_principal.id,   # who may download it
        notify_email=applicant_email or "",           # "document ready" e-mail after commit
    ))

The application page links to :func:`download_url` (holder and the agency's officers only) and
:func:`verification_url` (public). Synchronous callers (tests, management commands) may call
:func:`document_issue` directly.
"""

from __future__ import annotations

import uuid

from django.urls import reverse

from satupintu.documents.actions import document_issue, document_revoke
from satupintu.documents.models import DocumentStatus, OutcomeDocument
from satupintu.documents.tasks import issue_document, principal_to_json

__all__ = [
    "DocumentStatus",
    "OutcomeDocument",
    "document_for_reference",
    "document_issue",
    "document_revoke",
    "download_url",
    "issue_document",
    "principal_to_json",
    "verification_url",
]


def download_url(document_id: uuid.UUID | str) -> str:
    """Site-relative URL of the signed PDF (``/dokumen/<id>/unduh/``; URL name ``documents:download``)."""
    return reverse("documents:download", args=[str(document_id)])


def verification_url(document_id: uuid.UUID | str) -> str:
    """Site-relative URL of the public status page (``/verifikasi/<id>/``; ``documents:status``)."""
    return reverse("documents:status", args=[str(document_id)])


def document_for_reference(*, agency_code: str, reference: str) -> OutcomeDocument | None:
    """The document issued for an application (agency code + tracking number), or ``None`` while the
    task has not run yet. For the application page; the caller has already checked that the viewer
    may see the application."""
    return (
        OutcomeDocument.objects.select_related("agency")
        .filter(agency__code=agency_code, reference=reference)
        .first()
    )
