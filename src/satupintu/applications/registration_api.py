"""GovStack Registration building block — the applications part, on the same NinjaAPI as the
catalogue part (:data:`satupintu.catalog.govstack.registration_api`, base path ``/registration/v1/``).

Operations (spec: GovStack Registration BB API 0.1.1 and its statistics API 1.0, shared specs
folder): ``GET /services/{serviceId}/eForms``, ``GET /eForms/{eFormId}``,
``POST /services/{serviceId}/applications``, ``POST /documents``, ``GET /applications``,
``GET|PUT /applications/{fileId}``, ``GET /tasks``, ``GET /tasks/{taskId}``,
``POST /tasks/{taskId}/complete`` and ``GET /data/statistics`` (also ``/data/statistics/1.0``).

Every write goes through :mod:`satupintu.applications.actions` (the same actions as the web
pages: same form engine, same rules, same audit events, same idempotency); every read through
:mod:`satupintu.applications.access` / :mod:`~satupintu.applications.selectors`. This module
only translates between the BB's payloads and our models (mapping: ``docs/applications.md``).

Authentication (:mod:`satupintu.applications.registration_auth`, ADR 0090): an OAuth access
token of the platform with the ``registration`` scope, or the calling system named by the
Information Mediator. Errors are RFC 9457 problem details; validation errors name the field as
a path in the request (``formData.data.nik``) with the form engine's messages.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any, Literal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, File, Header, Path, Query, Router, Schema
from ninja.files import UploadedFile

from satupintu.applications import access, actions, selectors, uploads
from satupintu.applications.forms_engine import VERSION_FIELD, answers_to_data
from satupintu.applications.models import (
    Application,
    ApplicationStatus,
    DefinitionVersion,
    OnlineServiceDefinition,
    StagedDocument,
    VersionStatus,
)
from satupintu.applications.registration_auth import AUTH, principal_of, request_loa
from satupintu.applications.schema import text_in
from satupintu.applications.workflow import APPLICANT, Workflow
from satupintu.catalog import selectors as catalog_selectors
from satupintu.catalog.govstack import registration_api
from satupintu.catalog.models import Service, service_uuid
from satupintu.core.api import ObjectSchema
from satupintu.core.calendar import WIB
from satupintu.core.errors import FieldError, InvalidInput, NotFound, PermissionDenied
from satupintu.core.principal import Principal

FILE_ID = r"^SP-[0-9]{4}-[0-9]{6,12}$"
TASK_ID = r"^SP-[0-9]{4}-[0-9]{6,12}\.[a-z][a-z0-9_]{0,39}$"
EFORM_ID = r"^[a-z0-9][a-z0-9-]{0,79}\.v[1-9][0-9]{0,8}$"
PLAIN = r"^[^\x00-\x1f\x7f]*$"
IDEMPOTENCY_KEY = r"^[\x21-\x7e][\x20-\x7e]{0,78}[\x21-\x7e]$|^[\x21-\x7e]$"
DOCUMENT_URN = re.compile(r"^urn:uuid:([0-9a-fA-F-]{36})$")
MAX_PAGE = 500

router = Router(tags=["Applicant", "Operator"], auth=AUTH)
public = Router(tags=["Available Services"])
statistics_router = Router(tags=["Statistics API"], auth=AUTH)


# --- schemas (names and fields as in the BB spec) ---------------------------------------------

class EFormListItem(Schema):
    eFormId: str = Field(description="``<online service slug>.v<version>``")  # noqa: N815
    name: str
    description: str
    version: str
    latest: bool


class EForm(EFormListItem):
    schema_: dict[str, Any] = Field(alias="schema", description="the form schema (docs/applications.md)")


class FormData(ObjectSchema):
    data: dict[str, Any] = Field(default_factory=dict, description="answers by field name (docs/applications.md)")
    eFormId: str | None = Field(None, pattern=EFORM_ID,  # noqa: N815
                                description="the e-form the answers were made for (stale versions are refused)")


class ApplicationFileSubmit(ObjectSchema):
    applicationName: str | None = Field(None, max_length=255, pattern=PLAIN)  # noqa: N815
    applicantId: str | None = Field(None, max_length=255, pattern=PLAIN,  # noqa: N815
                                    description="optional; if given, must be the token's own applicant id")
    created: str | None = Field(None, max_length=40, description="ignored: the platform records its own times")
    formData: FormData = Field(default_factory=lambda: FormData(eFormId=None))  # noqa: N815
    documentUrls: list[str] = Field(default_factory=list, max_length=50,  # noqa: N815
                                    description="informational; files are referenced from file fields")


class StatusModel(Schema):
    code: Literal["PENDING", "APPROVED", "SENDBACK", "REJECTED"]
    title: str


class ApplicationData(Schema):
    applicantId: str  # noqa: N815
    applicationName: str  # noqa: N815
    created: dt.datetime
    formData: FormData  # noqa: N815
    documentUrls: list[str]  # noqa: N815


class ApplicationFileResponse(Schema):
    fileId: str  # noqa: N815
    registered: dt.datetime | None
    serviceId: str  # noqa: N815
    serviceName: str  # noqa: N815
    status: StatusModel
    ended: bool
    applicationData: ApplicationData  # noqa: N815


class ApplicationListItem(Schema):
    fileId: str  # noqa: N815
    mainTaskId: str  # noqa: N815
    taskTitle: str  # noqa: N815
    roleId: str  # noqa: N815
    roleName: str  # noqa: N815
    assigneeId: str  # noqa: N815
    operatorName: str  # noqa: N815
    status: StatusModel
    applicantId: str  # noqa: N815
    created: dt.datetime
    registered: dt.datetime | None
    description: str
    serviceName: str  # noqa: N815
    serviceId: str  # noqa: N815
    eformId: str  # noqa: N815
    documentUrls: list[str]  # noqa: N815
    additionalMeta: dict[str, Any]  # noqa: N815


class UploadResponse(Schema):
    code: int
    type: str
    message: str
    url: str = Field(description="``urn:uuid:<id>``: put it as the value of a file field in ``formData.data``")


class UserTask(Schema):
    taskId: str  # noqa: N815
    mainTaskId: str  # noqa: N815
    name: str
    assigneeId: str  # noqa: N815
    roleId: str  # noqa: N815
    created: dt.datetime | None
    description: str
    serviceId: str  # noqa: N815
    serviceName: str  # noqa: N815
    fileId: str  # noqa: N815
    eFormId: str  # noqa: N815
    status: StatusModel


class DataUserTask(Schema):
    taskId: str  # noqa: N815
    taskName: str  # noqa: N815
    assigneeId: str  # noqa: N815
    roleId: str  # noqa: N815
    created: dt.datetime | None
    description: str
    fileId: str  # noqa: N815
    serviceId: str  # noqa: N815
    serviceName: str  # noqa: N815
    eFormId: str  # noqa: N815
    formVariables: dict[str, dict[str, Any]]  # noqa: N815
    status: StatusModel
    data: dict[str, Any]


class AdditionalData(ObjectSchema):
    data: dict[str, Any] = Field(default_factory=dict,
                                 description="``transition`` (required: a transition name from formVariables) "
                                             "and ``reason``")


class CompletedTask(Schema):
    taskId: str  # noqa: N815
    fileId: str  # noqa: N815
    serviceId: str  # noqa: N815
    status: StatusModel
    variables: dict[str, dict[str, Any]]


class ListQuery(Schema):
    serviceId: uuid.UUID | None = None  # noqa: N815
    applicantId: str | None = Field(None, max_length=255, pattern=PLAIN)  # noqa: N815
    firstResult: int = Field(0, ge=0, le=1_000_000, description="index of the first result (0-based)")  # noqa: N815
    maxResult: int = Field(50, ge=1, le=MAX_PAGE)  # noqa: N815
    sortBy: Literal["created", "dueDate", "id"] | None = None  # noqa: N815
    sortOrder: Literal["asc", "desc"] | None = None  # noqa: N815


class TaskQuery(Schema):
    mainTaskId: str | None = Field(None, pattern=FILE_ID)  # noqa: N815
    fileId: str | None = Field(None, pattern=FILE_ID)  # noqa: N815
    assigneeId: str | None = Field(None, max_length=255, pattern=PLAIN)  # noqa: N815
    firstResult: int = Field(0, ge=0, le=1_000_000)  # noqa: N815
    maxResult: int = Field(50, ge=1, le=MAX_PAGE)  # noqa: N815
    sortBy: Literal["created", "dueDate", "id"] | None = None  # noqa: N815
    sortOrder: Literal["asc", "desc"] | None = None  # noqa: N815


DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class StatisticsQuery(Schema):
    startDate: str | None = Field(None, pattern=DATE, json_schema_extra={"format": "date"},  # noqa: N815
                                  description="First day (WIB), inclusive; 1900-01-01 to 9998-12-31")
    endDate: str | None = Field(None, pattern=DATE, json_schema_extra={"format": "date"},  # noqa: N815
                                description="Last day (WIB), inclusive; 1900-01-01 to 9998-12-31")
    registrationName: str | None = Field(None, max_length=200, pattern=PLAIN)  # noqa: N815
    timeframe: Literal["day", "week", "month", "year"] | None = None


class StatisticsReferences(Schema):
    startDate: dt.date | None  # noqa: N815
    endDate: dt.date | None  # noqa: N815
    registrationName: str  # noqa: N815
    timeframeDay: bool  # noqa: N815
    timeframeWeek: bool  # noqa: N815
    timeframeMonth: bool  # noqa: N815
    timeframeYear: bool  # noqa: N815


class StatisticsItem(Schema):
    processed: int
    approved: int
    sentBack: int  # noqa: N815
    rejected: int
    references: StatisticsReferences


# --- mapping helpers ----------------------------------------------------------------------------

def eform_id(version: DefinitionVersion) -> str:
    return f"{version.definition.slug}.v{version.number}"


def _lang() -> str:
    return (get_language() or "id")[:2]


def _definition_name(definition: OnlineServiceDefinition) -> str:
    return definition.name_en if _lang() == "en" and definition.name_en else definition.name_id


def _service_id(definition: OnlineServiceDefinition) -> str:
    return str(service_uuid(definition.service_slug))


def status_of(application: Application, workflow: Workflow | None = None) -> dict[str, str]:
    """The BB ``statusModel``: PENDING while officers process it, SENDBACK while it waits for
    the applicant, APPROVED/REJECTED when finished; a cancelled application is REJECTED with
    the title "Cancelled". ``title``: the workflow state's label in the request's language."""
    workflow = workflow or Workflow(application.version.workflow)
    if application.status == ApplicationStatus.CANCELLED:
        return {"code": "REJECTED", "title": str(_("Cancelled"))}
    title = text_in(workflow.states.get(application.state, {}).get("label"), _lang()) or application.state
    if application.status == ApplicationStatus.FINISHED:
        return {"code": "APPROVED" if application.outcome == "approved" else "REJECTED", "title": title}
    if workflow.waits_for_applicant(application.state):
        return {"code": "SENDBACK", "title": title}
    return {"code": "PENDING", "title": title}


def _document_urls(application: Application) -> list[str]:
    """Links to the application's files (the web view, guarded by the same chokepoint)."""
    return [reverse("applications:upload", args=[application.pk, u.pk]) for u in application.uploads.all()]


def application_file(application: Application) -> dict[str, Any]:
    """An application as the BB ``applicationFileResponse`` (``fileId`` = tracking number)."""
    workflow = Workflow(application.version.workflow)
    return {
        "fileId": application.tracking_number or "",
        "registered": application.submitted_at,
        "serviceId": _service_id(application.definition),
        "serviceName": _definition_name(application.definition),
        "status": status_of(application, workflow),
        "ended": application.status in (ApplicationStatus.FINISHED, ApplicationStatus.CANCELLED),
        "applicationData": {
            "applicantId": application.applicant_id,
            "applicationName": _definition_name(application.definition),
            "created": application.created_at,
            "formData": {"data": application.answers, "eFormId": eform_id(application.version)},
            "documentUrls": _document_urls(application),
        },
    }


def _roles_from(workflow: Workflow, state: str) -> str:
    return ",".join(sorted({t.role for t in workflow.from_state(state)}))


def _list_item(application: Application, workflow: Workflow, number: int) -> dict[str, Any]:
    roles = _roles_from(workflow, application.state)
    return {
        "fileId": application.tracking_number or "", "mainTaskId": application.tracking_number or "",
        "taskTitle": text_in(workflow.states.get(application.state, {}).get("label"), _lang()),
        "roleId": roles, "roleName": roles, "assigneeId": application.claimed_by, "operatorName": "",
        "status": status_of(application, workflow), "applicantId": application.applicant_id,
        "created": application.created_at, "registered": application.submitted_at,
        "description": application.tracking_number or "",
        "serviceName": _definition_name(application.definition), "serviceId": _service_id(application.definition),
        "eformId": f"{application.definition.slug}.v{number}",
        "documentUrls": [], "additionalMeta": {"data": {"dueDate": application.due_at.isoformat()
                                                        if application.due_at else None}},
    }


class _Workflows:
    """Workflows by version id, loaded once per request (lists do not fetch every version)."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[Workflow, int]] = {}

    def get(self, version_id: int) -> tuple[Workflow, int]:
        if version_id not in self._cache:
            version = DefinitionVersion.objects.only("workflow", "number").get(pk=version_id)
            self._cache[version_id] = (Workflow(version.workflow), version.number)
        return self._cache[version_id]


def _order(query: ListQuery | TaskQuery, default: str) -> list[str]:
    field = {"created": "submitted_at", "dueDate": "due_at", "id": "id"}[query.sortBy or default]
    desc = (query.sortOrder or ("desc" if (query.sortBy or default) == "created" else "asc")) == "desc"
    return [f"-{field}" if desc else field, "-id" if desc else "id"]


def _task(application: Application, workflow: Workflow, number: int) -> dict[str, Any]:
    label = text_in(workflow.states.get(application.state, {}).get("label"), _lang())
    return {
        "taskId": f"{application.tracking_number}.{application.state}",
        "mainTaskId": application.tracking_number or "", "name": label,
        "assigneeId": application.claimed_by, "roleId": _roles_from(workflow, application.state),
        "created": application.submitted_at,
        "description": f"{application.tracking_number} — {_definition_name(application.definition)}",
        "serviceId": _service_id(application.definition), "serviceName": _definition_name(application.definition),
        "fileId": application.tracking_number or "", "eFormId": f"{application.definition.slug}.v{number}",
        "status": status_of(application, workflow),
    }


def _is_task_of(principal: Principal, application: Application, workflow: Workflow) -> bool:
    """A task is an open application waiting for whoever acts next: the applicant while the
    workflow waits for them, the agency's officers (and, read-only, its systems) otherwise."""
    if application.status != ApplicationStatus.IN_PROCESS:
        return False
    waiting = workflow.waits_for_applicant(application.state)
    if principal.kind == "citizen":
        return waiting and access.is_applicant(principal, application)
    return not waiting


# --- validation errors: form inputs → request paths ------------------------------------------------

def _region_fields(schema: dict[str, Any]) -> set[str]:
    names = set()
    for spec in schema["fields"]:
        if spec["type"] == "region":
            names.add(spec["name"])
        for sub in spec.get("fields", []) if spec["type"] == "group" else []:
            if sub["type"] == "region":
                names.add(sub["name"])
    return names


def _api_field(name: str, rule: str, regions: set[str]) -> str:
    """A form input name (``anggota-0-nik``, ``alamat-street``, ``wilayah_1``) as the request
    path of the value (``formData.data.anggota.0.nik``, ``formData.data.alamat.street``,
    ``formData.data.wilayah``); ``__all__`` is the form as a whole (``formData``, or
    ``formData.eFormId`` for a stale version)."""
    if name == "__all__" or name == VERSION_FIELD:
        return "formData.eFormId" if rule == "stale_version" else "formData"
    if name.endswith("-count"):
        name = name[: -len("-count")]
    parts = name.split("-")
    level = re.match(r"^(.+)_[0-3]$", parts[-1])
    if level and level.group(1) in regions:  # the region picker's per-level inputs
        parts[-1] = level.group(1)
    return "formData.data." + ".".join(parts)


def _form_invalid(exc: actions.FormInvalid) -> InvalidInput:
    regions = _region_fields(exc.form.schema)
    errors = [FieldError(_api_field(e.field, e.rule, regions), e.rule, e.message) for e in exc.errors]
    return InvalidInput(errors, detail=exc.detail)


def _bound_data(request: HttpRequest, principal: Principal, version: DefinitionVersion, form_data: FormData,
                *, errors: list[FieldError] | None = None, existing: dict[str, Any] | None = None
                ) -> tuple[MultiValueDict, MultiValueDict, list[StagedDocument]]:
    """``formData`` → (form data, files, staged documents used) for the form engine. File fields
    carry ``urn:uuid:<id>`` of a document this principal uploaded with ``POST /documents``.

    ``errors``: problems the caller already found in the request (e.g. ``applicantId``). When there
    is any problem, the form's own rules are checked too (``existing``: the stored answers) and
    :class:`InvalidInput` names every field at once, each field once."""
    answers = dict(form_data.data)
    errors = list(errors or [])
    files: MultiValueDict[str, Any] = MultiValueDict()
    used: list[StagedDocument] = []

    def take(value: Any, key: str, path: str) -> None:
        if value is None:
            return
        match = DOCUMENT_URN.match(value) if isinstance(value, str) else None
        document = _staged_document(principal, match.group(1)) if match else None
        if document is None:
            errors.append(FieldError(f"formData.data.{path}", "document",
                                     _("Give the urn:uuid: of a document you uploaded with POST /documents.")))
            return
        with uploads.open_stored(document.storage_name) as handle:
            content = handle.read()
        files[key] = SimpleUploadedFile(document.name, content, content_type=document.content_type)
        used.append(document)

    for spec in version.form_schema["fields"]:
        name = spec["name"]
        if spec["type"] == "file" and name in answers:
            take(answers.pop(name), name, name)
        elif spec["type"] == "group" and isinstance(answers.get(name), list):
            subs = [s["name"] for s in spec["fields"] if s["type"] == "file"]
            rows = [dict(r) if isinstance(r, dict) else r for r in answers[name]]
            for i, row in enumerate(rows):
                if isinstance(row, dict):
                    for sub in subs:
                        if sub in row:
                            take(row.pop(sub), f"{name}-{i}-{sub}", f"{name}.{i}.{sub}")
            answers[name] = rows
    posted_version = version.number
    if form_data.eFormId:
        slug, number = form_data.eFormId.rsplit(".v", 1)
        if slug != version.definition.slug:
            errors.append(FieldError("formData.eFormId", "reference",
                                     _("This e-form belongs to another service.")))
        posted_version = int(number)
        if posted_version > version.number:
            # Not a form the caller can have been given (versions only grow; a newer one is at most
            # a draft): say so, rather than "the form was changed after you opened it".
            errors.append(FieldError("formData.eFormId", "reference", _(
                "%(posted)s is not a published version of this service's e-form; the current one is %(current)s."
            ) % {"posted": form_data.eFormId, "current": eform_id(version)}))
            posted_version = version.number
    data, shape_errors = answers_to_data(version.form_schema, answers, version=posted_version, strict=True)
    errors += [FieldError(f"formData.data.{e.field}" if e.field != "answers" else "formData.data", e.rule, e.message)
               for e in shape_errors]
    if errors:
        raise InvalidInput(errors + _form_errors_besides(errors, version, data, files, existing),
                           detail=str(_("Some answers need your attention.")))
    return data, files, used


def _form_errors_besides(errors: list[FieldError], version: DefinitionVersion, data: MultiValueDict,
                         files: MultiValueDict, existing: dict[str, Any] | None) -> list[FieldError]:
    """The form engine's errors on fields that ``errors`` does not already name (a value refused
    for its shape is left out of ``data``, so the engine would call it missing as well)."""
    named = {e.field for e in errors}
    try:
        actions.answers_check(version=version, data=data, files=files, existing=existing)
    except actions.FormInvalid as exc:
        return [e for e in _form_invalid(exc).errors
                if e.field not in named and not any(e.field.startswith(f"{n}.") for n in named)]
    return []


def _staged_document(principal: Principal, uid: str) -> StagedDocument | None:
    try:
        return access.access_staged_document_by_uid(principal, uid)
    except NotFound:
        return None


def _require_loa(request: HttpRequest, version: DefinitionVersion) -> None:
    """The token's sign-in must meet the service's level of assurance (level 3 needs loa2,
    as on the web pages, ADR 0080)."""
    needed = min(version.required_loa, 2)
    if int(request_loa(request)[-1]) < needed:
        raise PermissionDenied(str(_("This service needs a sign-in at level %(level)d (with a second factor).")
                                   % {"level": needed}))


def _definitions_of_service(service_id: str) -> tuple[Service, list[OnlineServiceDefinition]]:
    service = catalog_selectors.service_by_uid(service_id)
    if service is None:
        raise NotFound(_("No service has the id %(id)s.") % {"id": service_id[:64]})
    definitions = list(OnlineServiceDefinition.objects.select_related("agency")
                       .filter(service_slug=service.slug, is_active=True).order_by("slug"))
    return service, definitions


# --- Available services: e-forms (public, like the services themselves) -------------------------

@public.get("/services/{serviceId}/eForms", response=list[EFormListItem], operation_id="getServiceSchemaByServiceKey",
            summary="Retrieve all available e-forms")
def get_service_eforms(request: HttpRequest, serviceId: str) -> list[dict[str, Any]]:  # noqa: N803
    """The published form versions of the service's active online services, newest first
    (``latest`` marks the one new applications use). Unknown/malformed id → 404 problem."""
    _service, definitions = _definitions_of_service(serviceId)
    out = []
    for definition in definitions:
        versions = list(definition.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number"))
        for i, version in enumerate(versions):
            out.append({"eFormId": eform_id(version), "name": _definition_name(definition),
                        "description": definition.slug, "version": str(version.number), "latest": i == 0})
    return out


@public.get("/eForms/{eFormId}", response=EForm, operation_id="getEFormById", by_alias=True,
            summary="Retrieve a specific e-form by ID")
def get_eform(request: HttpRequest, eFormId: str = Path(..., pattern=EFORM_ID)) -> dict[str, Any]:  # noqa: N803
    """One published form version with its schema (our form schema format, docs/applications.md).
    Unknown id or inactive service → 404 problem."""
    slug, number = eFormId.rsplit(".v", 1)
    version = (DefinitionVersion.objects.select_related("definition")
               .filter(definition__slug=slug, definition__is_active=True, number=int(number),
                       status=VersionStatus.PUBLISHED).first())
    if version is None:
        raise NotFound()
    latest = version.definition.current_version()
    return {"eFormId": eform_id(version), "name": _definition_name(version.definition),
            "description": version.definition.slug, "version": str(version.number),
            "latest": latest is not None and latest.pk == version.pk, "schema": version.form_schema}


# --- Applicant ------------------------------------------------------------------------------------

@router.post("/services/{serviceId}/applications", response=ApplicationFileResponse,
             operation_id="submitApplicationFile", summary="Submit an application file as an applicant")
def submit_application(request: HttpRequest, serviceId: str, payload: ApplicationFileSubmit,  # noqa: N803
                       idempotency_key: str | None = Header(None, alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY)
                       ) -> dict[str, Any]:
    """Create and submit an application in one step (:func:`actions.application_apply`).

    Only a citizen's own token may apply (403 otherwise), at the service's level of assurance.
    ``Idempotency-Key`` (1–80 visible ASCII characters): a retry with the same key returns the
    first application unchanged (without it every call is a new application). Errors: 404
    unknown service or no online form; 422 with ``formData.data.<field>`` paths (the form
    engine's rules and messages), ``formData.eFormId`` (rule ``stale_version``) for an old form.
    """
    principal = principal_of(request)
    access.require_can_apply(principal)
    errors: list[FieldError] = []  # reported with the answers' errors, all at once
    if payload.applicantId not in (None, "", principal.id):
        errors.append(FieldError("applicantId", "reference",
                                 _("The applicant is the signed-in citizen: leave applicantId out or give "
                                   "your own id.")))
    _service, definitions = _definitions_of_service(serviceId)
    try:
        definition = _definition_for(definitions, payload.formData.eFormId)
    except InvalidInput as exc:
        raise InvalidInput(errors + exc.errors) from None
    version = definition.current_version()
    if version is None:
        raise NotFound()
    _require_loa(request, version)
    key = idempotency_key if idempotency_key is not None else uuid.uuid4().hex
    earlier = actions.application_for_idempotency_key(acting=principal, idempotency_key=key)
    if earlier is not None and not errors:  # a retry: its documents were already taken by the first request
        return application_file(earlier)
    data, files, used = _bound_data(request, principal, version, payload.formData, errors=errors)
    try:
        with transaction.atomic():
            application = actions.application_apply(acting=principal, definition=definition, data=data,
                                                    files=files, idempotency_key=key, request=request)
            actions.staged_documents_consumed(documents=used)
    except actions.FormInvalid as exc:
        raise _form_invalid(exc) from None
    return application_file(application)


def _definition_for(definitions: list[OnlineServiceDefinition], eform: str | None) -> OnlineServiceDefinition:
    if eform:
        slug = eform.rsplit(".v", 1)[0]
        for definition in definitions:
            if definition.slug == slug:
                return definition
        raise InvalidInput([FieldError("formData.eFormId", "reference", _("This e-form belongs to another service."))])
    for definition in definitions:
        if definition.current_version() is not None:
            return definition
    raise NotFound(_("This service cannot be applied for online."))


@router.post("/documents", response=UploadResponse, operation_id="uploadFile", summary="Upload a required document")
def upload_document(request: HttpRequest, file: File[UploadedFile],
                    additionalMetadata: Query[str | None] = None  # noqa: N803
                    ) -> dict[str, Any]:
    """Check (content sniffing, PDF parse, image re-encode, virus scan, size: the upload rules
    of ADR 0072) and stage one document of the signed-in citizen; the returned
    ``urn:uuid:…`` goes into a file field of ``formData.data``. Errors: 403 not a citizen,
    422 naming ``file`` with the upload checks' message."""
    document = actions.document_stage(acting=principal_of(request), file=file, request=request)
    return {"code": 200, "type": document.content_type, "message": document.name, "url": f"urn:uuid:{document.uid}"}


# --- Applicant and operator: applications ----------------------------------------------------------

@router.get("/applications", response=list[ApplicationListItem], operation_id="getApplicantFileList",
            summary="Retrieve all application files")
def list_applications(request: HttpRequest, query: Query[ListQuery]) -> list[dict[str, Any]]:
    """The submitted applications the principal may see (:func:`access.applications_for`): a
    citizen's own, an officer's or agency system's agency's. Filters: ``serviceId``,
    ``applicantId``; paging ``firstResult`` (0-based) / ``maxResult`` (≤ 500)."""
    principal = principal_of(request)
    qs = (access.applications_for(principal).filter(status__in=access.SUBMITTED_STATUSES)
          .select_related(None).select_related("definition").defer("answers"))
    if query.serviceId is not None:
        slugs = Service.objects.filter(uid=query.serviceId).values_list("slug", flat=True)
        qs = qs.filter(definition__service_slug__in=list(slugs))
    if query.applicantId:
        qs = qs.filter(applicant_id=query.applicantId)
    rows = qs.order_by(*_order(query, "created"))[query.firstResult:query.firstResult + query.maxResult]
    workflows = _Workflows()
    out = []
    for application in rows:
        workflow, number = workflows.get(application.version_id)
        out.append(_list_item(application, workflow, number))
    return out


@router.get("/applications/{fileId}", response=ApplicationFileResponse, operation_id="getApplicationFileById",
            summary="Get application file by ID")
def get_application(request: HttpRequest, fileId: str = Path(..., pattern=FILE_ID)) -> dict[str, Any]:  # noqa: N803
    """One application by tracking number. Someone else's, another agency's or unknown → the
    same 404. An officer's or system's read is recorded as a data access of the applicant."""
    principal = principal_of(request)
    application = access.access_application_by_tracking_number(principal, fileId)
    actions.record_application_view(acting=principal, application=application, request=request)
    return application_file(application)


@router.put("/applications/{fileId}", response=ApplicationFileResponse, operation_id="updateApplicationFileForm",
            summary="Update the application file (the applicant's revision)")
def update_application(request: HttpRequest, payload: ApplicationFileSubmit,
                       fileId: str = Path(..., pattern=FILE_ID)) -> dict[str, Any]:  # noqa: N803
    """The applicant replaces the answers while the workflow waits for them ("perlu perbaikan";
    :func:`actions.application_save_draft`, every rule applies), then completes their task with
    ``POST /tasks/{taskId}/complete``. Officers do not change applicants' answers (403). Errors:
    404 not visible, 409 not waiting for the applicant, 422 as for submission."""
    principal = principal_of(request)
    application = access.access_application_by_tracking_number(principal, fileId)
    if not access.is_applicant(principal, application):
        raise PermissionDenied(str(_("Only the applicant can change the answers; officers act with tasks.")))
    _require_loa(request, application.version)
    data, files, used = _bound_data(request, principal, application.version, payload.formData,
                                    existing=application.answers)
    try:
        with transaction.atomic():
            application = actions.application_save_draft(acting=principal, data=data, files=files,
                                                         application=application, request=request)
            actions.staged_documents_consumed(documents=used)
    except actions.FormInvalid as exc:
        raise _form_invalid(exc) from None
    return application_file(application)


# --- tasks -----------------------------------------------------------------------------------------

@router.get("/tasks", response=list[UserTask], operation_id="getTasks", summary="Retrieve all tasks")
def list_tasks(request: HttpRequest, query: Query[TaskQuery]) -> list[dict[str, Any]]:
    """Open tasks: for officers (and, read-only, agency systems) the agency's applications in
    process that wait for an officer; for a citizen their applications sent back to them.
    ``taskId`` = ``<fileId>.<state>``. Filters ``fileId``/``mainTaskId``, ``assigneeId``
    (the claiming officer's id); default order: due date ascending. ``firstResult``/``maxResult``
    page through every task (filtered and paged in the database)."""
    principal = principal_of(request)
    if principal.kind == "citizen":
        qs = selectors.my_applications(principal).filter(status=ApplicationStatus.IN_PROCESS).defer("answers")
    else:
        qs = selectors.queue_for(principal, status=ApplicationStatus.IN_PROCESS)
    number = query.fileId or query.mainTaskId
    if number:
        qs = qs.filter(tracking_number=number)
    if query.assigneeId:
        qs = qs.filter(claimed_by=query.assigneeId)
    # Whose turn it is depends on each version's workflow: filter in SQL so that paging reaches
    # every task, however many applications the agency has open.
    waiting = _waiting_for_applicant(qs)
    qs = qs.filter(waiting) if principal.kind == "citizen" else qs.exclude(waiting)
    workflows = _Workflows()
    out: list[dict[str, Any]] = []
    page = qs.order_by(*_order(query, "dueDate"))[query.firstResult:query.firstResult + query.maxResult]
    for application in page:
        workflow, version_number = workflows.get(application.version_id)
        if _is_task_of(principal, application, workflow):  # the same rule, checked again per row
            out.append(_task(application, workflow, version_number))
    return out


def _waiting_for_applicant(qs: Any) -> Q:
    """Matches the applications of ``qs`` whose state waits for the applicant (``with:
    applicant`` in their own version's workflow); one query over the versions in use."""
    waiting = Q(pk__in=[])
    versions = DefinitionVersion.objects.filter(pk__in=qs.values("version_id")).values_list("pk", "workflow")
    for version_id, workflow in versions:
        states = [s["name"] for s in workflow["states"] if s.get("with") == APPLICANT]
        if states:
            waiting |= Q(version_id=version_id, state__in=states)
    return waiting


def _task_application(principal: Principal, task_id: str) -> tuple[Application, Workflow]:
    number, state = task_id.split(".", 1)
    application = access.access_application_by_tracking_number(principal, number)
    workflow = Workflow(application.version.workflow)
    if application.state != state or not _is_task_of(principal, application, workflow):
        raise NotFound(_("This task is done or is not yours."))
    return application, workflow


def _variables(principal: Principal, application: Application, workflow: Workflow) -> dict[str, dict[str, Any]]:
    allowed = {t.name for t in workflow.allowed_transitions(application.state, principal,
                                                           is_applicant=access.is_applicant(principal, application))}
    return {t.name: {"label": text_in(t.label, _lang()), "to": t.target, "role": t.role,
                     "reasonRequired": t.reason_required, "allowed": t.name in allowed}
            for t in workflow.from_state(application.state)}


@router.get("/tasks/{taskId}", response=DataUserTask, operation_id="getTaskById", summary="Get task by id")
def get_task(request: HttpRequest, taskId: str = Path(..., pattern=TASK_ID)) -> dict[str, Any]:  # noqa: N803
    """One open task with the application's answers (``data``) and the transitions out of its
    state (``formVariables``: label, target, role, ``reasonRequired``, ``allowed`` for the caller).
    Done, stale or not visible → 404. Officers' and systems' reads are recorded as data access."""
    principal = principal_of(request)
    application, workflow = _task_application(principal, taskId)
    actions.record_application_view(acting=principal, application=application, request=request)
    task = _task(application, workflow, application.version.number)
    return {"taskId": task["taskId"], "taskName": task["name"], "assigneeId": task["assigneeId"],
            "roleId": task["roleId"], "created": task["created"], "description": task["description"],
            "fileId": task["fileId"], "serviceId": task["serviceId"], "serviceName": task["serviceName"],
            "eFormId": task["eFormId"], "formVariables": _variables(principal, application, workflow),
            "status": task["status"], "data": application.answers}


@router.post("/tasks/{taskId}/complete", response=CompletedTask, operation_id="completeTaskById",
             summary="Complete task by id")
def complete_task(request: HttpRequest, payload: AdditionalData,
                  taskId: str = Path(..., pattern=TASK_ID)) -> dict[str, Any]:  # noqa: N803
    """Take one workflow transition (:func:`actions.application_transition`): ``data.transition``
    names it, ``data.reason`` when it needs one. Officers need the transition's role; the
    applicant takes ``applicant`` transitions (sending a revision re-checks every answer).
    Errors: 404 task done/not visible, 403 role, 409 someone acted first, 422 naming
    ``data.transition`` / ``data.reason``."""
    principal = principal_of(request)
    application, workflow = _task_application(principal, taskId)
    transition = payload.data.get("transition")
    reason = payload.data.get("reason", "")
    choices = ", ".join(t.name for t in workflow.from_state(application.state))
    if not isinstance(transition, str) or not transition:
        raise InvalidInput([FieldError("data.transition", "required",
                                       _("Name the transition to take (one of: %(names)s).") % {"names": choices})])
    if workflow.transition(transition) is None or application.state not in workflow.transitions[transition].source:
        raise InvalidInput([FieldError("data.transition", "choice",
                                       _("Unknown action %(name)s.") % {"name": transition[:40]})])
    if not isinstance(reason, str):  # its length and characters: actions.check_reason
        raise InvalidInput([FieldError("data.reason", "format", _("A reason is text of at most %(max)d characters.")
                                       % {"max": actions.REASON_MAX_LENGTH})])
    try:
        # The task names the state the caller saw: if anyone moved the application since it was
        # read, the transition must not be taken from the newer state (409, not a silent jump).
        done = actions.application_transition(acting=principal, application_id=application.pk,
                                              transition=transition, reason=reason,
                                              expected_lock_version=application.lock_version, request=request)
    except actions.FormInvalid as exc:
        raise _form_invalid(exc) from None
    except InvalidInput as exc:
        raise InvalidInput([FieldError(f"data.{e.field}", e.rule, e.message) for e in exc.errors],
                           detail=exc.detail) from None
    return {"taskId": taskId, "fileId": done.tracking_number or "", "serviceId": _service_id(done.definition),
            "status": status_of(done, workflow),
            "variables": {"transition": {"name": transition, "from": application.state, "to": done.state}}}


# --- statistics ------------------------------------------------------------------------------------

MAX_BUCKETS = 400


def _buckets(start: dt.date, end: dt.date, timeframe: str | None) -> list[tuple[dt.date, dt.date]]:
    """``[start, end]`` (inclusive days) cut into day/week/month/year periods."""
    if timeframe is None:
        return [(start, end)]
    out: list[tuple[dt.date, dt.date]] = []
    cursor = start
    while cursor <= end:
        if timeframe == "day":
            last = cursor
        elif timeframe == "week":
            last = cursor + dt.timedelta(days=6 - cursor.weekday())
        elif timeframe == "month":
            following = (cursor.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            last = following - dt.timedelta(days=1)
        else:
            last = dt.date(cursor.year, 12, 31)
        out.append((cursor, min(last, end)))
        cursor = last + dt.timedelta(days=1)
        if len(out) > MAX_BUCKETS:
            raise InvalidInput([FieldError("timeframe", "max_items",
                                           _("At most %(n)d periods; choose a longer timeframe or a shorter range.")
                                           % {"n": MAX_BUCKETS})])
    return out


# Dates the statistics accept: a period's end + 1 day and the year/month cut must stay within
# Python's dates (9999-12-31 overflowed into a 500), and a day in WIB within UTC's (0001-01-01).
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(9998, 12, 31)


def _date(value: str | None, name: str) -> dt.date | None:
    """``value`` (``YYYY-MM-DD``) as a date from :data:`FIRST_DATE` to :data:`LAST_DATE`, else
    :class:`InvalidInput` naming ``name`` with the rule ``date_parsing``, ``min_value`` or ``max_value``."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput([FieldError(name, "date_parsing", _("Must be a date (YYYY-MM-DD)."))]) from None
    if day < FIRST_DATE:
        raise InvalidInput([FieldError(name, "min_value", _("Must be on or after %(date)s.")
                                       % {"date": FIRST_DATE.isoformat()})])
    if day > LAST_DATE:
        raise InvalidInput([FieldError(name, "max_value", _("Must be on or before %(date)s.")
                                       % {"date": LAST_DATE.isoformat()})])
    return day


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=WIB)


def statistics(request: HttpRequest, query: StatisticsQuery) -> list[dict[str, Any]]:
    """Figures per online service (and per period with ``timeframe``) over the applications the
    caller may see: officers and agency systems their agency's; citizens get 403.
    ``processed`` = finished (approved + rejected), ``sentBack`` = sent back to the applicant at
    least once; dates are days in WIB, ``startDate``/``endDate`` inclusive, by submission time.
    Computed by :func:`selectors.service_statistics_by_period` (the back-office figures; one
    read per service whatever the number of periods)."""
    principal = principal_of(request)
    if principal.kind == "citizen" or principal.kind == "anonymous":
        raise PermissionDenied(str(_("Statistics are for the agency's officers and systems.")))
    start_date, end_date = _date(query.startDate, "startDate"), _date(query.endDate, "endDate")
    if start_date and end_date and end_date < start_date:
        raise InvalidInput([FieldError("endDate", "min_value", _("The end date is before the start date."))])
    today = timezone.localdate(timezone=WIB)
    end = end_date or today
    start = start_date or (end - dt.timedelta(days=365) if query.timeframe else None)
    definitions = OnlineServiceDefinition.objects.select_related("agency").order_by("slug")
    if principal.kind != "platform":
        definitions = definitions.filter(agency__code=principal.agency or "")
    out = []
    for definition in definitions:
        name = _definition_name(definition)
        if query.registrationName and query.registrationName.lower() not in (
                f"{definition.name_id} {definition.name_en} {definition.slug}".lower()):
            continue
        ranges: list[tuple[dt.date | None, dt.date | None]] = (
            list(_buckets(start, end, query.timeframe)) if start else [(None, end_date)])
        periods = [(_midnight(low) if low else None, _midnight(high + dt.timedelta(days=1)) if high else None)
                   for low, high in ranges]
        for (low, high), figures in zip(ranges, selectors.service_statistics_by_period(principal, definition, periods),
                                        strict=True):
            out.append({"processed": figures.finished, "approved": figures.approved,
                        "sentBack": figures.sent_back, "rejected": figures.rejected,
                        "references": {"startDate": low, "endDate": high, "registrationName": name,
                                       "timeframeDay": query.timeframe == "day",
                                       "timeframeWeek": query.timeframe == "week",
                                       "timeframeMonth": query.timeframe == "month",
                                       "timeframeYear": query.timeframe == "year"}})
    return out


@statistics_router.get("/data/statistics", response=list[StatisticsItem], operation_id="Statistics",
                       summary="Service statistics")
def get_statistics(request: HttpRequest, query: Query[StatisticsQuery]) -> list[dict[str, Any]]:
    """See :func:`statistics`."""
    return statistics(request, query)


@statistics_router.get("/data/statistics/1.0", response=list[StatisticsItem], operation_id="Statistics10",
                       summary="Service statistics (versioned path)")
def get_statistics_versioned(request: HttpRequest, query: Query[StatisticsQuery]) -> list[dict[str, Any]]:
    """The same as ``GET /data/statistics`` (the statistics API's versioned path)."""
    return statistics(request, query)


registration_api.add_router("", public)
registration_api.add_router("", router)
registration_api.add_router("", statistics_router)

__all__ = ["application_file", "eform_id", "registration_api", "status_of"]
