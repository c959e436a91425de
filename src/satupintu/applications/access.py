"""The one access chokepoint of the applications app.

Rules:

* a citizen (``kind == "citizen"``) sees only the applications they made (``applicant_id``);
* an officer with an agency and a processing role (``operator``, ``verifier``, ``approver``,
  ``agency_admin``) sees the submitted (non-draft) applications of *their* agency only;
  drafts are private to the applicant;
* a system (``kind == "system"``: an agency information system calling the Registration API
  with a client-credentials token or through the Information Mediator, ADR 0090) that is
  registered to an agency *reads* the submitted applications of that agency; it holds no
  role, so every write action refuses it (it cannot apply, claim or take a transition);
* the platform principal (management commands) sees everything;
* anyone else sees nothing.

Objects are fetched only through ``access_<thing>_by_id``; "missing" and "not yours" raise the
same :class:`~satupintu.core.errors.NotFound` (no way to probe another agency's numbers).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from satupintu.applications.models import (
    Application,
    ApplicationStatus,
    OnlineServiceDefinition,
    StagedDocument,
    Upload,
)
from satupintu.catalog.models import Agency
from satupintu.core.errors import NotFound, PermissionDenied
from satupintu.core.principal import Principal

OFFICER_ROLES = frozenset({"operator", "verifier", "approver", "agency_admin"})
SUBMITTED_STATUSES = (ApplicationStatus.IN_PROCESS, ApplicationStatus.FINISHED, ApplicationStatus.CANCELLED)


def is_officer_of_agency(principal: Principal) -> bool:
    return principal.kind == "officer" and bool(principal.agency) and bool(principal.roles & OFFICER_ROLES)


def is_agency_system(principal: Principal) -> bool:
    """An agency's registered information system (read-only, ADR 0090)."""
    return principal.kind == "system" and bool(principal.agency)


def is_applicant(principal: Principal, application: Application) -> bool:
    return principal.kind == application.applicant_kind and principal.id == application.applicant_id


def can_apply(principal: Principal) -> bool:
    """Only citizens apply (officers act on applications; systems use the API on a citizen's
    behalf once the identity issue adds delegated tokens)."""
    return principal.kind == "citizen"


def applications_for(principal: Principal) -> QuerySet[Application]:
    """Every application ``principal`` may see (see the module rules)."""
    qs = Application.objects.select_related("definition", "version", "agency")
    if principal.kind == "platform":
        return qs
    if principal.kind == "citizen":
        return qs.filter(applicant_kind="citizen", applicant_id=principal.id)
    if is_officer_of_agency(principal) or is_agency_system(principal):
        # Resolve the agency first and list the visible statuses, so the (agency, status, due_at)
        # index serves the queue without a join (bench/applications.py).
        agency_id = Agency.objects.filter(code=principal.agency).values_list("pk", flat=True).first()
        if agency_id is None:
            return qs.none()
        return qs.filter(agency_id=agency_id, status__in=SUBMITTED_STATUSES)
    return qs.none()


def _pk(value: int | str) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if pk <= 0:
        raise NotFound()
    return pk


def access_application_by_id(principal: Principal, application_id: int | str, *,
                             for_update: bool = False) -> Application:
    """The application if ``principal`` may see it; :class:`NotFound` otherwise.

    ``for_update``: lock the row (``SELECT … FOR UPDATE`` on PostgreSQL) for the rest of the
    caller's transaction, so two officers acting at once are serialised.
    """
    qs = applications_for(principal)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    application = qs.filter(pk=_pk(application_id)).first()
    if application is None:
        raise NotFound()
    return application


def access_application_by_tracking_number(principal: Principal, number: str) -> Application:
    application = applications_for(principal).filter(tracking_number=str(number)[:20]).first()
    if application is None:
        raise NotFound()
    return application


def access_upload_by_id(principal: Principal, application_id: int | str, upload_id: int | str) -> Upload:
    """An uploaded file of an application the principal may see; :class:`NotFound` otherwise."""
    application = access_application_by_id(principal, application_id)
    upload = application.uploads.filter(pk=_pk(upload_id)).first()
    if upload is None:
        raise NotFound()
    return upload


def access_staged_document_by_uid(principal: Principal, uid: str, *, field_path: str | None = None,
                                  application_id: int | None = None) -> StagedDocument:
    """A staged document (ADR 0091, 0115) that ``principal`` uploaded and may still use;
    :class:`NotFound` otherwise (unknown, not theirs, older than
    ``SATUPINTU_REGISTRATION_DOCUMENT_HOURS``, or a malformed ``uid``).

    ``field_path`` ``None`` (Registration API): any of the uploader's documents. A web form
    (``field_path`` given, e.g. ``anggota.1.akta``) uses only a document kept for that very input
    of that very form: ``application_id`` the draft being edited, ``None`` a new-application form.
    So a file is never attached to another citizen's draft, nor to another draft of the same one.
    """
    if principal.kind in ("anonymous", "platform", ""):
        raise NotFound()
    try:
        value = uuid.UUID(str(uid))
    except ValueError:
        raise NotFound() from None
    fresh = timezone.now() - dt.timedelta(hours=settings.SATUPINTU_REGISTRATION_DOCUMENT_HOURS)
    qs = StagedDocument.objects.filter(uid=value, owner_kind=principal.kind, owner_id=principal.id,
                                       created_at__gte=fresh)
    if field_path is not None:
        qs = qs.filter(field_path=field_path)
        qs = qs.filter(application__isnull=True) if application_id is None else qs.filter(application_id=application_id)
    document = qs.first()
    if document is None:
        raise NotFound()
    return document


def staged_documents_of_form(principal: Principal, data: Any, *, application_id: int | None
                             ) -> dict[str, StagedDocument]:
    """The kept uploads a posted web form refers to (``_staged-<input>`` values), each through
    :func:`access_staged_document_by_uid` for that input and form: ``{input name: document}``.
    References that do not pass (another citizen's, another draft's, expired, garbled) are left out."""
    from satupintu.applications.forms_engine import input_path, staged_inputs

    out: dict[str, StagedDocument] = {}
    for key, uid in staged_inputs(data).items():
        try:
            out[key] = access_staged_document_by_uid(principal, uid, field_path=input_path(key),
                                                     application_id=application_id)
        except NotFound:
            continue
    return out


def can_edit_definitions(principal: Principal, agency_code: str) -> bool:
    """Agency admins edit their agency's online services; the platform edits all."""
    if principal.kind == "platform" or principal.has_role("platform_admin"):
        return True
    return principal.kind == "officer" and principal.has_role("agency_admin") and principal.agency == agency_code


def access_definition_by_slug(principal: Principal, slug: str, *, for_edit: bool = False) -> OnlineServiceDefinition:
    """A definition by slug. Anyone may read an active one (it is public: the form of a public
    service); ``for_edit`` needs :func:`can_edit_definitions` (else :class:`NotFound`)."""
    definition = OnlineServiceDefinition.objects.select_related("agency").filter(slug=str(slug)[:80]).first()
    if definition is None:
        raise NotFound()
    if for_edit and not can_edit_definitions(principal, definition.agency.code):
        raise NotFound()
    if not for_edit and not definition.is_active and not can_edit_definitions(principal, definition.agency.code):
        raise NotFound()
    return definition


def require_can_apply(principal: Principal) -> None:
    if not can_apply(principal):
        raise PermissionDenied(_("Only a signed-in citizen can apply."))
