"""Identity middleware.

* :class:`OfficerMfaMiddleware` — officers must use MFA: a signed-in officer without a second
  factor can only reach the MFA set-up pages, sign-out and static files until one is added.
* :class:`AuthorizationFormActionMiddleware` — during an OIDC authorization, pages allow the
  relying party's origin in CSP ``form-action`` (see ``oidc.views.remember_redirect_origin``).
* :class:`MfaAtomicMiddleware` — every state-changing request to an allauth MFA view runs in one
  database transaction, so a second factor is never added or removed without its audit event.
* :class:`OAuthEndpointMiddleware` — the OAuth endpoints for machines (token, introspection,
  revocation) are answered before the portal's session, CSRF, language and allauth middleware.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

_ALLOWED_PREFIXES = ("/akun/2fa/", "/akun/reauthenticate/", "/akun/logout/", "/static/", "/bahasa/",
                     "/healthz", "/readyz")


class OfficerMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and getattr(user, "is_officer", False)
                and not request.path.startswith(_ALLOWED_PREFIXES)):
            from allauth.mfa.utils import is_mfa_enabled

            if not is_mfa_enabled(user):
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class AuthorizationFormActionMiddleware:
    """While the session has a fresh OIDC authorization in progress, add the relying party's
    redirect origin (only that one, and only a registered redirect URI's) to the response's CSP
    ``form-action``, so the sign-in, second-factor and consent forms may end in the redirect to
    the relying party (browsers check ``form-action`` on every redirect of a form submission).
    Must come after the session middleware and inside django-csp's middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            return response  # no session yet: no authorization can be in progress
        from satupintu.identity.oidc.views import pending_redirect_origin

        origin = pending_redirect_origin(request)
        if origin:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), origin]
            response._csp_update = update  # type: ignore[attr-defined]  # read by django-csp
        return response


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@functools.cache
def _mfa_prefix() -> str:
    """The path prefix of allauth's MFA pages (``/akun/2fa/``), from the URL map."""
    from django.urls import reverse

    return reverse("mfa_index")


class MfaAtomicMiddleware:
    """Runs POST/PUT/DELETE requests to django-allauth's MFA views (``allauth.mfa.*``: TOTP
    activate/deactivate, recovery codes, passkeys add/remove, MFA sign-in) inside
    ``transaction.atomic()``. The audit events are written by model signals inside that
    transaction (:mod:`satupintu.identity.audit`); if one fails, the MFA change is rolled back
    (an answer of 500 or more always rolls back). It wraps the rest of the chain, so allauth's
    middleware still turns its exceptions (e.g. re-authentication required) into redirects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view_class = self._mfa_view_class(request)
        if view_class is None:
            return self.get_response(request)
        from django.db import transaction

        from satupintu.identity.audit import REGENERATING_RECOVERY_CODES

        token = REGENERATING_RECOVERY_CODES.set(view_class == "GenerateRecoveryCodesView")
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                return response
        finally:
            REGENERATING_RECOVERY_CODES.reset(token)

    @staticmethod
    def _mfa_view_class(request: HttpRequest) -> str | None:
        """The class name of the allauth MFA view a state-changing request goes to, else None."""
        if request.method in _SAFE_METHODS or not request.path_info.startswith(_mfa_prefix()):
            return None  # e.g. the token endpoint: no URL resolving here on the hot path
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return None
        if not str(getattr(match.func, "__module__", "")).startswith("allauth.mfa."):
            return None
        return getattr(getattr(match.func, "view_class", None), "__name__", "") or "view"


# RFC 6749 §3.2 token endpoint (and its GovStack alias), RFC 7662 introspection, RFC 7009 revocation.
OAUTH_MACHINE_PATHS = frozenset({"/o/token/", "/oauth/token", "/o/introspect/", "/o/revoke_token/"})
# What the skipped CSP and clickjacking middleware would add, fixed for JSON answers: nothing may load.
_MACHINE_HEADERS = {"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
                    "X-Frame-Options": "DENY"}


class OAuthEndpointMiddleware:
    """Answer exactly :data:`OAUTH_MACHINE_PATHS` with the view the URL map gives them, skipping the
    middleware below this one (ADR 0112): sessions, language, CSRF, authentication, messages,
    django-csp, allauth and our identity middleware. These endpoints authenticate the *client* on
    each request (HTTP Basic, ``private_key_jwt`` or a bearer token); they never read a session, a
    signed-in user or a cookie, and DOT marks their views ``csrf_exempt`` (a view at these paths
    that is not keeps the whole chain). The security, WhiteNoise and request-id middleware above
    still apply; errors raised by the view reach Django's handler (``handler500``) as before.
    Responses get ``Content-Length`` (as ``CommonMiddleware`` would), a CSP of ``default-src 'none'``
    and ``X-Frame-Options: DENY``; DOT sets ``Cache-Control: no-store`` on token responses
    (RFC 6749 §5.1). ``request.user`` is anonymous."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._matches: dict[tuple[str, str], Any] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path not in OAUTH_MACHINE_PATHS:
            return self.get_response(request)
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        key = (urlconf, path)
        if key not in self._matches:
            self._matches[key] = self._lean_match(path, urlconf)
        match = self._matches[key]
        if match is None:
            return self.get_response(request)
        from django.contrib.auth.models import AnonymousUser

        request.resolver_match = match
        request.user = AnonymousUser()  # no session is read here: the client authenticates itself
        response = match.func(request, *match.args, **match.kwargs)
        for name, value in _MACHINE_HEADERS.items():
            response.headers.setdefault(name, value)
        if not response.streaming and "Content-Length" not in response:
            response["Content-Length"] = str(len(response.content))
        return response

    @staticmethod
    def _lean_match(path: str, urlconf: str) -> Any:
        """The URL map's match for ``path`` if its view is ``csrf_exempt`` (as DOT's are), else
        ``None``: a view that expects CSRF protection keeps the whole middleware chain."""
        from django.urls import Resolver404, resolve

        try:
            match = resolve(path, urlconf)
        except Resolver404:
            return None
        return match if getattr(match.func, "csrf_exempt", False) else None

