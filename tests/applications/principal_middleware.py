"""Test-only middleware: act as the principal named in the ``X-Test-Principal`` header (JSON).

Stands in for the identity app's session principal (not on this branch yet); everything after
it — views, actions, chokepoints, templates — is the real code.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from satupintu.core.principal import Principal


class TestPrincipalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.headers.get("X-Test-Principal")
        if raw:
            data = json.loads(raw)
            request.principal = Principal(kind=data["kind"], id=data["id"], display=data.get("display", ""),  # type: ignore[attr-defined]
                                          agency=data.get("agency"), roles=frozenset(data.get("roles", [])))
        return self.get_response(request)
