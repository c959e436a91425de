"""Levels of assurance (LoA) of a session, and requiring one on a view.

* ``loa1``: signed in with a password (or a password reset).
* ``loa2``: password plus a second factor (TOTP, recovery code, passkey as second factor), or a
  passwordless passkey sign-in (possession + user verification on the authenticator).

The level is derived from django-allauth's record of the authentication methods used in this
session, so it cannot be set by anything but a completed authentication step. A view requiring
``loa2`` sends a loa1 session to re-authenticate with its second factor (step-up), or to set one
up when the account has none, with a message on that page saying why; it never serves the page
at loa1.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

LOA_ORDER = {"loa0": 0, "loa1": 1, "loa2": 2}
# Where a step-up to set up a second factor came from, so the pages after the set-up (allauth's,
# which take no ``next``) can offer the way back (``identity.context_processors.step_up_continue``).
STEP_UP_NEXT_SESSION_KEY = "satupintu_step_up_next"


def current_loa(request: HttpRequest, user: Any | None = None) -> str:
    """``loa2``, ``loa1`` or ``loa0`` (not signed in) for the request's session."""
    from allauth.account.internal.flows.login import get_authentication_records

    user = user if user is not None else getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "loa0"
    methods = {r.get("method") for r in get_authentication_records(request, user)}
    if "mfa" in methods:
        return "loa2"
    return "loa1"


def last_authenticated_at(request: HttpRequest, user: Any) -> float | None:
    """Unix time of the latest authentication step in this session (for ``auth_time``)."""
    from allauth.account.internal.flows.login import get_authentication_records

    times = [r.get("at") for r in get_authentication_records(request, user) if r.get("at")]
    return max(times) if times else None


def satisfies(loa: str, required: str) -> bool:
    return LOA_ORDER.get(loa, 0) >= LOA_ORDER.get(required, 2)


def step_up_url(request: HttpRequest, next_url: str) -> str:
    """Where a session below loa2 goes: MFA re-authentication, or MFA set-up if none exists."""
    from allauth.mfa.utils import is_mfa_enabled

    if is_mfa_enabled(request.user):
        return reverse("mfa_reauthenticate") + "?" + urlencode({"next": next_url})
    return reverse("mfa_index") + "?" + urlencode({"next": next_url})


def step_up_message(request: HttpRequest, *, required_by: str = "service") -> str:
    """Why the session is being sent to the second-factor pages, in the active language: the
    ``service`` (an online service) or ``application`` (an OIDC client) requires two-step
    verification; set one up (no second factor yet) or confirm with it to continue."""
    from allauth.mfa.utils import is_mfa_enabled

    if is_mfa_enabled(request.user):
        if required_by == "application":
            return _("The application you are signing in to requires two-step verification. "
                     "Confirm with your second factor to continue.")
        return _("This service requires two-step verification. Confirm with your second factor to continue.")
    if required_by == "application":
        return _("The application you are signing in to requires two-step verification. Set up a second "
                 "factor (an authenticator app or a passkey) below to continue.")
    return _("This service requires two-step verification. Set up a second factor (an authenticator app "
             "or a passkey) below to continue.")


def step_up_redirect(request: HttpRequest, next_url: str, *, required_by: str = "service") -> HttpResponseRedirect:
    """The redirect to :func:`step_up_url`, with :func:`step_up_message` queued (Django messages)
    for the page it leads to (MFA set-up ``/akun/2fa/`` or re-authentication), so the citizen
    knows why they are there. Without the messages middleware the redirect goes without it.
    Sent to set a second factor up, the session keeps ``next_url`` (a local path only) under
    :data:`STEP_UP_NEXT_SESSION_KEY` for the "continue" link shown once the factor exists."""
    from allauth.mfa.utils import is_mfa_enabled
    from django.contrib import messages
    from django.utils.http import url_has_allowed_host_and_scheme

    messages.info(request, step_up_message(request, required_by=required_by), fail_silently=True)
    session = getattr(request, "session", None)
    if (session is not None and not is_mfa_enabled(request.user) and next_url.startswith("/")
            and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None)):
        session[STEP_UP_NEXT_SESSION_KEY] = next_url
    return HttpResponseRedirect(step_up_url(request, next_url))


def require_loa(level: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: anonymous → sign-in page; below ``level`` → step-up (:func:`step_up_redirect`,
    with its message); else the view."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                login = reverse("account_login")
                return HttpResponseRedirect(login + "?" + urlencode({"next": request.get_full_path()}))
            if not satisfies(current_loa(request), level):
                return step_up_redirect(request, request.get_full_path())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
