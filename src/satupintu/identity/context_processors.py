"""Template context from the identity app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from satupintu.identity.loa import STEP_UP_NEXT_SESSION_KEY


def step_up_continue(request: HttpRequest) -> dict[str, Any]:
    """``step_up_continue``: the local path a service (or an OIDC application) sent the citizen from
    to set up a second factor (:func:`satupintu.identity.loa.step_up_redirect`), once a factor
    exists, so the layout offers "Continue to the page you were opening" (allauth's set-up pages
    take no ``next``). Rendering that very path forgets it; without a session, or before a factor
    is set up (the link would only lead back to the set-up), nothing."""
    session = getattr(request, "session", None)
    target = session.get(STEP_UP_NEXT_SESSION_KEY) if session is not None else None
    if not target:
        return {}
    if request.get_full_path() == target:
        session.pop(STEP_UP_NEXT_SESSION_KEY, None)  # type: ignore[union-attr]
        return {}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from allauth.mfa.utils import is_mfa_enabled

    return {"step_up_continue": target} if is_mfa_enabled(user) else {}
