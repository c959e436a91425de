"""The citizen's page "Siapa yang mengakses data saya" (who accessed my data): HTML, no JavaScript,
filter by agency, times in the citizen's zone, CSV download."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from satupintu.core.calendar import ZONE_LABELS, zone_for_region
from satupintu.core.principal import principal_for_request
from satupintu.core.spreadsheet import safe_csv_writer
from satupintu.exchange.interface import citizen_nik
from satupintu.exchange.selectors import data_accesses_for_nik

_ZONES = ZONE_LABELS


def citizen_zone(request: HttpRequest, nik: str) -> zoneinfo.ZoneInfo:
    """The citizen's time zone (WIB, WITA or WIT), ADR 0086.

    Identity accounts have no time-zone or address field, so: ``request.user.time_zone`` if the
    user model ever provides one of the three zones; else the zone of the province in the NIK's
    kode wilayah (its first two digits, Permendagri 58/2021, via ``core.calendar.zone_for_region``);
    WIB when that is not a known province."""
    name = str(getattr(getattr(request, "user", None), "time_zone", "") or "")
    if name in _ZONES:
        return zoneinfo.ZoneInfo(name)
    return zone_for_region(nik[:2])


@require_GET
def my_data_accesses(request: HttpRequest) -> HttpResponse:
    """List (50 per page) or, with ``?format=csv``, download every recorded read of the signed-in
    citizen's personal data; ``?instansi=<agency code>`` filters by the reading agency.
    Anonymous → sign-in redirect; a signed-in non-citizen → 403."""
    if principal_for_request(request).kind == "anonymous":
        return redirect_to_login(request.get_full_path())
    nik = citizen_nik(request)
    if nik is None:
        raise PermissionDenied
    zone = citizen_zone(request, nik)
    accesses = data_accesses_for_nik(nik)
    agencies = sorted(set(accesses.values_list("agency_code", "agency_name")), key=lambda a: a[1])
    chosen = request.GET.get("instansi", "")
    if chosen:
        accesses = accesses.filter(agency_code=chosen)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="akses-data-saya.csv"'
        writer = safe_csv_writer(response)
        writer.writerow([_("Time"), _("Agency"), _("System"), _("Service"), _("Record"), _("Data items"),
                         _("Purpose"), _("Legal basis")])
        for a in accesses.iterator():
            writer.writerow([timezone.localtime(a.occurred_at, zone).strftime("%Y-%m-%d %H:%M:%S ") + _ZONES[zone.key],
                             a.agency_name, a.client, a.service, a.record, ", ".join(a.data_items), a.purpose,
                             a.legal_basis])
        return response
    page = Paginator(accesses, 50).get_page(request.GET.get("page"))
    rows = [(timezone.localtime(a.occurred_at, zone), a) for a in page.object_list]
    return render(request, "exchange/my_data_accesses.html", {
        "page": page, "rows": rows, "agencies": agencies, "chosen": chosen, "zone_label": _ZONES[zone.key],
    })
