"""The population register as a provider behind the exchange, in the GovStack Digital Registries
Data API 1.3.0 shape (``bb-digital-registries``):

* ``GET  /registri/data/penduduk/1.0`` — list with ``search`` (name), ``query.regionCode`` (kode
  wilayah prefix), ``query.familyCardNumber``, ``query.birthDate``, ``page``, ``pageSize`` (≤ 100);
* ``POST /registri/data/penduduk/1.0/read``   — ``{"query": {"content": {"nik": ...}}}`` → ``{"content": {...}}``;
* ``POST /registri/data/penduduk/1.0/exists`` — same query → ``{"answer": {"status": bool, "message"}}``.

Like every provider behind the gateway it trusts the client header (``X-Road-Client`` /
``Information-Mediator-Client``) only from the gateway's addresses
(``SATUPINTU_REGISTRIES_GATEWAY_ADDRESSES``); any other caller gets 401.

Every answer is about one data subject: the resident named by ``X-Road-UserId`` (the NIK the gateway
requires for personal-data services and records in that resident's "Siapa yang mengakses data saya"
list). Without it the register answers 400; ``read``/``exists`` of another NIK get 403; ``list``
searches only that resident's record. So no resident's data leaves the register without a
data-access record of their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from satupintu.core.api import problem_response
from satupintu.core.errors import FieldError
from satupintu.exchange.interface import nik_index, unseal
from satupintu.registries.actions import NIK_PURPOSE
from satupintu.registries.models import Person

_NIK = re.compile(r"^\d{16}$")
_CLIENT_HEADERS = ("X-Road-Client", "Information-Mediator-Client", "X-GovStack-Client")
View = Callable[..., HttpResponse]


def from_gateway(view: View) -> View:
    """401 unless the request comes from a gateway address and names its client; 400 unless it names
    the data subject (a 16-digit NIK in ``X-Road-UserId``), passed to the view as ``subject``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        client = next((request.headers[h] for h in _CLIENT_HEADERS if request.headers.get(h)), "")
        if request.META.get("REMOTE_ADDR") not in settings.SATUPINTU_REGISTRIES_GATEWAY_ADDRESSES or not client:
            return problem_response(request, status=401, title="Unauthorized", type_="/problems/unauthorized",
                                    detail="The register answers only through the exchange gateway.")
        subject = request.headers.get("X-Road-UserId", "").strip()
        if not _NIK.match(subject):
            return problem_response(
                request, status=400, title="Invalid input", type_="/problems/invalid-input",
                detail="Name the data subject: every answer of the register is about the resident named in "
                       "X-Road-UserId, which the gateway records in that resident's data-access list.",
                errors=[FieldError("X-Road-UserId", "format", "A 16-digit NIK is required.")])
        return view(request, *args, subject=subject, **kwargs)

    return wrapper


def _other_subject(request: HttpRequest) -> HttpResponse:
    return problem_response(
        request, status=403, title="Forbidden", type_="/problems/forbidden",
        detail="query.content.nik must be the data subject named in X-Road-UserId: a read of another "
               "resident would not appear in that resident's data-access list.",
        errors=[FieldError("query.content.nik", "subject", "Must equal X-Road-UserId.")])


def _out(person: Person) -> dict[str, str]:
    return {"nik": unseal(person.nik_encrypted, purpose=NIK_PURPOSE), "name": person.name,
            "birthPlace": person.birth_place, "birthDate": person.birth_date.isoformat(), "sex": person.sex,
            "address": person.address, "regionCode": person.region_code,
            "familyCardNumber": person.family_card_number}


def _query_nik(request: HttpRequest) -> tuple[str | None, HttpResponse | None]:
    try:
        body = json.loads(request.body or b"{}")
        nik = body["query"]["content"]["nik"]
    except (ValueError, KeyError, TypeError):
        nik = None
    if not isinstance(nik, str) or not _NIK.match(nik):
        return None, problem_response(
            request, status=400, title="Invalid input", type_="/problems/invalid-input",
            detail="The body must be {\"query\": {\"content\": {\"nik\": \"<16 digits>\"}}}.",
            errors=[FieldError("query.content.nik", "format", "A 16-digit NIK is required.")])
    return nik, None


@csrf_exempt
@require_POST
@from_gateway
def read(request: HttpRequest, subject: str) -> HttpResponse:
    """One resident by NIK (DR ``read``): 200 ``{"content": {...}}``; 404 ``{"detail": "no record found"}``;
    403 when the NIK is not the subject in ``X-Road-UserId``."""
    nik, error = _query_nik(request)
    if error is not None or nik is None:
        return error or HttpResponse(status=400)
    if nik != subject:
        return _other_subject(request)
    person = Person.objects.filter(nik_index=nik_index(nik)).first()
    if person is None:
        return JsonResponse({"detail": "no record found"}, status=404)
    return JsonResponse({"content": _out(person)})


@csrf_exempt
@require_POST
@from_gateway
def exists(request: HttpRequest, subject: str) -> HttpResponse:
    """Whether a resident with the NIK exists (DR ``exists``); 403 when the NIK is not the subject in
    ``X-Road-UserId``."""
    nik, error = _query_nik(request)
    if error is not None or nik is None:
        return error or HttpResponse(status=400)
    if nik != subject:
        return _other_subject(request)
    found = Person.objects.filter(nik_index=nik_index(nik)).exists()
    return JsonResponse({"answer": {"status": found,
                                    "message": "Object found from database" if found else "Object not found"}})


@require_GET
@from_gateway
def list_residents(request: HttpRequest, subject: str) -> HttpResponse:
    """The data subject's record if it matches the filters (DR ``list``): ``{count, next, previous,
    results}``. Only the resident named in ``X-Road-UserId`` is searched (module docstring)."""
    qs = Person.objects.filter(nik_index=nik_index(subject))
    errors = []
    if search := request.GET.get("search", "").strip()[:100]:
        qs = qs.filter(name__icontains=search)
    if region := request.GET.get("query.regionCode", "").strip():
        if not re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", region):
            errors.append(FieldError("query.regionCode", "format", "A kode wilayah such as 32.75 or 32.75.01.1001."))
        qs = qs.filter(region_code__startswith=region)
    if kk := request.GET.get("query.familyCardNumber", "").strip():
        qs = qs.filter(family_card_number=kk)
    if born := request.GET.get("query.birthDate", "").strip():
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", born):
            errors.append(FieldError("query.birthDate", "format", "Use YYYY-MM-DD."))
        else:
            qs = qs.filter(birth_date=born)
    page_size, page_number = request.GET.get("pageSize", "10"), request.GET.get("page", "1")
    if not page_size.isdigit() or not 1 <= int(page_size) <= 100:
        errors.append(FieldError("pageSize", "max_value", "pageSize must be 1–100."))
    if not page_number.isdigit() or int(page_number) < 1:
        errors.append(FieldError("page", "min_value", "page must be 1 or more."))
    if errors:
        return problem_response(request, status=400, title="Invalid input", type_="/problems/invalid-input",
                                errors=errors)
    paginator = Paginator(qs.order_by("name", "id"), int(page_size))
    page = paginator.page(min(int(page_number), max(paginator.num_pages, 1)))

    def link(number: int) -> str:
        # A relative reference (RFC 3986 §4.2): it resolves against the URL the client called, i.e.
        # the gateway's path, not this backend's own path behind it.
        params = {k: v for k, v in request.GET.items() if k != "page"}
        return f"?{urlencode({**params, 'page': number})}"

    return JsonResponse({
        "count": paginator.count,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "results": [_out(p) for p in page.object_list],
    })
