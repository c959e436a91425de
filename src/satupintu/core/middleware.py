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
    so links can be shared in one language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.get("Vary", "")
        if "Cookie" not in patch:
            response["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        translation.deactivate()
        return response
