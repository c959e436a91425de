"""Account pages of the signed-in user: profile (own NIK shown in full), connected apps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from satupintu.identity.actions import consent_revoke
from satupintu.identity.loa import current_loa
from satupintu.identity.selectors import connected_apps


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """``GET /akun/``: the owner's profile. The NIK is shown in full only here, to its owner."""
    user = request.user
    return render(request, "identity/account.html", {
        "account": user, "nik": user.nik() if hasattr(user, "nik") else None,  # type: ignore[operator]
        "loa": current_loa(request), "apps": connected_apps(user=user),  # type: ignore[arg-type]
    })


@login_required
def apps(request: HttpRequest) -> HttpResponse:
    """``GET /akun/aplikasi/``: clients the citizen consented to, with a revoke button each."""
    return render(request, "identity/apps.html", {"apps": connected_apps(user=request.user)})  # type: ignore[arg-type]


@login_required
@require_POST
def revoke_app(request: HttpRequest, application_id: int) -> HttpResponse:
    """``POST /akun/aplikasi/<id>/cabut/``: revoke consent and tokens. Another user's client
    or an unknown id answers the same (nothing revoked, same redirect)."""
    if consent_revoke(user=request.user, application_id=application_id, request=request):  # type: ignore[arg-type]
        messages.success(request, _("Access revoked. The application must ask for your consent again."))
    return HttpResponseRedirect(reverse("identity:apps"))
