"""The signed outcome document of an approved application (issue 8), and the applicant's contact.

Applicants are identity users: ``Application.applicant_id`` is the user's primary key as text
(ADR 0071; see :mod:`identity_link`). On approval :func:`schedule_outcome_document` queues the documents
app's ``issue_document`` task after commit; the task is idempotent per (agency, tracking
number), so a retry or a second approval path never makes a second document.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from satupintu.applications.identity_link import user_for, verified_email
from satupintu.applications.models import Application
from satupintu.core.principal import Principal
from satupintu.documents import interface as documents

DECISION_MAX = 1500


def decision_text(application: Application, reason: str) -> str:
    """The decision printed on the document (Indonesian, the document's language), ≤ 1500 chars."""
    with translation.override("id"):
        text = _("The application for %(service)s number %(number)s is approved.") % {
            "service": application.definition.name_id, "number": application.tracking_number}
        if reason:
            text += " " + _("Officer's note: %(reason)s") % {"reason": reason}
    return text[:DECISION_MAX]


def schedule_outcome_document(application: Application, acting: Principal, *, reason: str = "") -> bool:
    """Queue the signed outcome document once the current transaction commits.

    Holder name and NIK come from the applicant's identity user; the service name from the
    definition; the reference is the tracking number; the agency is the definition's. The
    document has no end date (no bundled definition declares one). Returns False (nothing
    queued) when the applicant is not an identity user.
    """
    user = user_for(application.applicant_kind, application.applicant_id)
    if user is None:
        return False
    kwargs = {
        "agency_code": application.agency.code, "holder_name": user.full_name, "holder_nik": user.nik() or None,
        "service_name": application.definition.name_id, "decision": decision_text(application, reason),
        "valid_until": None, "reference": application.tracking_number,
        "acting": documents.principal_to_json(acting), "holder_principal_id": application.applicant_id,
        "notify_email": verified_email(user),
    }
    transaction.on_commit(lambda: documents.issue_document.enqueue(**kwargs))
    return True


def outcome_document(application: Application) -> Any | None:
    """The issued document of ``application`` (approved and the task has run), else ``None``."""
    if application.outcome != "approved" or not application.tracking_number:
        return None
    return documents.document_for_reference(agency_code=application.agency.code,
                                            reference=application.tracking_number)
