"""WSGI application of the gateway role (``satupintu serve --role gateway``, ADR 0113).

The portal's application (``satupintu.config.wsgi``) also answers the gateway paths, through
:class:`~satupintu.exchange.middleware.GatewayMiddleware`, and that is what ``make run`` serves. A
deployment that gives the gateway its own processes (as an X-Road security server runs apart from
the portals) serves this application instead: Django's own WSGI handler (request parsing, the
request_started/request_finished signals that recycle database connections, response
streaming), with a middleware chain of just ``SecurityMiddleware`` and the gateway. It answers:

* the gateway paths (``/r1/...``, ``/listClients``, the instance alias) exactly as the portal
  process does (:func:`satupintu.exchange.gateway.handle`);
* ``/healthz`` and ``/readyz`` (the same probes as the portal);
* anything else: 404, ``application/problem+json``.

No sessions, CSRF, cookies, language or HTML: the gateway's callers are systems that authenticate
with a certificate or a bearer token on every message.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, get_path_info
from django.http import HttpRequest, HttpResponse

GatewayView = Callable[[HttpRequest], HttpResponse]


def _route(request: HttpRequest) -> HttpResponse:
    """The end of the chain: gateway paths, the two probes, else a 404 problem."""
    from satupintu.core.api import problem_response
    from satupintu.core.views import healthz, readyz
    from satupintu.exchange.middleware import is_gateway_path

    path = request.path_info
    if is_gateway_path(path):
        from satupintu.exchange.gateway import handle

        return handle(request)
    if path == "/healthz":
        return healthz(request)
    if path == "/readyz":
        return readyz(request)
    return problem_response(request, status=404, title="Not found",
                            detail="This process serves the exchange gateway only.")


class GatewayHandler(WSGIHandler):
    """Django's WSGI handler with the gateway role's own, short middleware chain."""

    def load_middleware(self, is_async: bool = False) -> None:
        """Build ``SecurityMiddleware`` → :func:`_route` (instead of ``settings.MIDDLEWARE``).

        ``SecurityMiddleware`` keeps the portal's transport headers (HSTS on HTTPS,
        ``X-Content-Type-Options``, ``Referrer-Policy``, COOP) and the HTTPS redirect setting."""
        from django.middleware.security import SecurityMiddleware

        if is_async:
            raise NotImplementedError("the gateway role is served over WSGI")
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        route: Any = convert_exception_to_response(_route)
        self._middleware_chain = convert_exception_to_response(SecurityMiddleware(route))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """PEP 3333 entry point. Gateway paths take :meth:`_gateway`; the rest (the probes, 404)
        Django's handler. A buffered ``HttpResponse`` is returned as a one-item list of its
        bytes (closed first, which sends ``request_finished``): granian then sends it in one write
        instead of driving a Python iterator from its own threads, which cost a quarter of the
        gateway's GIL time per message (ADR 0113). Streaming responses are returned as they are."""
        from satupintu.exchange.middleware import is_gateway_path

        if is_gateway_path(get_path_info(environ)):
            return self._gateway(environ, start_response)
        result = super().__call__(environ, start_response)
        if isinstance(result, HttpResponse):
            try:
                return [result.content]
            finally:
                result.close()
        return result

    def _gateway(self, environ: dict[str, Any], start_response: Any) -> Any:
        """One gateway message without Django's request cycle (ADR 0113, session-5 addendum): the
        request object, ``SecurityMiddleware``'s two hooks and :func:`~satupintu.exchange.gateway.handle`
        (which never raises), but no middleware chain, no exception middleware and no
        ``request_started``/``request_finished`` signals: they cost about 8 % of the gateway's CPU
        per message, and what they do for a portal request is not needed here. The gateway's only
        database use per message is the log write and, on a cache miss, the directory read; both
        replace a dead connection themselves (:func:`satupintu.exchange.messagelog.append`,
        :func:`satupintu.exchange.directory.route`). Connections are kept for the life of the worker
        (no ``CONN_MAX_AGE`` recycling)."""
        from satupintu.exchange.gateway import handle

        request = self.request_class(environ)
        response = self._security.process_request(request) or handle(request)
        response = self._security.process_response(request, response)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        if isinstance(response, HttpResponse):
            return [response.content]  # nothing to close: no files, and no signal wanted
        return response  # streaming: the server closes it (which closes the spooled file)

    @functools.cached_property
    def _security(self) -> Any:
        from django.middleware.security import SecurityMiddleware

        return SecurityMiddleware(_route)


def get_gateway_application() -> GatewayHandler:
    """Set Django up (like ``django.core.wsgi.get_wsgi_application``) and return the handler."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satupintu.config.settings")
    django.setup(set_prefix=False)
    return GatewayHandler()


application = get_gateway_application()
