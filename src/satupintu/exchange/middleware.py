"""Serve the exchange gateway paths before the portal's middleware (sessions, CSRF, language).

Gateway paths: ``/r1/...``, ``/listClients`` and, as aliases without ``/r1``, paths whose first
segment is this gateway's instance (``SATUPINTU_EXCHANGE_INSTANCE``). The gateway is an API for
systems: no cookies, no CSRF (its callers authenticate with certificates or bearer tokens).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def is_gateway_path(path: str) -> bool:
    """True for the paths the gateway answers (see the module docstring)."""
    return (path.startswith("/r1/") or path == "/listClients"
            or path.startswith(f"/{settings.SATUPINTU_EXCHANGE_INSTANCE}/"))


class GatewayMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_gateway_path(request.path_info):
            from satupintu.exchange.gateway import handle

            return handle(request)
        return self.get_response(request)
