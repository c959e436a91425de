"""The security chokepoint for outcome documents: :func:`access_document_by_id`.

No view, API or task may load an :class:`OutcomeDocument` for a principal any other way.
"""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from satupintu.core.errors import NotFound, PermissionDenied
from satupintu.core.principal import Principal
from satupintu.documents.models import OutcomeDocument

REVOKER_ROLES = frozenset({"approver", "agency_admin"})


def parse_document_id(value: object) -> uuid.UUID | None:
    """The UUID in ``value`` (a UUID or its text form), or ``None`` when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError):
        return None


def access_document_by_id(principal: Principal, document_id: object) -> OutcomeDocument:
    """The document, if ``principal`` may read it; else :class:`NotFound` (same for missing and not yours).

    Who may read (issue 8): the holder (a citizen whose principal id is the document's
    ``holder_principal_id``) and officers of the issuing agency (``principal.agency`` equals the
    agency code). Everyone else, including anonymous visitors, gets 404.
    """
    parsed = parse_document_id(document_id)
    document = (
        OutcomeDocument.objects.select_related("agency").filter(pk=parsed).first() if parsed is not None else None
    )
    if document is None:
        raise NotFound(_("No such document."))
    if principal.kind == "citizen" and document.holder_principal_id and principal.id == document.holder_principal_id:
        return document
    if principal.kind == "officer" and principal.agency and principal.agency == document.agency.code:
        return document
    raise NotFound(_("No such document."))


def may_revoke_for(principal: Principal, agency_code: str) -> bool:
    """Whether ``principal`` may revoke documents of the agency ``agency_code`` (see below)."""
    return principal.kind == "officer" and principal.agency == agency_code and bool(principal.roles & REVOKER_ROLES)


def check_can_revoke(principal: Principal, document: OutcomeDocument) -> None:
    """Raise :class:`PermissionDenied` unless ``principal`` is an officer of the issuing agency
    with the ``approver`` or ``agency_admin`` role (the officers who may decide on outcomes)."""
    if not may_revoke_for(principal, document.agency.code):
        raise PermissionDenied(_("Only an approver or administrator of the issuing agency may revoke this document."))
