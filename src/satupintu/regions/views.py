"""HTML pages for the region register: browse by level, search, and the picker demo."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from satupintu.regions import selectors
from satupintu.regions.forms import RegionPickerDemoForm, is_refresh
from satupintu.regions.importer import CODE_RE
from satupintu.regions.models import Level


@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    """All provinces, or (``?q=``) regions whose name contains the words, paginated by 50."""
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    regions = selectors.search_regions(q=q) if q else selectors.children_of(None)
    page = Paginator(regions, 50).get_page(request.GET.get("page"))
    return render(request, "regions/browse.html", {"page": page, "q": q, "region": None, "trail": []})


@require_GET
def detail(request: HttpRequest, kode: str) -> HttpResponse:
    """One region, its ancestors (breadcrumb), postal code and its children."""
    if not CODE_RE.match(kode):
        raise Http404
    region = selectors.region_by_code(kode)
    if region is None:
        raise Http404
    page = Paginator(selectors.children_of(kode), 100).get_page(request.GET.get("page"))
    postal = getattr(region, "postal", None) if region.level == Level.DESA_KELURAHAN else None
    return render(
        request,
        "regions/browse.html",
        {"page": page, "region": region, "trail": selectors.ancestors(region), "postal": postal, "q": ""},
    )


@require_http_methods(["GET", "POST"])
def picker_demo(request: HttpRequest) -> HttpResponse:
    """Try the region picker: choose down to a village; shows the chosen code."""
    chosen = None
    if request.method == "POST" and not is_refresh(request):
        form = RegionPickerDemoForm(request.POST)
        if form.is_valid():
            chosen = selectors.region_by_code(form.cleaned_data["wilayah"])
    elif request.method == "POST":
        form = RegionPickerDemoForm(initial={"wilayah": RegionPickerDemoForm(request.POST)["wilayah"].value()})
    else:
        form = RegionPickerDemoForm()
    return render(request, "regions/picker.html", {"form": form, "chosen": chosen})
