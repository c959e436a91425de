"""Account pages of the signed-in user: profile (own NIK shown in full), address, connected apps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from satupintu.identity.actions import address_clear, address_set, consent_revoke
from satupintu.identity.forms import AddressForm
from satupintu.identity.loa import current_loa
from satupintu.identity.selectors import address_of, connected_apps
from satupintu.regions.forms import is_refresh


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """``GET /akun/``: the owner's profile. The NIK is shown in full only here, to its owner."""
    user = request.user
    return render(request, "identity/account.html", {
        "account": user, "nik": user.nik() if hasattr(user, "nik") else None,  # type: ignore[operator]
        "loa": current_loa(request), "apps": connected_apps(user=user),  # type: ignore[arg-type]
        "address": address_of(user=user),
    })


@login_required
def address(request: HttpRequest) -> HttpResponse:
    """``GET/POST /akun/alamat/``: the owner's address (the OIDC ``address`` claim). POST with
    ``remove`` deletes it; the region picker's "next list" button re-renders without saving.
    Errors are shown on the form (field → rule); nothing is written on error."""
    user = request.user
    current = address_of(user=user)
    if request.method == "POST" and "remove" in request.POST:
        if address_clear(user=user, request=request):  # type: ignore[arg-type]
            messages.success(request, _("Address removed."))
        return HttpResponseRedirect(reverse("identity:account"))
    initial = ({"street_address": current.street_address, "wilayah": current.region_code,
                "postal_code": current.postal_code} if current else {})
    if request.method == "POST" and is_refresh(request):
        form = AddressForm(initial={**initial, **{k: AddressForm(request.POST)[k].value()
                                                  for k in ("street_address", "wilayah", "postal_code")}})
    elif request.method == "POST":
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                address_set(user=user, street_address=form.cleaned_data["street_address"],  # type: ignore[arg-type]
                            region_code=form.cleaned_data["wilayah"], postal_code=form.cleaned_data["postal_code"],
                            request=request)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error("wilayah" if field == "region_code" else field, errors)
            else:
                messages.success(request, _("Address saved."))
                return HttpResponseRedirect(reverse("identity:account"))
    else:
        form = AddressForm(initial=initial)
    return render(request, "identity/address.html", {"form": form, "current": current})


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
