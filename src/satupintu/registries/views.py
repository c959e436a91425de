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

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from satupintu.core.api import error_response, parse_json_object, problem_response
from satupintu.core.errors import BodyTooLarge, FieldError, InvalidInput, SatupintuError
from satupintu.exchange.interface import nik_index, unseal
from satupintu.registries.actions import NIK_PURPOSE
from satupintu.registries.models import Person

_NIK = re.compile(r"^\d{16}$")
_CLIENT_HEADERS = ("X-Road-Client", "Information-Mediator-Client", "X-GovStack-Client")
View = Callable[..., HttpResponse]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def only(method: str) -> Callable[[View], View]:
    """Answer any other method than ``method`` with a 405 problem and ``Allow`` (RFC 9110
    §15.5.6), in the caller's language, instead of Django's empty ``text/html`` 405."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != method:
                return problem_response(request, status=405, title=_("Method not allowed"),
                                        detail=_("Use %(method)s.") % {"method": method},
                                        headers={"Allow": method})
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def from_gateway(view: View) -> View:
    """401 unless the request comes from a gateway address and names its client; 400 unless it names
    the data subject (a 16-digit NIK in ``X-Road-UserId``), passed to the view as ``subject``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        client = next((request.headers[h] for h in _CLIENT_HEADERS if request.headers.get(h)), "")
        if request.META.get("REMOTE_ADDR") not in settings.SATUPINTU_REGISTRIES_GATEWAY_ADDRESSES or not client:
            return problem_response(request, status=401, title=_("Unauthorized"), type_="/problems/unauthorized",
                                    detail=_("The register answers only through the exchange gateway."))
        subject = request.headers.get("X-Road-UserId", "").strip()
        if not _NIK.match(subject):
            return problem_response(
                request, status=400, title=_("Invalid input"), type_="/problems/invalid-input",
                detail=_("Name the data subject: every answer of the register is about the resident named in "
                         "X-Road-UserId, which the gateway records in that resident's data-access list."),
                errors=[FieldError("X-Road-UserId", "format", _("A 16-digit NIK is required."))])
        return view(request, *args, subject=subject, **kwargs)

    return wrapper


def _other_subject(request: HttpRequest) -> HttpResponse:
    return problem_response(
        request, status=403, title=_("Forbidden"), type_="/problems/forbidden",
        detail=_("query.content.nik must be the data subject named in X-Road-UserId: a read of another "
                 "resident would not appear in that resident's data-access list."),
        errors=[FieldError("query.content.nik", "subject", _("Must equal X-Road-UserId."))])


def _out(person: Person) -> dict[str, str]:
    return {"nik": unseal(person.nik_encrypted, purpose=NIK_PURPOSE), "name": person.name,
            "birthPlace": person.birth_place, "birthDate": person.birth_date.isoformat(), "sex": person.sex,
            "address": person.address, "regionCode": person.region_code,
            "familyCardNumber": person.family_card_number}


def _query_nik(request: HttpRequest) -> tuple[str | None, HttpResponse | None]:
    """The NIK of a ``read``/``exists`` body, else the problem response: 400 for a body that is
    not a JSON object (:func:`parse_json_object`), 413 for one over ``DATA_UPLOAD_MAX_MEMORY_SIZE``,
    422 naming ``query.content.nik``."""
    try:
        body = parse_json_object(request.body or b"{}")
    except SatupintuError as exc:
        return None, error_response(request, exc)
    except RequestDataTooBig:
        return None, error_response(request, BodyTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    query = body.get("query")
    content = query.get("content") if isinstance(query, dict) else None
    nik = content.get("nik") if isinstance(content, dict) else None
    if not isinstance(nik, str) or not _NIK.match(nik):
        return None, error_response(request, InvalidInput(
            [FieldError("query.content.nik", "format", _("A 16-digit NIK is required."))],
            detail=_('The body must be {"query": {"content": {"nik": "<16 digits>"}}}.')))
    return nik, None


@csrf_exempt
@only("POST")
@from_gateway
def read(request: HttpRequest, subject: str) -> HttpResponse:
    """One resident by NIK (DR ``read``): 200 ``{"content": {...}}``; 404 ``{"detail": "no record found"}``
    (``application/json``, exactly as the DR API 1.3.0 specifies this answer, not a problem); 403 when
    the NIK is not the subject in ``X-Road-UserId``; 400/422 problems for the body (:func:`_query_nik`)."""
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
@only("POST")
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


def _whole_number(request: HttpRequest, name: str, *, default: int, low: int, high: int | None,
                  errors: list[FieldError]) -> int:
    """Query parameter ``name`` as a whole number in ``low``..``high``; else ``default`` and a
    :class:`FieldError` with the rule (``integer``, ``min_value``, ``max_value``) and message the
    ninja APIs give for the same mistake (``/api/v1/services``, ``myPersonalDataUsage``)."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[+-]?\d{1,18}", raw):
        errors.append(FieldError(name, "integer", _("Must be a whole number.")))
        return default
    value = int(raw)
    if value < low:
        errors.append(FieldError(name, "min_value", _("Must be at least %(ge)s.") % {"ge": low}))
    elif high is not None and value > high:
        errors.append(FieldError(name, "max_value", _("Must be at most %(le)s.") % {"le": high}))
    else:
        return value
    return default


@csrf_exempt  # so that a POST gets the 405 problem, not the CSRF failure page
@only("GET")
@from_gateway
def list_residents(request: HttpRequest, subject: str) -> HttpResponse:
    """The data subject's record if it matches the filters (DR ``list``): ``{count, next, previous,
    results}``; a ``page`` past the last one has no results and ``previous`` names the last page.
    Only the resident named in ``X-Road-UserId`` is searched (module docstring).
    A filter with a control character (NUL included), ``query.regionCode`` that is not a kode
    wilayah or ``query.birthDate`` that is not a date is a 422 naming it (rule ``format``)."""
    qs = Person.objects.filter(nik_index=nik_index(subject))
    errors = []
    for name in ("search", "query.regionCode", "query.familyCardNumber", "query.birthDate"):
        if _CONTROL.search(request.GET.get(name, "")):
            errors.append(FieldError(name, "format", _("Must not contain control characters.")))
    if errors:
        return error_response(request, InvalidInput(errors))
    if search := request.GET.get("search", "").strip()[:100]:
        qs = qs.filter(name__icontains=search)
    if region := request.GET.get("query.regionCode", "").strip():
        if not re.fullmatch(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?", region):
            errors.append(FieldError("query.regionCode", "format",
                                     _("A kode wilayah such as 32.75 or 32.75.01.1001.")))
        qs = qs.filter(region_code__startswith=region)
    if kk := request.GET.get("query.familyCardNumber", "").strip():
        qs = qs.filter(family_card_number=kk)
    if born := request.GET.get("query.birthDate", "").strip():
        try:
            birth_date = dt.date.fromisoformat(born) if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", born) else None
        except ValueError:  # e.g. 1990-13-01 or 0000-01-01: a ValidationError (500) in the query
            birth_date = None
        if birth_date is None:
            errors.append(FieldError("query.birthDate", "format", _("Use YYYY-MM-DD.")))
        else:
            qs = qs.filter(birth_date=birth_date)
    page_size = _whole_number(request, "pageSize", default=10, low=1, high=100, errors=errors)
    page_number = _whole_number(request, "page", default=1, low=1, high=None, errors=errors)
    if errors:
        return error_response(request, InvalidInput(errors))
    paginator = Paginator(qs.order_by("name", "id"), page_size)

    def link(number: int) -> str:
        # A relative reference (RFC 3986 §4.2): it resolves against the URL the client called, i.e.
        # the gateway's path, not this backend's own path behind it.
        params = {k: v for k, v in request.GET.items() if k != "page"}
        return f"?{urlencode({**params, 'page': number})}"

    if page_number > max(paginator.num_pages, 1):
        # Past the end: no results (not the last page again), and the way back to the last page.
        return JsonResponse({"count": paginator.count, "next": None,
                             "previous": link(paginator.num_pages) if paginator.count else None, "results": []})
    page = paginator.page(page_number)
    return JsonResponse({
        "count": paginator.count,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "results": [_out(p) for p in page.object_list],
    })
