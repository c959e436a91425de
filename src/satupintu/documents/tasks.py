"""Background tasks (django-tasks): issue a document after approval; tell the holder it is ready.

The applications app enqueues :data:`issue_document` from its approval action with
``transaction.on_commit(lambda: issue_document.enqueue(...))``. Arguments are JSON values only.
Retrying the task is safe: :func:`actions.document_issue` is idempotent per (agency, reference).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from satupintu.catalog.models import Agency
from satupintu.core.principal import Principal


def principal_to_json(principal: Principal) -> dict[str, Any]:
    """A principal as task arguments (inverse of :func:`principal_from_json`)."""
    return {"kind": principal.kind, "id": principal.id, "display": principal.display,
            "agency": principal.agency, "roles": sorted(principal.roles)}


def principal_from_json(data: dict[str, Any]) -> Principal:
    return Principal(kind=data["kind"], id=str(data["id"]), display=str(data.get("display", "")),
                     agency=data.get("agency"), roles=frozenset(data.get("roles", [])))


@task()
def issue_document(
    *,
    agency_code: str,
    holder_name: str,
    holder_nik: str | None,
    service_name: str,
    decision: str,
    valid_until: str | None,
    reference: str,
    acting: dict[str, Any],
    template: str = "default",
    holder_principal_id: str = "",
    notify_email: str = "",
) -> str:
    """Issue the outcome document (see :func:`satupintu.documents.actions.document_issue`).

    ``valid_until``: ISO date ``YYYY-MM-DD`` or ``None``; ``acting``: :func:`principal_to_json`.
    Returns the document id (UUID text). Raises what ``document_issue`` raises; the task
    backend records the failure and a retry changes nothing already done.
    """
    from satupintu.documents.actions import document_issue

    document = document_issue(
        agency=Agency.objects.get(code=agency_code),
        holder_name=holder_name,
        holder_nik=holder_nik,
        service_name=service_name,
        decision=decision,
        valid_until=dt.date.fromisoformat(valid_until) if valid_until else None,
        reference=reference,
        acting=principal_from_json(acting),
        template=template,
        holder_principal_id=holder_principal_id,
        notify_email=notify_email,
    )
    return str(document.pk)


@task()
def notify_document_ready(document_id: str, email: str) -> int:
    """E-mail the holder (in Indonesian, with English below) that the document can be downloaded.

    Returns the number of messages sent (0 or 1). The mail holds no personal data beyond the
    document number; the link leads to the download page, which needs the holder's login.
    """
    from satupintu.documents.models import OutcomeDocument

    document = OutcomeDocument.objects.filter(pk=document_id).first()
    if document is None or not email:
        return 0
    link = settings.SATUPINTU_PUBLIC_URL + reverse("documents:download", args=[str(document.pk)])
    with translation.override("id"):
        subject = _("Your document %(number)s is ready") % {"number": document.number}
        body_id = _("Your document for %(service)s is ready. Download it here: %(link)s") % {
            "service": document.service_name, "link": link}
    with translation.override("en"):
        body_en = _("Your document for %(service)s is ready. Download it here: %(link)s") % {
            "service": document.service_name, "link": link}
    return send_mail(subject, f"{body_id}\n\n{body_en}\n", None, [email])
