"""Identity middleware.

* :class:`OfficerMfaMiddleware` — officers must use MFA: a signed-in officer without a second
  factor can only reach the MFA set-up pages, sign-out and static files until one is added.
* :class:`AuthorizationFormActionMiddleware` — during an OIDC authorization, pages allow the
  relying party's origin in CSP ``form-action`` (see ``oidc.views.remember_redirect_origin``).
"""

from __future__ import annotations

from collections.abc import Callable

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
