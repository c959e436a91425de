"""Portal shell views: home, health probes, error pages, API docs."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from satupintu.regions import selectors as region_selectors

log = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The portal's home page (HTML)."""
    return render(request, "core/home.html", {"province_count": region_selectors.province_count()})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 ``{"status": "ok"}`` while the process can answer; touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database answers ``SELECT 1``, else 503 with the reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        log.warning("readyz: database unreachable: %s", exc)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    """Interactive API reference (Swagger UI served from our own static files, no CDN) for
    the OpenAPI document at ``/api/v1/openapi.json``."""
    from ninja.openapi.views import openapi_view

    from satupintu.core.api import api

    return openapi_view(request, api=api)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 404}, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 400}, status=400)


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """429 page for django-allauth's rate limits (sign-in, sign-up, password reset, codes): the site's
    error page in the visitor's language, instead of allauth's bare English page."""
    return render(request, "core/error.html", {"status": 429}, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponseBase:
    """``CSRF_FAILURE_VIEW``: a form posted without a valid CSRF token → 403 with ``403_csrf.html``,
    the site's own page in the visitor's language (explanation, link home). Unlike Django's default
    view, it renders with the request, so the layout's context processors (language, platform name)
    run. ``reason`` (Django's technical cause) is logged, never shown.

    The view the form was posted to may offer a friendlier answer: a callable attribute
    :data:`CSRF_FAILURE_HOOK` on it, ``hook(request) -> response | None``, is asked first (the
    application forms keep the answers of a form from this site whose token went stale, ADR 0139).
    The refused request is never acted upon: the hook may only keep what it needs to pre-fill a page."""
    log.info("CSRF failure on %s: %s", request.path, reason)
    hook = _csrf_failure_hook(request)
    if hook is not None:
        response = hook(request)
        if response is not None:
            return response
    return render(request, "403_csrf.html", status=403)


# The attribute of a view that answers a refused form itself (see :func:`csrf_failure`).
CSRF_FAILURE_HOOK = "on_csrf_failure"


def _csrf_failure_hook(request: HttpRequest) -> Callable[[HttpRequest], HttpResponseBase | None] | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    hook = getattr(match.func, CSRF_FAILURE_HOOK, None)
    return hook if callable(hook) else None


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors may fail here, so render with the bare minimum.
    return render(request, "core/error.html", {"status": 500}, status=500)


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """``/robots.txt`` (text/plain): public pages may be indexed; back-offices and accounts not;
    points to the sitemap at this host."""
    lines = [
        "User-agent: *",
        "Disallow: /kelola/",
        "Disallow: /backoffice/",
        "Disallow: /akun/",
        "Disallow: /permohonan/",
        "Disallow: /dokumen/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
