"""Small request-level middleware: request ids and the language choice."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (``request.request_id``), echoed in ``X-Request-Id``.

    An incoming ``X-Request-Id`` from the front proxy is kept when it is well formed
    (8–64 characters of ``[A-Za-z0-9._-]``); anything else is replaced by a new UUID4.
    The audit log and error pages quote this id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-Id", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-Id"] = request_id
        return response


class LanguageMiddleware:
    """Activate the language the user chose (cookie set by ``/bahasa/``), else Indonesian.

    Unlike Django's ``LocaleMiddleware`` this ignores ``Accept-Language`` on purpose: the
    national portal speaks Indonesian until the user switches (rule: Indonesian default).
    A ``?lang=en`` / ``?lang=id`` query parameter also selects the language for that request,
    so links can be shared in one language; an unknown value is ignored (the cookie still counts).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The first known of: the query parameter, the switch's cookie; else Indonesian (an unknown
        # ?lang= value does not drop the visitor's choice).
        candidates = (request.GET.get("lang", ""), request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""))
        language = next((c for c in candidates if c in self.available), settings.LANGUAGE_CODE)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.get("Vary", "")
        if "Cookie" not in patch:
            response["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        translation.deactivate()
        return response


API_PREFIXES = ("/api/v1/", "/registration/v1/")


class ApiProblemMiddleware:
    """Every error under the JSON API prefixes (``/api/v1/``, ``/registration/v1/``) is an
    RFC 9457 problem response, also those Django or the router produce before our code runs
    (unknown path 404, wrong method 405 with its ``Allow`` header, a server error 500).

    Input: any response; output: the same response when it is not an error, not under an API
    prefix, or already JSON; else ``application/problem+json`` with the same status, the HTTP
    reason as a translated ``title`` and the ``Allow`` header kept (RFC 9110 §15.5.6).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(API_PREFIXES):
            return response
        content_type = response.get("Content-Type", "")
        if "json" in content_type:
            return response
        from django.utils.translation import gettext as _

        from satupintu.core.api import problem_response

        titles = {400: _("Bad request"), 401: _("Authentication required"), 403: _("Forbidden"),
                  404: _("Not found"), 405: _("Method not allowed"), 413: _("Request too large"),
                  429: _("Too many requests"), 500: _("Server error")}
        headers = {"Allow": response["Allow"]} if response.has_header("Allow") else {}
        if response.has_header("WWW-Authenticate"):
            headers["WWW-Authenticate"] = response["WWW-Authenticate"]
        title = titles.get(response.status_code, response.reason_phrase)
        return problem_response(request, status=response.status_code, title=title, headers=headers)


class MethodNotAllowedPageMiddleware:
    """A wrong-method answer (405) of an HTML page is the site's error page, not an empty body.

    Django's ``require_POST`` / ``require_http_methods`` answer ``HttpResponseNotAllowed`` with no
    content; a citizen reaches one by opening a form's target from the address bar, the history, or
    a sign-in ``next`` link, and saw a blank page. Input: any response; output: the same response
    unless it is an empty 405 outside the JSON API prefixes (those get a problem response from
    :class:`ApiProblemMiddleware`), else ``core/error.html`` with status 405 in the visitor's
    language and the ``Allow`` header kept (RFC 9110 §15.5.6).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code != 405 or getattr(response, "streaming", False) or response.content
                or request.path.startswith(API_PREFIXES)):
            return response
        from django.shortcuts import render

        page = render(request, "core/error.html", {"status": 405}, status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
