"""The one access chokepoint of the consolidation app.

Rules (Perpres 95/2018 art. 59–60: the SPBE coordinator evaluates all agencies; each agency
manages its own SPBE):

* ``spbe_coordinator`` — sees every agency's inventory, proposals and assessments; reviews
  proposals and assessments (acts as the assessor); edits the waste assumption. Does not edit
  agencies' inventory rows or self-assessments.
* ``agency_admin`` with an agency — sees and edits only that agency's rows.
* the platform principal (management commands, imports run by operators) — everything.
* anyone else — nothing (:class:`PermissionDenied` for pages, :class:`NotFound` for objects).

Objects are fetched only through ``access_<thing>_by_id``; "missing" and "not yours" give the
same :class:`NotFound`.
"""

from __future__ import annotations

from django.db.models import QuerySet

from satupintu.catalog.models import Agency
from satupintu.consolidation.models import Application, Assessment, Proposal
from satupintu.core.errors import NotFound, PermissionDenied
from satupintu.core.principal import Principal

COORDINATOR = "spbe_coordinator"
AGENCY_ADMIN = "agency_admin"


def is_coordinator(principal: Principal) -> bool:
    return principal.kind == "platform" or principal.has_role(COORDINATOR)


def is_agency_admin(principal: Principal) -> bool:
    return principal.has_role(AGENCY_ADMIN) and bool(principal.agency)


def require_any_access(principal: Principal) -> None:
    """Raise :class:`PermissionDenied` unless the principal may use the SPBE pages at all."""
    if not (is_coordinator(principal) or is_agency_admin(principal)):
        raise PermissionDenied("SPBE pages need the spbe_coordinator or agency_admin role.")


def require_coordinator(principal: Principal) -> None:
    if not is_coordinator(principal):
        raise PermissionDenied("Only the SPBE coordinator may do this.")


def visible_agency_codes(principal: Principal) -> set[str] | None:
    """``None`` = all agencies; otherwise the set of agency codes the principal may see."""
    require_any_access(principal)
    if is_coordinator(principal):
        return None
    return {str(principal.agency)}


def can_edit_agency(principal: Principal, agency_code: str) -> bool:
    """May ``principal`` write inventory rows / self-assessments of ``agency_code``?"""
    if principal.kind == "platform":
        return True
    return is_agency_admin(principal) and principal.agency == agency_code


def agencies_for(principal: Principal) -> QuerySet[Agency]:
    codes = visible_agency_codes(principal)
    qs = Agency.objects.all()
    return qs if codes is None else qs.filter(code__in=codes)


def editable_agencies_for(principal: Principal) -> QuerySet[Agency]:
    if principal.kind == "platform":
        return Agency.objects.all()
    if is_agency_admin(principal):
        return Agency.objects.filter(code=principal.agency)
    return Agency.objects.none()


def applications_for(principal: Principal) -> QuerySet[Application]:
    """Every inventory row the principal may see (scoped by agency)."""
    codes = visible_agency_codes(principal)
    qs = Application.objects.select_related("agency", "function")
    return qs if codes is None else qs.filter(agency__code__in=codes)


def access_application_by_id(principal: Principal, app_id: int | str, *, for_edit: bool = False) -> Application:
    """The application ``app_id`` if the principal may see it (or edit it, with ``for_edit``);
    :class:`NotFound` otherwise (same answer for missing and not allowed)."""
    try:
        pk = int(app_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    app = applications_for(principal).filter(pk=pk).first()
    if app is None or (for_edit and not can_edit_agency(principal, app.agency.code)):
        raise NotFound()
    return app


def proposals_for(principal: Principal) -> QuerySet[Proposal]:
    codes = visible_agency_codes(principal)
    qs = Proposal.objects.select_related("agency", "function")
    return qs if codes is None else qs.filter(agency__code__in=codes)


def access_proposal_by_id(principal: Principal, proposal_id: int | str) -> Proposal:
    try:
        pk = int(proposal_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    proposal = proposals_for(principal).filter(pk=pk).first()
    if proposal is None:
        raise NotFound()
    return proposal


def assessments_for(principal: Principal) -> QuerySet[Assessment]:
    codes = visible_agency_codes(principal)
    qs = Assessment.objects.select_related("agency", "framework")
    return qs if codes is None else qs.filter(agency__code__in=codes)


def access_assessment_by_id(principal: Principal, assessment_id: int | str, *, for_edit: bool = False) -> Assessment:
    """An assessment the principal may see; with ``for_edit`` one of its own agency (the
    self-assessment). Reviewing is checked by :func:`require_coordinator` in the action."""
    try:
        pk = int(assessment_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    assessment = assessments_for(principal).filter(pk=pk).first()
    if assessment is None or (for_edit and not can_edit_agency(principal, assessment.agency.code)):
        raise NotFound()
    return assessment
