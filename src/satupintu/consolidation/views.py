"""SPBE inventory and report pages (HTML, no JavaScript needed). Thin: access through
:mod:`access`, writes through :mod:`actions`, numbers from :mod:`analysis`."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from satupintu.consolidation import access, actions, analysis, charts, selectors
from satupintu.consolidation.forms import ApplicationForm, ImportForm, WasteAssumptionForm
from satupintu.consolidation.inventory_io import (
    InventoryImportError,
    export_rows,
    import_inventory,
    template_rows,
    to_csv,
    to_xlsx,
)
from satupintu.consolidation.models import AppStatus, BusinessFunction, Hosting
from satupintu.consolidation.web import base_context, csv_response, spbe_page
from satupintu.core.errors import Conflict, InvalidInput
from satupintu.core.principal import Principal

RECOMMENDATION_LABELS = {
    analysis.REPLACE_GENERAL: "Replace with the aplikasi umum",
    analysis.REPLACE_PLATFORM: "Replace with an online service on this platform",
    analysis.KEEP: "Keep",
}


def recommendation_text(group: analysis.OverlapGroup) -> tuple[str, str]:
    """The recommendation and its reason, in the active language."""
    if group.recommendation == analysis.REPLACE_GENERAL:
        return (_("Replace with the aplikasi umum %(app)s") % {"app": group.general_app},
                _("An aplikasi umum is designated for this business function (Perpres 95/2018 art. 38)."))
    if group.recommendation == analysis.REPLACE_PLATFORM:
        return (_("Replace with an online service on this platform"),
                _("Most of these apps serve the public or deliver catalogue services; one online service with "
                  "the national login replaces them."))
    if group.reason == "sector":
        return _("Keep"), _("Defence applications are not shared across agencies.")
    return _("Keep"), _("Internal, sector-specific apps without an aplikasi umum yet: integrate them through the "
                        "exchange and consider proposing an aplikasi umum.")


@require_GET
@spbe_page
def home(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Overview: inventory size and budget, links to every SPBE page."""
    apps = access.applications_for(principal)
    context = base_context(principal) | {
        "app_count": apps.count(), "synthetic": apps.filter(synthetic=True).exists(),
        "live_count": apps.filter(status=AppStatus.LIVE).count(),
    }
    return render(request, "consolidation/home.html", context)


@require_GET
@spbe_page
def app_list(request: HttpRequest, principal: Principal) -> HttpResponse:
    """The inventory the principal may see, filterable by text, agency, function and status; 50 a page."""
    qs = access.applications_for(principal)
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    function = request.GET.get("fungsi", "")[:16]
    status = request.GET.get("status", "")[:10]
    agency = request.GET.get("instansi", "")[:64]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(code__icontains=q))
    if function:
        qs = qs.filter(function_id=function)
    if status in AppStatus.values:
        qs = qs.filter(status=status)
    if agency:
        qs = qs.filter(agency__code=agency)
    page = Paginator(qs.order_by("agency__name_id", "name"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "consolidation/app_list.html", base_context(principal) | {
        "page": page, "q": q, "function": function, "status": status, "agency": agency,
        "functions": BusinessFunction.objects.all(), "statuses": AppStatus.choices, "query": query.urlencode(),
        "synthetic": qs.filter(synthetic=True).exists(),
    })


@require_GET
@spbe_page
def app_detail(request: HttpRequest, principal: Principal, app_id: int) -> HttpResponse:
    app = access.access_application_by_id(principal, app_id)
    return render(request, "consolidation/app_detail.html", base_context(principal) | {
        "app": app, "editable": access.can_edit_agency(principal, app.agency.code)})


@require_http_methods(["GET", "POST"])
@spbe_page
def app_edit(request: HttpRequest, principal: Principal, app_id: int | None = None) -> HttpResponse:
    """Create (no ``app_id``) or edit one row of the principal's own agency."""
    instance = access.access_application_by_id(principal, app_id, for_edit=True) if app_id else None
    agencies = access.editable_agencies_for(principal)
    if instance is None and not agencies.exists():
        return render(request, "core/error.html", {"status": 403}, status=403)
    form = ApplicationForm(request.POST or None, instance=instance, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        app = form.save()
        try:
            actions.application_save(application=app, acting=principal, request=request)
        except Conflict:
            form.add_error("code", _("An application with this code already exists in the agency."))
        except InvalidInput as exc:
            for err in exc.errors:
                form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, _("The application was saved."))
            return redirect("consolidation:app-detail", app_id=app.pk)
    return render(request, "consolidation/app_form.html", base_context(principal) | {"form": form,
                                                                                     "app": instance})


@require_http_methods(["GET", "POST"])
@spbe_page
def app_delete(request: HttpRequest, principal: Principal, app_id: int) -> HttpResponse:
    app = access.access_application_by_id(principal, app_id, for_edit=True)
    if request.method == "POST":
        actions.application_delete(application=app, acting=principal, request=request)
        messages.success(request, _("The application was removed from the inventory."))
        return redirect("consolidation:apps")
    return render(request, "consolidation/app_delete.html", base_context(principal) | {"app": app})


@require_http_methods(["GET", "POST"])
@spbe_page
def app_import(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Upload a CSV/XLSX; either every row is applied, or every error is listed and nothing is."""
    if not access.editable_agencies_for(principal).exists():
        return render(request, "core/error.html", {"status": 403}, status=403)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[Any] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_inventory(data=upload.read(), filename=upload.name, acting=principal, request=request)
        except InventoryImportError as exc:
            errors = exc.errors
    status = 422 if errors or form.errors else 200  # a bad file (type, size, empty) too, not only bad rows
    return render(request, "consolidation/app_import.html", base_context(principal) | {
        "form": form, "errors": errors[:500], "error_count": len(errors), "result": result}, status=status)


@require_GET
@spbe_page
def app_export(request: HttpRequest, principal: Principal, fmt: str) -> HttpResponse:
    """The visible inventory as CSV or XLSX in the import template's columns (audited)."""
    from django.db import transaction

    from satupintu.audit.actions import record

    apps = access.applications_for(principal).order_by("agency__code", "code")
    with transaction.atomic():
        record(actor=principal, action="spbe_inventory.exported", target=("consolidation.inventory", fmt),
               details={"rows": apps.count(), "format": fmt}, request=request)
    if fmt == "xlsx":
        response = HttpResponse(to_xlsx(export_rows(apps)), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="inventaris-aplikasi-spbe.xlsx"'
        return response
    response = HttpResponse(to_csv(export_rows(apps)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="inventaris-aplikasi-spbe.csv"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def app_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The empty import template (header + example row; XLSX adds the guide and function codes)."""
    if fmt == "xlsx":
        response = HttpResponse(to_xlsx(template_rows(), with_guide=True), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="templat-inventaris-spbe.xlsx"'
        return response
    response = HttpResponse(to_csv(template_rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="templat-inventaris-spbe.csv"'
    return response


# --- reports -----------------------------------------------------------------------------

def _report_data(principal: Principal) -> dict[str, Any]:
    lang = get_language() or "id"
    rows = selectors.inventory_rows(principal)
    groups = selectors.overlap_groups(principal, rows, lang=lang)
    national, per_agency = analysis.waste_totals(groups)
    names = dict(access.agencies_for(principal).values_list("code", "name_id"))
    hosting_labels = dict(Hosting.choices)
    functions = selectors.function_names(lang)
    for g in groups:
        g.recommendation_label, g.reason_label = recommendation_text(g)  # type: ignore[attr-defined]
    return {
        "rows": rows,
        "by_hosting": [(str(hosting_labels.get(k, k)), n, b) for k, n, b in analysis.aggregate(rows, "hosting")],
        "by_function": [(f"{k} {functions.get(k, '')}", n, b) for k, n, b in analysis.aggregate(rows, "function")],
        "groups": groups,
        "national_waste": national,
        "waste_by_agency": sorted(((names.get(c, c), c, v) for c, v in per_agency.items()), key=lambda t: -t[2]),
        "flagged": analysis.flagged(rows),
    }


@require_GET
@spbe_page
def reports(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Charts and tables: apps by hosting, by business function, top overlap groups, waste by agency."""
    data = _report_data(principal)
    top_groups = data["groups"][:15]
    context = base_context(principal) | data | {
        "top_groups": top_groups,
        "hosting_chart": charts.bar_chart([(label, n) for label, n, _b in data["by_hosting"]],
                                          title=_("Applications by hosting"),
                                          desc=_("Number of live and planned applications per hosting place.")),
        "function_chart": charts.bar_chart([(label, n) for label, n, _b in data["by_function"][:15]],
                                           title=_("Applications by business function (top 15)"),
                                           desc=_("Number of live and planned applications per business function.")),
        "waste_chart": charts.bar_chart([(name, v) for name, _c, v in data["waste_by_agency"][:15]], unit="rupiah",
                                        title=_("Estimated budget waste by agency (top 15)"),
                                        desc=_("Rupiah per year that consolidation could save, per agency.")),
        "overlap_chart": charts.bar_chart([(g.function_name, g.waste_idr) for g in top_groups[:10]], unit="rupiah",
                                          title=_("Top overlap groups by estimated waste"),
                                          desc=_("Rupiah per year per business function group.")),
        "assumption": selectors.current_assumption(),
        "synthetic": access.applications_for(principal).filter(synthetic=True).exists(),
        "flagged_count": len(data["flagged"]),
    }
    return render(request, "consolidation/reports.html", context)


@require_GET
@spbe_page
def group_detail(request: HttpRequest, principal: Principal, function: str) -> HttpResponse:
    """One overlap group: every app, each agency's budget and share of the estimated waste, and
    the recommendation with its reason."""
    lang = get_language() or "id"
    group = next((g for g in selectors.overlap_groups(principal, lang=lang) if g.function == function), None)
    if group is None:
        return render(request, "core/error.html", {"status": 404}, status=404)
    recommendation, reason = recommendation_text(group)
    names = dict(access.agencies_for(principal).filter(code__in=group.agencies).values_list("code", "name_id"))
    budgets: dict[str, int] = {}
    for a in group.apps:
        budgets[a.agency] = budgets.get(a.agency, 0) + a.budget_idr
    agencies = sorted(((names.get(c, c), budgets[c], group.waste_by_agency.get(c, 0)) for c in group.agencies),
                      key=lambda t: -t[1])
    page = Paginator(sorted(group.apps, key=lambda a: -a.budget_idr), 100).get_page(request.GET.get("page"))
    return render(request, "consolidation/group_detail.html", base_context(principal) | {
        "group": group, "recommendation": recommendation, "reason": reason, "agencies": agencies, "page": page})


@require_GET
@spbe_page
def report_csv(request: HttpRequest, principal: Principal, kind: str) -> HttpResponse:
    """CSV of one report: hosting, function, overlaps, waste, flagged or similar (rupiah per year)."""
    if kind == "similar":
        return csv_response("kemiripan-aplikasi.csv", [
            ["skor", "aplikasi_a", "instansi_a", "aplikasi_b", "instansi_b", "instansi_sama"],
            *[[p.score, p.a.name, p.a.agency, p.b.name, p.b.agency, "ya" if p.same_agency else "tidak"]
              for p in _similar(principal)],
        ])
    data = _report_data(principal)
    if kind == "hosting":
        rows: list[list[Any]] = [["hosting", "jumlah_aplikasi", "anggaran_rupiah_per_tahun"], *data["by_hosting"]]
    elif kind == "function":
        rows = [["fungsi_bisnis", "jumlah_aplikasi", "anggaran_rupiah_per_tahun"], *data["by_function"]]
    elif kind == "overlaps":
        rows = [["fungsi_bisnis", "nama_fungsi", "jumlah_aplikasi", "jumlah_instansi", "anggaran_gabungan",
                 "biaya_solusi_bersama", "estimasi_pemborosan", "dihitung_nasional", "rekomendasi", "aplikasi_umum"]]
        rows += [[g.function, g.function_name, len(g.apps), len(g.agencies), g.combined_budget_idr,
                  g.shared_cost_idr, g.waste_idr, "ya" if g.counted else "tidak", g.recommendation, g.general_app]
                 for g in data["groups"]]
    elif kind == "waste":
        rows = [["instansi", "kode_instansi", "estimasi_pemborosan_rupiah_per_tahun"], *data["waste_by_agency"]]
    elif kind == "flagged":
        rows = [["kode_instansi", "aplikasi", "login_nasional", "pertukaran_data"]]
        rows += [[r.agency, r.name, "ya" if r.uses_national_login else "tidak", "ya" if r.uses_exchange else "tidak"]
                 for r in data["flagged"]]
    else:
        return render(request, "core/error.html", {"status": 404}, status=404)
    return csv_response(f"laporan-{kind}.csv", rows)


def _similar(principal: Principal) -> list[analysis.SimilarPair]:
    """Top 500 similar pairs over the visible inventory, cached until the inventory changes."""
    apps = access.applications_for(principal)
    stamp = apps.aggregate(n=Max("id"), t=Max("updated_at"))
    scope = "*" if access.is_coordinator(principal) else str(principal.agency)
    raw = f"{scope}|{apps.count()}|{stamp['n']}|{stamp['t']}"
    key = "spbe:similar:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    pairs = cache.get(key)
    if pairs is None:
        pairs = analysis.similar_pairs(analysis.load_rows(apps))[:500]
        cache.set(key, pairs, 600)
    return pairs


@require_GET
@spbe_page
def similar(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Pairs of apps with similar names/descriptions (TF-IDF cosine ≥ 0.6), highest first."""
    page = Paginator(_similar(principal), 50).get_page(request.GET.get("page"))
    return render(request, "consolidation/similar.html", base_context(principal) | {"page": page})


@require_http_methods(["GET", "POST"])
@spbe_page
def assumption(request: HttpRequest, principal: Principal) -> HttpResponse:
    """View (everyone with access) and edit (SPBE coordinator) the waste assumption."""
    current = actions.waste_assumption()
    form = WasteAssumptionForm(request.POST or None, initial={
        "shared_cost_factor_pct": current.shared_cost_factor_pct, "onboarding_cost_idr": current.onboarding_cost_idr})
    if request.method == "POST":
        access.require_coordinator(principal)
        if form.is_valid():
            actions.waste_assumption_update(acting=principal, request=request, **form.cleaned_data)
            messages.success(request, _("The assumption was saved; the reports use it from now on."))
            return redirect("consolidation:assumption")
    return render(request, "consolidation/assumption.html", base_context(principal) | {"form": form,
                                                                                       "current": current})

