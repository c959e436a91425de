"""SPBE index pages: national and per-agency tables, history chart, self-assessment and review."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Avg, Count, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from satupintu.consolidation import access, actions, charts
from satupintu.consolidation.forms import OpenAssessmentForm, validate_evidence
from satupintu.consolidation.index import compute_for_assessment
from satupintu.consolidation.models import Aspect, Assessment, AssessmentStatus, Domain, Framework
from satupintu.consolidation.web import base_context, spbe_page
from satupintu.core.errors import Conflict, InvalidInput, NotFound
from satupintu.core.principal import Principal


@require_GET
@spbe_page
def index_table(request: HttpRequest, principal: Principal) -> HttpResponse:
    """The index table: every visible assessment, newest year first (national for the coordinator)."""
    year = request.GET.get("tahun", "")
    qs = access.assessments_for(principal).order_by("-year", "-index_value", "agency__name_id")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    years = sorted(set(access.assessments_for(principal).values_list("year", flat=True)), reverse=True)
    summary = _summary(access.assessments_for(principal))
    return render(request, "consolidation/index_table.html", base_context(principal) | summary | {
        "assessments": qs[:1000], "years": years, "year": year, "open_form": OpenAssessmentForm(
            agencies=access.editable_agencies_for(principal)) if access.editable_agencies_for(principal).exists()
        else None})


def _summary(assessments: QuerySet[Assessment]) -> dict[str, Any]:
    """Per framework: the average index per year (reviewed assessments only) as a chart and a
    table, and how many agencies got each predicate in the latest year."""
    out = []
    reviewed = assessments.filter(status=AssessmentStatus.REVIEWED, index_value__isnull=False)
    for fw in Framework.objects.filter(pk__in=reviewed.values("framework")).order_by("code"):
        per_year = list(reviewed.filter(framework=fw).values("year").annotate(avg=Avg("index_value"), n=Count("id"))
                        .order_by("year"))
        for row in per_year:
            row["avg"] = Decimal(str(row["avg"])).quantize(Decimal("0.01"))
        latest = per_year[-1]["year"]
        bands = list(fw.bands.order_by("-min_index").values_list("name", flat=True))
        counts = dict(reviewed.filter(framework=fw, year=latest).values_list("predicate").annotate(n=Count("id")))
        distribution = [(name, counts.get(name, 0)) for name in bands]
        out.append({
            "framework": fw, "per_year": per_year, "latest": latest, "distribution": distribution,
            "trend_chart": charts.line_chart(
                [(str(r["year"]), r["avg"]) for r in per_year],
                title=_("Average SPBE index by year"),
                desc=_("Average of the final indexes per year under %(framework)s; the table lists the same values.")
                % {"framework": fw.name}),
            "distribution_chart": charts.bar_chart(
                distribution, title=_("Agencies by predicate in %(year)s") % {"year": latest},
                desc=_("Number of agencies per predicate; the table lists the same values.")),
        })
    return {"summaries": out}


@require_http_methods(["POST"])
@spbe_page
def index_open(request: HttpRequest, principal: Principal) -> HttpResponse:
    form = OpenAssessmentForm(request.POST, agencies=access.editable_agencies_for(principal))
    if not form.is_valid():
        # The page is shown again after a redirect, so the message itself names each field and its rule.
        problems = "; ".join(f"{form.fields[name].label}: {' '.join(str(e) for e in errs)}"
                             for name, errs in form.errors.items())
        messages.error(request, _("Choose an agency, a framework and a year between 2018 and 2100.")
                       + " " + problems)
        return redirect("consolidation:index")
    assessment = actions.assessment_open(acting=principal, request=request, **form.cleaned_data)
    return redirect("consolidation:assessment", assessment_id=assessment.pk)


@require_GET
@spbe_page
def agency_history(request: HttpRequest, principal: Principal, code: str) -> HttpResponse:
    """One agency's index across years, as a line chart and a table, per framework."""
    agency = access.agencies_for(principal).filter(code=code).first()
    if agency is None:
        raise NotFound()
    assessments = list(access.assessments_for(principal).filter(agency=agency).order_by("framework__code", "year"))
    frameworks: dict[str, dict[str, Any]] = {}
    for a in assessments:
        entry = frameworks.setdefault(a.framework.code, {"framework": a.framework, "rows": []})
        entry["rows"].append(a)
    for entry in frameworks.values():
        entry["chart"] = charts.line_chart(
            [(str(a.year), a.index_value) for a in entry["rows"]],
            title=_("SPBE index of %(agency)s by year") % {"agency": agency.name_id},
            desc=_("Index 1–5 per year under %(framework)s; the table below lists the same values.")
            % {"framework": entry["framework"].name})
    return render(request, "consolidation/agency_history.html", base_context(principal) | {
        "agency": agency, "frameworks": list(frameworks.values())})


def _structure(assessment: Assessment) -> dict[str, Any]:
    result = compute_for_assessment(assessment)
    scores = list(assessment.scores.select_related("indicator", "indicator__aspect"))
    aspects = list(Aspect.objects.filter(framework=assessment.framework).select_related("domain"))
    domains = list(Domain.objects.filter(framework=assessment.framework))
    return {
        "result": result, "scores": scores,
        "aspects": [(a, result.by_aspect.get(a.number)) for a in aspects],
        "domains": [(d, result.by_domain.get(d.number)) for d in domains],
        "levels": range(assessment.framework.min_level, assessment.framework.max_level + 1),
    }


def _level(raw: str | None) -> int | None:
    # ASCII digits only: str.isdigit() also accepts "²" or "١", which int() refuses (was a 500).
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) <= 3 else None


@require_http_methods(["GET", "POST"])
@spbe_page
def assessment(request: HttpRequest, principal: Principal, assessment_id: int) -> HttpResponse:
    """The self-assessment (agency admin: levels, explanation, evidence; save or submit) or the
    review (SPBE coordinator: final levels) of one assessment, with the computed index."""
    item = access.access_assessment_by_id(principal, assessment_id)
    can_fill = access.can_edit_agency(principal, item.agency.code) and item.status != AssessmentStatus.REVIEWED
    can_review = access.is_coordinator(principal) and item.status == AssessmentStatus.SUBMITTED
    errors: list[Any] = []
    if request.method == "POST":
        numbers = list(item.scores.values_list("indicator__number", flat=True))
        try:
            if request.POST.get("mode") == "review" and can_review:
                actions.assessment_review(
                    assessment=item, acting=principal, request=request,
                    final_levels={n: _level(request.POST.get(f"final-{n}")) or 0 for n in numbers},
                    notes={n: request.POST.get(f"note-{n}", "") for n in numbers})
                messages.success(request, _("The review was saved; the index is final."))
                return redirect("consolidation:assessment", assessment_id=item.pk)
            if request.POST.get("mode") == "self" and can_fill:
                entries: dict[int, dict[str, Any]] = {}
                for n in numbers:
                    upload = request.FILES.get(f"evidence-{n}")
                    if upload is not None and (problem := validate_evidence(upload)):
                        raise InvalidInput([_field_error(n, problem)])
                    entries[n] = {"level": _level(request.POST.get(f"level-{n}")),
                                  "explanation": request.POST.get(f"explanation-{n}", ""), "evidence": upload}
                submit = "submit" in request.POST
                actions.assessment_save(assessment=item, entries=entries, submit=submit, acting=principal,
                                        request=request)
                messages.success(request, _("Submitted for review.") if submit else _("Saved."))
                return redirect("consolidation:assessment", assessment_id=item.pk)
            return render(request, "core/error.html", {"status": 403}, status=403)
        except InvalidInput as exc:
            errors = exc.errors
        except Conflict:
            messages.error(request, _("This assessment can no longer be changed."))
            return redirect("consolidation:assessment", assessment_id=item.pk)
    item.refresh_from_db()
    return render(request, "consolidation/assessment.html", base_context(principal) | _structure(item) | {
        "assessment": item, "can_fill": can_fill, "can_review": can_review, "errors": errors,
        "posted": request.POST if errors else None}, status=422 if errors else 200)


def _field_error(number: int, message: str) -> Any:
    from satupintu.core.errors import FieldError

    return FieldError(f"indicator-{number}", "evidence", message)


@require_GET
@spbe_page
def evidence(request: HttpRequest, principal: Principal, assessment_id: int, number: int) -> HttpResponseBase:
    """Download one evidence file, through the assessment's chokepoint."""
    item = access.access_assessment_by_id(principal, assessment_id)
    score = item.scores.filter(indicator__number=number).first()
    if score is None or not score.evidence:
        raise NotFound()
    try:
        handle = score.evidence.open("rb")
    except OSError:  # the stored file is gone (e.g. storage restored from an older backup)
        raise NotFound() from None
    return FileResponse(handle, as_attachment=True,
                        filename=f"bukti-{item.agency.code}-{item.year}-{number}{_suffix(score.evidence.name)}")


def _suffix(name: str) -> str:
    from pathlib import PurePath

    return PurePath(name).suffix



