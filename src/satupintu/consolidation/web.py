"""Shared plumbing of the SPBE pages: the principal, sign-in redirect, error pages, CSV responses."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from satupintu.consolidation import access
from satupintu.core.errors import NotFound, PermissionDenied
from satupintu.core.principal import Principal, principal_for_request
from satupintu.core.spreadsheet import safe_csv_writer

View = Callable[..., HttpResponseBase]


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "core/error.html", {"status": status,
                                               "request_id": getattr(request, "request_id", "")}, status=status)


def spbe_page(view: View) -> View:
    """Resolve the principal (anonymous → the sign-in page), require an SPBE role, and turn
    :class:`PermissionDenied`/:class:`NotFound` into the friendly 403/404 pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        principal = principal_for_request(request)
        if principal.kind == "anonymous":
            return redirect_to_login(request.get_full_path())  # settings.LOGIN_URL: the platform sign-in
        try:
            access.require_any_access(principal)
            return view(request, principal, *args, **kwargs)
        except PermissionDenied:
            return error_page(request, 403)
        except NotFound:
            return error_page(request, 404)

    return wrapper


def csv_response(filename: str, rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A UTF-8 (with BOM, for spreadsheet programs) CSV download."""
    out = io.StringIO()
    writer = safe_csv_writer(out)
    for row in rows:
        writer.writerow(row)
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def base_context(principal: Principal) -> dict[str, Any]:
    return {"is_coordinator": access.is_coordinator(principal), "principal": principal,
            "can_edit": bool(access.editable_agencies_for(principal).exists())}
