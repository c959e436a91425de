"""Back-office pages of the audit log (auditors and platform administrators).

Anonymous visitors are sent to the sign-in page; signed-in users without the ``auditor`` or
``platform_admin`` role get the 403 page (:func:`satupintu.audit.access.audit_scope_for`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from satupintu.audit import selectors
from satupintu.audit.access import audit_scope_for
from satupintu.audit.actions import record
from satupintu.audit.forms import EventFilterForm
from satupintu.core.principal import principal_for_request
from satupintu.core.spreadsheet import safe_csv_writer

PAGE_SIZE = 50
CSV_COLUMNS = ["seq", "occurred_at", "actor_kind", "actor_id", "actor_display", "actor_agency", "action",
               "target_type", "target_id", "details", "request_id", "ip", "user_agent", "prev_hash", "hash"]


def _login_redirect(request: HttpRequest) -> HttpResponse:
    return redirect_to_login(request.get_full_path())  # settings.LOGIN_URL: the platform sign-in


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """HTML list of events, newest first, 50 per page, filtered by the GET form
    (:class:`~satupintu.audit.forms.EventFilterForm`). Times shown in WIB."""
    principal = principal_for_request(request)
    if principal.kind == "anonymous":
        return _login_redirect(request)
    scope = audit_scope_for(principal)
    form = EventFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else selectors.EventFilters()
        page = Paginator(selectors.events_for(scope=scope, filters=filters), PAGE_SIZE).get_page(
            request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/event_list.html",
                  {"form": form, "page": page, "scope": scope, "query": query.urlencode()},
                  status=200 if page is not None else 400)


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def event_export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """CSV (UTF-8 with BOM for spreadsheet programs) of every event matching the filters, oldest
    first, all columns incl. hashes; times in UTC ISO 8601. Recorded as ``audit.exported``.
    Invalid filters → 400 with the form and its errors."""
    principal = principal_for_request(request)
    if principal.kind == "anonymous":
        return _login_redirect(request)
    scope = audit_scope_for(principal)
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/event_list.html", {"form": form, "page": None, "scope": scope,
                                                          "query": ""}, status=400)
    filters = form.filters()
    events = selectors.events_for(scope=scope, filters=filters).order_by("seq")
    record(actor=principal, action="audit.exported", target=("audit.chain", "csv"), request=request,
           details={"format": "csv", "scope": scope.agency or "all",
                    "filters": {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}})
    writer = safe_csv_writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(CSV_COLUMNS)
        for event in events.iterator(chunk_size=2000):
            values = event.canonical_fields() | {"hash": event.hash}
            values["details"] = json.dumps(event.details, ensure_ascii=False, sort_keys=True)
            yield writer.writerow([values[c] for c in CSV_COLUMNS])

    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
