"""The moratorium check: an agency proposes a new application; the SPBE coordinator sees the
closest existing apps (inventory) and catalogue services before approving or rejecting it."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from satupintu.consolidation import access, actions, analysis, selectors
from satupintu.consolidation.forms import DecisionForm, ProposalForm
from satupintu.consolidation.models import ProposalStatus
from satupintu.consolidation.web import base_context, spbe_page
from satupintu.core.errors import Conflict, InvalidInput
from satupintu.core.principal import Principal


@require_GET
@spbe_page
def proposal_list(request: HttpRequest, principal: Principal) -> HttpResponse:
    page = Paginator(access.proposals_for(principal), 50).get_page(request.GET.get("page"))
    return render(request, "consolidation/proposal_list.html", base_context(principal) | {"page": page})


@require_http_methods(["GET", "POST"])
@spbe_page
def proposal_new(request: HttpRequest, principal: Principal) -> HttpResponse:
    """An agency admin proposes a new application; the closest existing ones are shown at once."""
    agencies = access.editable_agencies_for(principal)
    if not agencies.exists():
        return render(request, "core/error.html", {"status": 403}, status=403)
    form = ProposalForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        proposal = form.save(commit=False)
        try:
            actions.proposal_submit(proposal=proposal, acting=principal, request=request)
        except InvalidInput as exc:
            for err in exc.errors:
                form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, _("The proposal was submitted for the moratorium check."))
            return redirect("consolidation:proposal", proposal_id=proposal.pk)
    return render(request, "consolidation/proposal_form.html", base_context(principal) | {"form": form})


@require_http_methods(["GET", "POST"])
@spbe_page
def proposal_detail(request: HttpRequest, principal: Principal, proposal_id: int) -> HttpResponse:
    """The proposal, the closest existing apps (national inventory) and catalogue services, and
    (for the SPBE coordinator) the decision form."""
    proposal = access.access_proposal_by_id(principal, proposal_id)
    is_reviewer = access.is_coordinator(principal)
    form = DecisionForm(request.POST or None) if is_reviewer else None
    if request.method == "POST":
        access.require_coordinator(principal)
        assert form is not None
        if form.is_valid():
            try:
                actions.proposal_decide(proposal=proposal, approve=form.cleaned_data["decision"] == "approve",
                                        note=form.cleaned_data["note"], acting=principal, request=request)
            except Conflict:
                messages.error(request, _("This proposal has already been decided."))
            else:
                messages.success(request, _("The decision was recorded."))
            return redirect("consolidation:proposal", proposal_id=proposal.pk)
    # The check runs over the inventory the viewer may see: the coordinator sees the national one.
    index = selectors.text_index(principal)
    apps, services = analysis.closest(f"{proposal.name} {proposal.description}", index=index,
                                      function=proposal.function_id)
    same_function = access.applications_for(principal).exclude(status="retired").filter(
        function_id=proposal.function_id).count()
    return render(request, "consolidation/proposal_detail.html", base_context(principal) | {
        "proposal": proposal, "apps": apps, "services": services, "same_function": same_function,
        "form": form if proposal.status == ProposalStatus.SUBMITTED else None,
        "general_app": selectors.general_apps_by_function().get(proposal.function_id, ""),
    })
