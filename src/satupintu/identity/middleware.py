"""Officers must use MFA: a signed-in officer without a second factor can only reach the MFA
set-up pages, sign-out and static files until one is added."""

from __future__ import annotations

from collections.abc import Callable

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
