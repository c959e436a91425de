"""Every write of the consolidation app. Keyword-only, atomic, audited in the same transaction,
access checked through :mod:`satupintu.consolidation.access`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from satupintu.audit.actions import record
from satupintu.catalog.models import Agency
from satupintu.consolidation import access
from satupintu.consolidation.index import compute_for_assessment
from satupintu.consolidation.models import (
    Application,
    Assessment,
    AssessmentStatus,
    Framework,
    IndicatorScore,
    Proposal,
    ProposalStatus,
    WasteAssumption,
)
from satupintu.core.errors import Conflict, FieldError, InvalidInput, PermissionDenied
from satupintu.core.principal import Principal

APP_FIELDS = ("code", "name", "description", "owner_unit", "function", "service_area", "users_kind", "users_count",
              "build_budget_idr", "run_budget_idr", "hosting", "status", "app_type", "uses_national_login",
              "uses_exchange", "holds_personal_data", "service_slugs")


def _full_clean(obj: Any) -> None:
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean()
    except ValidationError as exc:
        errors = [FieldError(field=name, rule="invalid", message=str(msg))
                  for name, msgs in exc.message_dict.items() for msg in msgs]
        raise InvalidInput(errors) from exc


@transaction.atomic
def application_save(*, application: Application, acting: Principal, request: HttpRequest | None = None
                     ) -> Application:
    """Create or update one inventory row. The acting principal must be allowed to edit the
    row's agency (:func:`access.can_edit_agency`), else :class:`PermissionDenied`.
    Raises :class:`InvalidInput` for invalid fields, :class:`Conflict` for a duplicate code."""
    if not access.can_edit_agency(acting, application.agency.code):
        raise PermissionDenied("You may only edit your own agency's applications.")
    created = application.pk is None
    if Application.objects.filter(agency=application.agency, code=application.code).exclude(
            pk=application.pk).exists():
        raise Conflict("An application with this code already exists in the agency.")
    _full_clean(application)
    application.save()
    record(actor=acting, action="spbe_application.created" if created else "spbe_application.updated",
           target=application, details={"agency": application.agency.code, "code": application.code,
                                        "name": application.name}, request=request)
    return application


@transaction.atomic
def application_delete(*, application: Application, acting: Principal, request: HttpRequest | None = None) -> None:
    """Remove a row from the inventory (only by its agency's admin); audited."""
    if not access.can_edit_agency(acting, application.agency.code):
        raise PermissionDenied("You may only edit your own agency's applications.")
    details = {"agency": application.agency.code, "code": application.code, "name": application.name}
    target = ("consolidation.application", str(application.pk))
    application.delete()
    record(actor=acting, action="spbe_application.deleted", target=target, details=details, request=request)


def waste_assumption() -> WasteAssumption:
    """The current assumption (created with its documented defaults on first use)."""
    obj, _ = WasteAssumption.objects.get_or_create(id=1)
    return obj


@transaction.atomic
def waste_assumption_update(*, shared_cost_factor_pct: int, onboarding_cost_idr: int, acting: Principal,
                            request: HttpRequest | None = None) -> WasteAssumption:
    """Change the budget-waste assumption (SPBE coordinator only); audited with old and new values."""
    access.require_coordinator(acting)
    obj = waste_assumption()
    before = {"shared_cost_factor_pct": obj.shared_cost_factor_pct, "onboarding_cost_idr": obj.onboarding_cost_idr}
    obj.shared_cost_factor_pct = shared_cost_factor_pct
    obj.onboarding_cost_idr = onboarding_cost_idr
    _full_clean(obj)
    obj.save()
    record(actor=acting, action="spbe_waste_assumption.updated", target=obj,
           details={"before": before, "after": {"shared_cost_factor_pct": shared_cost_factor_pct,
                                                "onboarding_cost_idr": onboarding_cost_idr}}, request=request)
    return obj


@transaction.atomic
def proposal_submit(*, proposal: Proposal, acting: Principal, request: HttpRequest | None = None) -> Proposal:
    """Submit a new-application proposal for the moratorium check (agency admin of its agency)."""
    if not access.can_edit_agency(acting, proposal.agency.code):
        raise PermissionDenied("You may only propose applications for your own agency.")
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_by = acting.display or str(acting)
    _full_clean(proposal)
    proposal.save()
    record(actor=acting, action="spbe_proposal.submitted", target=proposal,
           details={"agency": proposal.agency.code, "name": proposal.name}, request=request)
    return proposal


@transaction.atomic
def proposal_decide(*, proposal: Proposal, approve: bool, note: str, acting: Principal,
                    request: HttpRequest | None = None) -> Proposal:
    """Approve or reject a submitted proposal (SPBE coordinator). A rejection needs a note
    (the reason, e.g. the existing app to use). :class:`Conflict` if already decided."""
    access.require_coordinator(acting)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.SUBMITTED:
        raise Conflict("This proposal has already been decided.")
    if not approve and not note.strip():
        raise InvalidInput([FieldError("decision_note", "required", _("A rejection needs a reason."))])
    locked.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
    locked.decision_note = note.strip()
    locked.decided_by = acting.display or str(acting)
    locked.save()
    record(actor=acting, action="spbe_proposal.decided", target=locked,
           details={"status": locked.status, "note": locked.decision_note}, request=request)
    return locked


# --- SPBE index ----------------------------------------------------------------------------

def _refresh_index(assessment: Assessment) -> None:
    result = compute_for_assessment(assessment)
    assessment.index_value = result.overall
    assessment.predicate = result.predicate
    assessment.save(update_fields=["index_value", "predicate", "updated_at"])


@transaction.atomic
def assessment_open(*, agency: Agency, framework: Framework, year: int, acting: Principal,
                    request: HttpRequest | None = None) -> Assessment:
    """Get or create the self-assessment of ``agency`` for ``year`` under ``framework`` with an
    empty score row per indicator (agency admin of that agency)."""
    if not access.can_edit_agency(acting, agency.code):
        raise PermissionDenied("You may only assess your own agency.")
    assessment, created = Assessment.objects.get_or_create(agency=agency, framework=framework, year=year)
    if created:
        _full_clean(assessment)
        IndicatorScore.objects.bulk_create([IndicatorScore(assessment=assessment, indicator=i)
                                            for i in framework.indicators.all()])
        record(actor=acting, action="spbe_assessment.saved", target=assessment,
               details={"agency": agency.code, "year": year, "framework": framework.code, "opened": True},
               request=request)
    return assessment


@transaction.atomic
def assessment_save(*, assessment: Assessment, entries: dict[int, dict[str, Any]], submit: bool,
                    acting: Principal, request: HttpRequest | None = None) -> Assessment:
    """Save self-assessed levels: ``entries`` maps indicator number → ``{"level": 1–5 | None,
    "explanation": str, "evidence": UploadedFile | None}``. With ``submit`` every indicator
    must have a level and the assessment goes to review. Only while not yet reviewed, by the
    agency's admin. Recomputes the index. Raises :class:`InvalidInput`/:class:`Conflict`."""
    if not access.can_edit_agency(acting, assessment.agency.code):
        raise PermissionDenied("You may only assess your own agency.")
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status == AssessmentStatus.REVIEWED:
        raise Conflict("This assessment has been reviewed and is final.")
    scores = {s.indicator.number: s for s in locked.scores.select_related("indicator")}
    errors: list[FieldError] = []
    for number, entry in entries.items():
        score = scores.get(number)
        if score is None:
            errors.append(FieldError(f"indicator-{number}", "unknown", _("Unknown indicator.")))
            continue
        level = entry.get("level")
        if level is not None and not 1 <= int(level) <= 5:
            errors.append(FieldError(f"indicator-{number}", "range", _("The level must be 1–5.")))
            continue
        if "\x00" in str(entry.get("explanation", "")):  # PostgreSQL cannot store NUL
            errors.append(FieldError(f"indicator-{number}", "null_character",
                                     _("The explanation contains a NUL character; remove it.")))
            continue
        score.self_level = level
        score.explanation = str(entry.get("explanation", score.explanation))[:4000]
        if entry.get("evidence") is not None:
            score.evidence = entry["evidence"]
        score.save()
    if submit:
        missing = [n for n, s in sorted(scores.items()) if s.self_level is None]
        errors += [FieldError(f"indicator-{n}", "required", _("Every indicator needs a level before submitting."))
                   for n in missing]
    if errors:
        raise InvalidInput(errors)
    if submit:
        locked.status = AssessmentStatus.SUBMITTED
        locked.save(update_fields=["status", "updated_at"])
    _refresh_index(locked)
    record(actor=acting, action="spbe_assessment.submitted" if submit else "spbe_assessment.saved",
           target=locked, details={"agency": locked.agency.code, "year": locked.year,
                                   "index": str(locked.index_value or ""), "indicators": len(entries)},
           request=request)
    return locked


@transaction.atomic
def assessment_review(*, assessment: Assessment, final_levels: dict[int, int], notes: dict[int, str],
                      acting: Principal, request: HttpRequest | None = None) -> Assessment:
    """The assessor (SPBE coordinator) sets the final level of every indicator of a submitted
    assessment; the index and predicate are recomputed from the final levels and the
    assessment becomes final. Raises :class:`InvalidInput` when a level is missing or out of range."""
    access.require_coordinator(acting)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != AssessmentStatus.SUBMITTED:
        raise Conflict("Only a submitted assessment can be reviewed.")
    scores = {s.indicator.number: s for s in locked.scores.select_related("indicator")}
    errors = [FieldError(f"indicator-{n}", "required", _("Set a final level 1–5."))
              for n in sorted(scores) if not 1 <= int(final_levels.get(n) or 0) <= 5]
    errors += [FieldError(f"indicator-{n}", "null_character", _("The note contains a NUL character; remove it."))
               for n in sorted(scores) if "\x00" in str(notes.get(n, ""))]
    if errors:
        raise InvalidInput(errors)
    for number, score in scores.items():
        score.final_level = int(final_levels[number])
        score.reviewer_note = notes.get(number, "")[:4000]
    IndicatorScore.objects.bulk_update(list(scores.values()), ["final_level", "reviewer_note"])
    locked.status = AssessmentStatus.REVIEWED
    locked.save(update_fields=["status", "updated_at"])
    _refresh_index(locked)
    record(actor=acting, action="spbe_assessment.reviewed", target=locked,
           details={"agency": locked.agency.code, "year": locked.year, "index": str(locked.index_value),
                    "predicate": locked.predicate}, request=request)
    return locked
