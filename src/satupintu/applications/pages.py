"""Citizen and officer pages (no JavaScript needed): apply, draft/resume, review, submit, status
with timeline, "Permohonan saya", the officer queue and the officer's application page.

Views are thin: principal (:func:`principal_for_request`) → chokepoint → action/selector →
template. Anonymous visitors are sent to sign in; "not found" and "not yours" are the same 404.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from satupintu.applications import access, actions, kept_answers, selectors
from satupintu.applications.forms_engine import VERSION_FIELD, SchemaForm, file_paths
from satupintu.applications.models import Application, ApplicationStatus, DefinitionVersion
from satupintu.applications.outcome import outcome_document
from satupintu.applications.prefill import Prefill, PrefillContext, prefill_form
from satupintu.applications.rendering import (
    answer_rows,
    form_layout,
    revision_request,
    status_label,
    status_labels,
    timeline_rows,
)
from satupintu.applications.schema import text_in
from satupintu.applications.workflow import Workflow
from satupintu.catalog import selectors as catalog_selectors
from satupintu.core.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from satupintu.core.principal import Principal, principal_for_request
from satupintu.core.views import CSRF_FAILURE_HOOK
from satupintu.documents import interface as documents
from satupintu.identity.interface import require_loa

View = Callable[..., HttpResponseBase]


def page(view: View) -> View:
    """Resolve the principal (anonymous → sign in) and map our errors to the friendly pages."""
    return _page(view, keeps_answers=False)


def form_page(view: View) -> View:
    """:func:`page` for an application form: a POST by an anonymous visitor (a session that
    expired, or was signed out in another tab) keeps its non-file answers in the session
    (:func:`kept_answers.keep`, ADR 0139) before the visitor is sent to sign in and back here, where
    the view shows them again with :func:`kept_answers.take`."""
    return _page(view, keeps_answers=True)


def _page(view: View, *, keeps_answers: bool) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        principal = principal_for_request(request)
        if principal.kind == "anonymous":
            if keeps_answers and request.method == "POST" and kept_answers.keep(request):
                messages.warning(request, _(
                    "Your session has ended, so your answers were not sent. Sign in again: the answers you "
                    "typed were kept and will be shown in the form again."))
            return redirect_to_login(request.get_full_path(), login_url=reverse("account_login"))
        try:
            return view(request, principal, *args, **kwargs)
        except NotFound:
            raise Http404() from None
        except PermissionDenied:
            return render(request, "core/error.html", {"status": 403}, status=403)

    if keeps_answers:
        setattr(wrapper, CSRF_FAILURE_HOOK, _keep_after_csrf_failure)
    return wrapper


def _keep_after_csrf_failure(request: HttpRequest) -> HttpResponseBase | None:
    """The application forms' answer to a POST refused by the CSRF check (ADR 0139), called by
    :func:`satupintu.core.views.csrf_failure`. Signing in (e.g. again, in another tab) gives the
    browser a new CSRF token, so a form left open can no longer be sent. When the POST's ``Origin``
    is this site (a page of ours sent it, not another site), its non-file answers are kept as for a
    signed-out POST and the visitor is sent back to the form (GET), which shows them, or first asks
    to sign in. Otherwise ``None``: the generic refusal page, nothing kept. Nothing posted is ever
    saved or acted upon here."""
    if request.method != "POST" or not kept_answers.from_this_site(request) or not kept_answers.keep(request):
        return None
    messages.warning(request, _(
        "The form was not sent: you signed in or out in another tab or window. The answers you typed "
        "were kept: check them and send the form again."))
    return redirect(request.path)


def step_up(request: HttpRequest, version: DefinitionVersion) -> HttpResponseBase | None:
    """``None`` when the session meets the version's level of assurance, else identity's
    step-up redirect (second factor). Level 3 (in-person) needs at least loa2, identity's
    highest level (ADR 0080). A loa1 session is never silently accepted for a loa2 service."""
    level = f"loa{min(version.required_loa, 2)}"
    passed: list[bool] = []

    def _ok(_request: HttpRequest) -> HttpResponse:
        passed.append(True)
        return HttpResponse()

    response = require_loa(level)(_ok)(request)
    return None if passed else response


def request_language() -> str:
    from django.utils.translation import get_language

    return get_language() or "id"


def _form_page(request: HttpRequest, form: SchemaForm, application: Application | None, title: str,
               status: int = 200, prefill: Prefill | None = None,
               drafts: list[Application] | None = None, kept: kept_answers.KeptAnswers | None = None
               ) -> HttpResponse:
    return render(request, "applications/form.html", {
        "form": form, "layout": form_layout(form), "application": application, "title": title,
        "version_field": form[VERSION_FIELD], "prefill": prefill, "drafts": drafts or [], "kept": kept,
        "revision": revision_request(application) if application is not None else None,
        "existing_files": form.existing_files,
        "kept_for": (kept_answers.OWNER_FIELD, kept_answers.owner_tag(request.user.pk, request.path))}, status=status)


@require_GET
def apply_from_catalogue(request: HttpRequest, slug: str) -> HttpResponseBase:
    """``/layanan/<slug>/ajukan/`` — the catalogue's "Ajukan online" (URL name
    ``catalog:service-apply``). Mounted before the catalogue's routes so it takes that URL over
    (ADR 0081): a service with a published online definition goes to its application form;
    any other service keeps the catalogue's "opening soon" page; an unknown slug is 404."""
    definition = selectors.published_definition_for_service(slug)
    if definition is not None:
        return redirect("applications:apply", slug=definition.slug)
    service = catalog_selectors.service_by_slug(slug)
    if service is None:
        raise Http404()
    return render(request, "catalog/apply.html", {"service": service})


@form_page
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, principal: Principal, slug: str) -> HttpResponseBase:
    """``/permohonan/layanan/<slug>/``: a new application under the current version. A GET shows
    answers kept from a POST made while signed out (ADR 0139) instead of the register prefill."""
    access.require_can_apply(principal)
    definition = access.access_definition_by_slug(principal, slug)
    version = definition.current_version()
    if version is None:
        raise NotFound()
    stepped = step_up(request, version)
    if stepped is not None:
        return stepped
    title = _service_name(definition)
    if request.method == "GET":
        kept = kept_answers.take(request, version=version.number)
        if kept is not None:
            return _form_page(request, SchemaForm(version.form_schema, version=version.number, data=kept.data,
                                                  partial=True), None, title, kept=kept,
                              drafts=selectors.my_drafts_of(principal, definition))
        known = prefill_form(version.form_schema, principal, PrefillContext(
            service_slug=definition.slug, service_name=definition.name_id, agency_code=definition.agency.code))
        return _form_page(request, SchemaForm(version.form_schema, version=version.number, answers=known.answers),
                          None, title, prefill=known, drafts=selectors.my_drafts_of(principal, definition))
    form = SchemaForm(version.form_schema, version=version.number, data=request.POST, files=request.FILES,
                      partial=True)
    if form.is_refresh():
        actions.application_keep_chosen_files(acting=principal, form=form, application=None, request=request)
        return _form_page(request, form, None, title)
    try:
        application = actions.application_save_draft(acting=principal, definition=definition, data=request.POST,
                                                     files=request.FILES, request=request,
                                                     complete="_review" in request.POST, keep_files=True)
    except actions.FormInvalid as exc:
        return _form_page(request, exc.form, None, title, status=422)
    return _after_save(request, application)


def _service_name(definition: Any) -> str:
    """The service's name in the active language (the page title of its form)."""
    return str(definition.name_id if request_language() == "id" else definition.name_en)


def _after_save(request: HttpRequest, application: Application) -> HttpResponse:
    if "_review" in request.POST:
        return redirect("applications:review", application_id=application.pk)
    messages.success(request, _("Your answers were saved. You can continue later."))
    return redirect("applications:edit", application_id=application.pk)


@form_page
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, principal: Principal, application_id: int) -> HttpResponseBase:
    """``/permohonan/<id>/ubah/``: resume a draft, or revise when an officer asked for a fix. A GET
    by the applicant shows answers kept from a POST made while signed out (ADR 0139)."""
    application = access.access_application_by_id(principal, application_id)
    if not access.is_applicant(principal, application):
        raise NotFound()
    version = application.version
    stepped = step_up(request, version)
    if stepped is not None:
        return stepped
    title = _service_name(application.definition)
    existing = file_paths(version.form_schema, application.answers)
    revising = application.status == ApplicationStatus.IN_PROCESS and Workflow(version.workflow).waits_for_applicant(
        application.state)
    if application.status != ApplicationStatus.DRAFT and not revising:
        return redirect("applications:status", application_id=application.pk)
    if request.method == "GET":
        kept = kept_answers.take(request, version=version.number)
        if kept is not None:
            form = SchemaForm(version.form_schema, version=version.number, data=kept.data, existing_files=existing,
                              partial=True)
            return _form_page(request, form, application, title, kept=kept)
        form = SchemaForm(version.form_schema, version=version.number, answers=application.answers,
                          existing_files=existing)
        return _form_page(request, form, application, title)
    form = SchemaForm(version.form_schema, version=version.number, data=request.POST, files=request.FILES,
                      existing_files=existing, partial=True)
    if form.is_refresh():
        actions.application_keep_chosen_files(acting=principal, form=form, application=application, request=request)
        return _form_page(request, form, application, title)
    try:
        application = actions.application_save_draft(acting=principal, application=application, data=request.POST,
                                                     files=request.FILES, request=request,
                                                     complete="_review" in request.POST, keep_files=True)
    except actions.FormInvalid as exc:
        return _form_page(request, exc.form, application, title, status=422)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("applications:status", application_id=application.pk)
    return _after_save(request, application)


@page
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, principal: Principal, application_id: int) -> HttpResponseBase:
    """``/permohonan/<id>/tinjau/``: check the answers, then submit (idempotency key in the page,
    so a double click or a retried POST creates one application)."""
    application = access.access_application_by_id(principal, application_id)
    if not access.is_applicant(principal, application):
        raise NotFound()
    stepped = step_up(request, application.version)
    if stepped is not None:
        return stepped
    if request.method == "POST":
        was_draft = application.status == ApplicationStatus.DRAFT
        try:
            application = actions.application_submit(acting=principal, application=application,
                                                     idempotency_key=request.POST.get("idempotency_key", ""),
                                                     request=request)
        except actions.FormInvalid as exc:
            messages.error(request, _("Some answers are missing or need a fix."))
            return _form_page(request, exc.form, application, _service_name(application.definition), status=422)
        except InvalidInput as exc:
            if application.status != ApplicationStatus.DRAFT or any(e.field != "idempotency_key" for e in exc.errors):
                _field_errors_message(request, exc)
                return redirect("applications:status", application_id=application.pk)
            # The review form's only answer is its hidden key: a missing or garbled one means the
            # page is stale or was changed. Show it again with a fresh key and say so.
            messages.error(request, _(
                "This page has expired or is incomplete: its hidden field idempotency_key is missing or "
                "invalid. The page has been reloaded: check your answers and press “Submit application” again."))
            return _review_page(request, application, status=400)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("applications:status", application_id=application.pk)
        if was_draft:  # a replayed POST (double click) of an already submitted draft says nothing again
            messages.success(request, _("Sent. Your tracking number is %(number)s.")
                             % {"number": application.tracking_number})
        return redirect("applications:status", application_id=application.pk)
    if application.status != ApplicationStatus.DRAFT:
        return redirect("applications:status", application_id=application.pk)
    return _review_page(request, application)


def _review_page(request: HttpRequest, application: Application, status: int = 200) -> HttpResponse:
    """The review page of a draft, carrying a fresh idempotency key; for an incomplete draft the
    form with each error at its field instead (422; the form posts to the edit page)."""
    try:
        actions.check_complete(application)
    except actions.FormInvalid as exc:
        return _form_page(request, exc.form, application, _service_name(application.definition), status=422)
    return render(request, "applications/review.html", {
        "application": application, "rows": answer_rows(application.version.form_schema, application.answers),
        "idempotency_key": uuid.uuid4().hex}, status=status)


@page
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, principal: Principal, application_id: int) -> HttpResponseBase:
    """``/permohonan/<id>/``: status and the full timeline (applicant); POST takes an applicant
    transition (e.g. "kirim perbaikan" after revising)."""
    application = access.access_application_by_id(principal, application_id)
    if not access.is_applicant(principal, application):
        raise NotFound()
    if request.method == "POST":
        try:
            actions.application_transition(acting=principal, application_id=application.pk,
                                           transition=request.POST.get("transition", ""), request=request)
            messages.success(request, _("Sent."))
        except actions.FormInvalid:
            messages.error(request, _("Some answers are missing or need a fix."))
            return redirect("applications:edit", application_id=application.pk)
        except InvalidInput as exc:
            _field_errors_message(request, exc)
        except Conflict as exc:
            messages.error(request, str(exc))
        return redirect("applications:status", application_id=application.pk)
    workflow = Workflow(application.version.workflow)
    document = outcome_document(application)
    return render(request, "applications/status.html", {
        "application": application, "state_label": status_label(application),
        "document": document,
        "document_download_url": documents.download_url(document.pk) if document else "",
        "document_verification_url": documents.verification_url(document.pk) if document else "",
        "rows": answer_rows(application.version.form_schema, application.answers),
        "events": timeline_rows(application),
        "can_revise": application.status == ApplicationStatus.IN_PROCESS and workflow.waits_for_applicant(
            application.state),
        "applicant_transitions": [
            {"name": t.name, "label": text_in(t.label, request_language())}
            for t in workflow.allowed_transitions(application.state, principal, is_applicant=True)]
        if application.status == ApplicationStatus.IN_PROCESS else [],
        "can_cancel": _can_cancel(application, workflow),
    })


def _can_cancel(application: Application, workflow: Workflow) -> bool:
    """Whether the applicant is offered "Cancel this application" (the action checks again, locked)."""
    return application.status == ApplicationStatus.DRAFT or (
        application.status == ApplicationStatus.IN_PROCESS and application.state == workflow.initial
        and not application.claimed_by)


@page
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, principal: Principal, application_id: int) -> HttpResponseBase:
    """``/permohonan/<id>/batal/``: the applicant's "Cancel this application", asked first.

    GET, or a POST without ``confirm=yes``: the question (what is cancelled, that it cannot be
    undone) with a "Yes, cancel" form and a link back; nothing changes. POST with ``confirm=yes``:
    :func:`actions.application_cancel` (which checks again under lock; a refusal is shown on the
    status page). Not the applicant's application: 404; no longer cancellable: back to its page."""
    application = access.access_application_by_id(principal, application_id)
    if not access.is_applicant(principal, application):
        raise NotFound()
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        if not _can_cancel(application, Workflow(application.version.workflow)):
            return redirect("applications:status", application_id=application.pk)
        return render(request, "applications/cancel.html", {"application": application})
    try:
        actions.application_cancel(acting=principal, application=application, request=request)
        messages.success(request, _("The application was cancelled."))
    except Conflict as exc:
        messages.error(request, str(exc))
    return redirect("applications:status", application_id=application.pk)


@page
def mine(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """``/permohonan/saya/``: every application of the signed-in citizen, across agencies."""
    return render(request, "applications/mine.html", {
        "applications": [(a, status_label(a)) for a in selectors.my_applications(principal)[:200]]})


# --- officers ---------------------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50


class QueueFilterForm(forms.Form):
    """The queue's GET filters (ids ``f-<name>``, as the page's own form). A value that is not
    plain text (a NUL byte made PostgreSQL fail: a 500), too long, or not one of the choices is a
    field error in the page language."""

    service = forms.CharField(label=gettext_lazy("Service"), required=False, max_length=80)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", ""), *ApplicationStatus.choices])
    sla = forms.ChoiceField(label=gettext_lazy("Deadline"), required=False,
                            choices=[("", ""), *((name, name) for name in selectors.SLA_FILTERS)])
    number = forms.CharField(label=gettext_lazy("Tracking number"), required=False, max_length=40)


@page
def queue(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """``/backoffice/permohonan/``: the agency's queue with filters (service, status, SLA, number),
    :data:`QUEUE_PAGE_SIZE` per page (``?page=``; a page number out of range shows the last page),
    with the number of matching applications and links to the other pages keeping the filters."""
    if not access.is_officer_of_agency(principal):
        raise PermissionDenied("Officers of an agency only.")
    form = QueueFilterForm(request.GET, auto_id="f-%s")
    valid = form.is_valid()
    filters = {key: str(form.cleaned_data.get(key) or "") for key in QueueFilterForm.base_fields}
    matching = Application.objects.none()
    if valid:
        matching = selectors.queue_for(principal, service=filters["service"], status=filters["status"],
                                       sla=filters["sla"], number=filters["number"])
    page = Paginator(matching, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    return render(request, "applications/queue.html", {
        "applications": list(zip(rows, status_labels(rows), strict=True)), "filters": filters, "page": page,
        "form": form, "query": urlencode({k: v for k, v in filters.items() if v}),
        "statuses": ApplicationStatus.choices,
        "services": sorted({(d.slug, d.name) for d in _agency_definitions(principal)}, key=lambda s: s[1])},
        status=200 if valid else 400)


def _agency_definitions(principal: Principal) -> Any:
    from satupintu.applications.models import OnlineServiceDefinition

    return OnlineServiceDefinition.objects.filter(agency__code=principal.agency)


@page
@require_http_methods(["GET", "POST"])
def officer_detail(request: HttpRequest, principal: Principal, application_id: int) -> HttpResponseBase:
    """``/backoffice/permohonan/<id>/``: answers, files, timeline and the allowed actions."""
    if not access.is_officer_of_agency(principal):
        raise NotFound()
    application = access.access_application_by_id(principal, application_id)
    status_code = 200
    if request.method == "POST":
        try:
            lock = _posted_action(request)
        except InvalidInput as exc:
            _field_errors_message(request, exc)
            return render(request, "applications/officer_detail.html",
                          _officer_context(request, principal, application_id), status=400)
        if "claim" in request.POST:
            try:
                actions.application_claim(acting=principal, application_id=application.pk,
                                          expected_lock_version=lock, request=request)
                messages.success(request, _("You have taken this task."))
                return redirect("applications:officer-detail", application_id=application.pk)
            except Conflict as exc:
                messages.error(request, str(exc))
                return render(request, "applications/officer_detail.html",
                              _officer_context(request, principal, application_id), status=409)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return render(request, "applications/officer_detail.html",
                              _officer_context(request, principal, application_id), status=403)
        try:
            application = actions.application_transition(
                acting=principal, application_id=application.pk, transition=request.POST.get("transition", ""),
                reason=request.POST.get("reason", ""), expected_lock_version=lock, request=request)
            messages.success(request, _("Done: the application is now %(state)s.")
                             % {"state": status_label(application)})
            return redirect("applications:officer-detail", application_id=application.pk)
        except Conflict as exc:
            messages.error(request, str(exc))
            status_code = 409
        except PermissionDenied as exc:  # a role's action posted from another screen or a changed form
            messages.error(request, str(exc))
            status_code = 403
        except InvalidInput as exc:
            _field_errors_message(request, exc)
            status_code = 400 if any(e.field == "transition" for e in exc.errors) else 422
    else:
        actions.record_application_view(acting=principal, application=application, request=request)
    return render(request, "applications/officer_detail.html", _officer_context(request, principal, application_id),
                  status=status_code)


def _posted_action(request: HttpRequest) -> int:
    """Check the hidden fields of an officer's action form and return its ``lock_version`` (the
    version the screen showed: 1–9 ASCII digits). Missing or garbled hidden fields mean a tampered
    or broken form, not a colleague's action: raises :class:`InvalidInput` naming each of them,
    ``lock_version`` (rule ``format``) and ``transition`` (``required``: no action chosen, unless
    the task is being taken)."""
    errors: list[FieldError] = []
    raw = request.POST.get("lock_version", "")
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        errors.append(FieldError("lock_version", "format", _(
            "The form is incomplete or was changed: its hidden field lock_version must be a whole number. "
            "Reload the page and try again.")))
    if "claim" not in request.POST and not request.POST.get("transition", "").strip():
        errors.append(FieldError("transition", "required",
                                 _("No action was chosen: press the button of the action to take.")))
    if errors:
        raise InvalidInput(errors)
    return int(raw)


def _field_errors_message(request: HttpRequest, exc: InvalidInput) -> None:
    """Show each error of ``exc`` (already naming its field) as one message on the next page."""
    messages.error(request, " ".join(str(e.message) for e in exc.errors) or str(exc))


def _officer_context(request: HttpRequest, principal: Principal, application_id: int) -> dict[str, Any]:
    """What the officer's application page shows, read fresh (after a refused action too): the
    answers, the timeline, who has taken the task, and the transitions the officer's roles allow."""
    application = access.access_application_by_id(principal, application_id)
    workflow = Workflow(application.version.workflow)
    in_process = application.status == ApplicationStatus.IN_PROCESS
    transitions = workflow.allowed_transitions(application.state, principal, is_applicant=False) if in_process else []
    return {
        "application": application, "state_label": status_label(application),
        "rows": answer_rows(application.version.form_schema, application.answers),
        # Taking the task needs a transition the officer may take now (the action checks the same).
        "can_claim": in_process and not application.claimed_by and bool(transitions),
        "claimed_by_me": bool(application.claimed_by) and application.claimed_by == principal.id,
        "events": timeline_rows(application), "transitions": [
            {"name": t.name, "label": text_in(t.label, request_language()), "reason_required": t.reason_required}
            for t in transitions], "reason_max_length": actions.REASON_MAX_LENGTH}
