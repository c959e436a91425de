"""Serve the exchange gateway paths before the portal's middleware (sessions, CSRF, language).

Gateway paths: ``/r1/...``, ``/listClients`` and, as aliases without ``/r1``, paths whose first
segment is this gateway's instance (``SATUPINTU_EXCHANGE_INSTANCE``). The gateway is an API for
systems: no cookies, no CSRF (its callers authenticate with certificates or bearer tokens).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class GatewayMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.alias = f"/{settings.SATUPINTU_EXCHANGE_INSTANCE}/"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/r1/") or path == "/listClients" or path.startswith(self.alias):
            from satupintu.exchange.gateway import handle

            return handle(request)
        return self.get_response(request)
