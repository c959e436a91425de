"""Every write of the applications app: keyword-only, atomic, audited in the same transaction.

Objects come in through :mod:`satupintu.applications.access`; form data is validated by
:class:`~satupintu.applications.forms_engine.SchemaForm` here (not only by the caller), so the
HTML pages, the API and management commands behave the same. A validation failure raises
:class:`FormInvalid` carrying the bound form (errors per field, data kept) and writes nothing.
Uploaded files are written inside the transaction and removed again if it rolls back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from satupintu.applications import access, uploads
from satupintu.applications.definitions_io import DefinitionContent
from satupintu.applications.forms_engine import SchemaForm, answers_to_data, file_paths, input_path, set_file_ref
from satupintu.applications.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    DefinitionVersion,
    OnlineServiceDefinition,
    StagedDocument,
    TrackingCounter,
    Upload,
    VersionStatus,
)
from satupintu.applications.schema import text_in
from satupintu.applications.workflow import Workflow
from satupintu.audit.actions import record
from satupintu.catalog.models import Agency
from satupintu.core.calendar import WIB, sla_deadline, zone_for_region
from satupintu.core.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from satupintu.core.principal import Principal
from satupintu.exchange.interface import record_officer_access

IDEMPOTENCY_KEY_MAX = 80
# The longest reason an officer (or applicant) may give for a transition: shown to the citizen in
# the timeline, so it is refused, never cut (ADR 0130). The Registration API applies the same rule.
REASON_MAX_LENGTH = 2000


class FormInvalid(InvalidInput):
    """The answers did not pass the form's rules. ``form`` is the bound form to show again."""

    def __init__(self, form: SchemaForm) -> None:
        super().__init__(form.field_errors(), detail=str(_("Some answers need your attention.")))
        self.form = form


def agency_zone(definition: OnlineServiceDefinition) -> ZoneInfo:
    """The time zone SLAs of ``definition`` are counted in: its explicit ``time_zone``, else the
    zone of its agency's region (WIB for central agencies). Source: Keppres 41/1987."""
    if definition.time_zone:
        return ZoneInfo(definition.time_zone)
    agency = definition.agency
    return zone_for_region(agency.region_id) if agency.region_id else WIB


# --- definitions ---------------------------------------------------------------------------

@transaction.atomic
def definition_import(*, content: DefinitionContent, acting: Principal, publish: bool = True,
                      request: HttpRequest | None = None) -> tuple[DefinitionVersion, bool]:
    """Create or update a definition from checked content (:func:`parse_definition`).

    Idempotent: if the newest version has the same content hash, nothing changes and
    ``(version, False)`` is returned. Otherwise a new version is added (published when
    ``publish``), returning ``(version, True)``. Raises :class:`NotFound` for an unknown agency
    and :class:`PermissionDenied` unless ``acting`` may edit that agency's services.
    """
    agency = Agency.objects.filter(code=content.agency_code).first()
    if agency is None:
        raise InvalidInput([FieldError("agency", "reference", _("Unknown agency %(code)s.")
                                       % {"code": content.agency_code})])
    if not access.can_edit_definitions(acting, agency.code):
        raise PermissionDenied("Only the agency's admins may change its online services.")
    definition, created = OnlineServiceDefinition.objects.select_for_update().get_or_create(
        slug=content.slug, defaults={"service_slug": content.service_slug, "agency": agency,
                                     "name_id": content.name_id, "name_en": content.name_en,
                                     "time_zone": content.time_zone})
    if not created:
        if definition.agency_id != agency.pk and not access.can_edit_definitions(acting, definition.agency.code):
            raise PermissionDenied("The definition belongs to another agency.")
        for attr, value in (("service_slug", content.service_slug), ("agency", agency), ("name_id", content.name_id),
                            ("name_en", content.name_en), ("time_zone", content.time_zone)):
            setattr(definition, attr, value)
        definition.full_clean()
        definition.save()
    digest = content.content_hash()
    latest = definition.versions.order_by("-number").first()
    if latest is not None and latest.content_hash == digest and (
            latest.status == VersionStatus.PUBLISHED or not publish):
        return latest, False
    if latest is not None and latest.status == VersionStatus.DRAFT:
        version = latest
        DefinitionVersion.objects.filter(pk=version.pk).delete()
        number = version.number
    else:
        number = (latest.number + 1) if latest else 1
    version = DefinitionVersion(
        definition=definition, number=number, form_schema=content.form_schema, workflow=content.workflow,
        documents=content.documents, required_loa=content.required_loa,
        sla_working_days=content.sla_working_days, outcome_template=content.outcome_template,
        content_hash=digest, status=VersionStatus.PUBLISHED if publish else VersionStatus.DRAFT,
        published_at=timezone.now() if publish else None)
    version.full_clean()
    version.save()
    record(actor=acting, action="online_service.version_published" if publish else "online_service.version_saved",
           target=version, details={"slug": definition.slug, "version": number, "agency": agency.code},
           request=request)
    return version, True


@transaction.atomic
def definition_publish(*, version: DefinitionVersion, acting: Principal,
                       request: HttpRequest | None = None) -> DefinitionVersion:
    """Publish a draft version (freezing it). :class:`Conflict` if already published."""
    if not access.can_edit_definitions(acting, version.definition.agency.code):
        raise PermissionDenied("Only the agency's admins may publish its online services.")
    locked = DefinitionVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status == VersionStatus.PUBLISHED:
        raise Conflict("This version is already published.")
    locked.full_clean()
    locked.status = VersionStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.save()
    record(actor=acting, action="online_service.version_published", target=locked,
           details={"slug": locked.definition.slug, "version": locked.number}, request=request)
    return locked


# --- applications --------------------------------------------------------------------------

def _event(application: Application, acting: Principal, action: str, *, from_state: str = "", to_state: str = "",
           reason: str = "") -> None:
    event = ApplicationEvent.objects.create(application=application, at=timezone.now(), actor_kind=acting.kind,
                                            actor_id=acting.id, actor_display=acting.display[:255], action=action,
                                            from_state=from_state, to_state=to_state, reason=reason)
    if to_state and to_state != from_state or action == "cancelled":
        from satupintu.applications.notifications import schedule_status_mail

        schedule_status_mail(application, event)


@contextmanager
def _undo_files_on_error() -> Iterator[list[str]]:
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            uploads.remove(name)
        raise


def _store_new_files(application: Application, form: SchemaForm, answers: dict[str, Any],
                     written: list[str]) -> None:
    for path, checked in form.new_files.items():
        storage_name = uploads.store(checked)
        written.append(storage_name)
        upload = Upload.objects.create(application=application, field_path=path, name=checked.name,
                                       storage_name=storage_name, kind=checked.kind,
                                       content_type=checked.content_type, size=checked.size, sha256=checked.sha256)
        set_file_ref(answers, path, {"upload": upload.pk, "name": checked.name, "kind": checked.kind,
                                     "size": checked.size})
    kept = {ref["upload"] for ref in file_paths(form.schema, answers).values()}
    application.upload_bytes = sum(u.size for u in application.uploads.all() if u.pk in kept)


def _bind(version: DefinitionVersion, data: Any, files: Any, *, existing: dict[str, Any], partial: bool
          ) -> SchemaForm:
    form = SchemaForm(version.form_schema, version=version.number, data=data, files=files,
                      existing_files=file_paths(version.form_schema, existing), partial=partial)
    if not form.is_valid():
        raise FormInvalid(form)
    return form


def answers_check(*, version: DefinitionVersion, data: Any, files: Any = None,
                  existing: dict[str, Any] | None = None) -> None:
    """Check answers against every rule of ``version``'s form (required fields included) and write
    nothing: lets a caller that already found other errors report the form's errors with them.
    ``existing``: the answers already stored (their files count as given). Raises
    :class:`FormInvalid`."""
    _bind(version, data, files, existing=existing or {}, partial=False)


def application_save_draft(*, acting: Principal, data: Any, files: Any = None,
                           definition: OnlineServiceDefinition | None = None, application: Application | None = None,
                           request: HttpRequest | None = None, complete: bool = False,
                           keep_files: bool = False) -> Application:
    """Save answers as a draft (new when ``application`` is None, under the definition's current
    version; else the applicant's own draft, which keeps its version).

    A draft is checked with the form's ``partial`` rules (format only); ``complete=True`` (the
    page's "Simpan dan tinjau") checks every rule, including required fields, before anything is
    written. Also saves a revision while the workflow waits for the applicant (then every rule,
    including required fields, applies). ``data``/``files``: the POST (or
    :func:`answers_to_data` output). Raises :class:`FormInvalid` (no answer written),
    :class:`NotFound` for someone else's application, :class:`Conflict` if it can no longer
    be edited. Returns the saved application (``status`` draft or unchanged).

    ``keep_files`` (the web form; the Registration API has its own staged documents): files are
    not lost on :class:`FormInvalid` (project rule "bad input loses nothing", ADR 0115). Each
    chosen file that passed its own checks is kept as a :class:`StagedDocument` of ``acting`` for
    that input of this form (audited ``application_document.staged`` in its transaction) and
    shown on ``exc.form`` as already uploaded; the form sends it back as ``_staged-<input>``,
    and a later save of the same form uses it (unless a new file is chosen) and deletes it.
    """
    access.require_can_apply(acting)
    if application is None:
        if definition is None or not definition.is_active:
            raise NotFound()
        version = definition.current_version()
        if version is None:
            raise NotFound()
        files, posted, used = _with_staged_files(acting, data, files, application_id=None, keep_files=keep_files)
        try:
            form = _bind(version, data, files, existing={}, partial=not complete)
        except FormInvalid as exc:
            if keep_files:
                _keep_checked_files(acting, exc.form, application=None, posted=posted, used=used, request=request)
            raise
        with _undo_files_on_error() as written, transaction.atomic():
            application = Application.objects.create(
                version=version, definition=definition, agency=definition.agency, applicant_kind=acting.kind,
                applicant_id=acting.id, applicant_display=acting.display[:255], answers={})
            saved = _save_answers(application, form, acting, written, request, created=True)
            staged_documents_consumed(documents=list(posted.values()))
            return saved
    posted, used = {}, set()
    try:
        with _undo_files_on_error() as written, transaction.atomic():
            locked = access.access_application_by_id(acting, application.pk, for_update=True)
            if not access.is_applicant(acting, locked):
                raise NotFound()
            revising = locked.status == ApplicationStatus.IN_PROCESS and Workflow(
                locked.version.workflow).waits_for_applicant(locked.state)
            if locked.status != ApplicationStatus.DRAFT and not revising:
                raise Conflict(str(_("This application can no longer be changed.")))
            files, posted, used = _with_staged_files(acting, data, files, application_id=locked.pk,
                                                     keep_files=keep_files)
            form = _bind(locked.version, data, files, existing=locked.answers, partial=not (revising or complete))
            saved = _save_answers(locked, form, acting, written, request, created=False)
            staged_documents_consumed(documents=list(posted.values()))
            return saved
    except FormInvalid as exc:
        # The draft is the applicant's (checked above before anything could fail validation).
        if keep_files:
            _keep_checked_files(acting, exc.form, application=application, posted=posted, used=used,
                                request=request)
        raise


def application_keep_chosen_files(*, acting: Principal, form: SchemaForm, application: Application | None,
                                  request: HttpRequest | None = None) -> dict[str, StagedDocument]:
    """Keep the files chosen on a form that is only re-rendered, not saved ("add another",
    "remove the last", a region's "next list"; :meth:`SchemaForm.is_refresh`), as a failed save
    keeps them (ADR 0115, 0122): a browser cannot re-fill a file input, so without this the
    citizen would lose a file chosen before pressing such a button.

    Input: the bound refresh ``form`` (``partial``) of ``application`` (the applicant's own draft,
    already checked by the caller through the chokepoint) or ``None`` for a new-application form.
    Each chosen file is checked by the form (type by content, size, PDF/image checks, virus scan,
    total size); one that passes becomes a staged document of ``acting`` for that input and form
    (audited ``application_document.staged`` in its transaction) and replaces a file kept there
    before; files kept earlier (``_staged-<input>``, through the chokepoint) stay. Every kept file
    is shown on ``form``. Answers are not saved. Returns the kept documents by input name.
    Raises :class:`PermissionDenied` for anyone who cannot apply.
    """
    access.require_can_apply(acting)
    posted = access.staged_documents_of_form(acting, form.data, application_id=application.pk if application else None)
    form.is_valid()  # runs every chosen file's checks, as a save would; the answers are not used
    chosen = {form.new_file_inputs[here] for here in form.new_files}
    return _keep_checked_files(acting, form, application=application, posted=posted, used=set(posted) - chosen,
                               request=request)


def _with_staged_files(acting: Principal, data: Any, files: Any, *, application_id: int | None, keep_files: bool
                       ) -> tuple[Any, dict[str, StagedDocument], set[str]]:
    """``files`` plus, for each input the form sends a kept upload for (``_staged-<input>``,
    through :func:`access.staged_documents_of_form`) and no new file was chosen in, that upload's
    content (checked again by the form like any new file). Returns (files, kept documents by input,
    inputs answered by a kept document)."""
    posted = access.staged_documents_of_form(acting, data, application_id=application_id) if keep_files else {}
    if not posted:
        return files, posted, set()
    merged = files.copy() if files is not None else MultiValueDict()
    used: set[str] = set()
    for key, document in posted.items():
        if merged.get(key):
            continue  # a newly chosen file replaces the kept one
        try:
            with uploads.open_stored(document.storage_name) as handle:
                content = handle.read()
        except OSError:
            continue  # the stored copy is gone: the field is simply unanswered
        merged[key] = SimpleUploadedFile(document.name, content, content_type=document.content_type)
        used.add(key)
    return merged, posted, used


def _keep_checked_files(acting: Principal, form: SchemaForm, *, application: Application | None,
                        posted: dict[str, StagedDocument], used: set[str],
                        request: HttpRequest | None) -> dict[str, StagedDocument]:
    """After a failed save, keep every chosen file that passed its own checks (ADR 0115): a new
    one becomes a staged document of ``acting`` bound to its input and this form (``application``:
    the draft, ``None`` for a new application), a kept one stays; each is shown on ``form``. A kept
    file replaced by a new valid one is deleted. Returns the kept documents by input name."""
    keep: dict[str, StagedDocument] = {}
    fresh: dict[str, uploads.CheckedFile] = {}
    for here, checked in form.new_files.items():
        key = form.new_file_inputs[here]
        if key in used:
            keep[key] = posted[key]
        else:
            fresh[key] = checked
    for key in used:
        if key not in keep and key not in form.errors:  # e.g. its field is now hidden by a condition
            keep[key] = posted[key]
    if fresh:
        with _undo_files_on_error() as written, transaction.atomic():
            for key, checked in fresh.items():
                keep[key] = _stage(acting, checked, written, request, application=application,
                                   field_path=input_path(key))
            staged_documents_consumed(documents=[posted[key] for key in fresh if key in posted])
    for key, document in keep.items():
        form.show_staged(key, {"uid": str(document.uid), "name": document.name, "size": document.size})
    return keep


def _stage(acting: Principal, checked: uploads.CheckedFile, written: list[str], request: HttpRequest | None, *,
           application: Application | None = None, field_path: str = "") -> StagedDocument:
    """Store one checked file as a staged document of ``acting`` and audit it
    (``application_document.staged``) in the caller's transaction."""
    storage_name = uploads.store(checked)
    written.append(storage_name)
    document = StagedDocument.objects.create(
        uid=uuid.uuid4(), owner_kind=acting.kind, owner_id=acting.id, application=application,
        field_path=field_path, name=checked.name, storage_name=storage_name, kind=checked.kind,
        content_type=checked.content_type, size=checked.size, sha256=checked.sha256)
    details: dict[str, Any] = {"kind": checked.kind, "size": checked.size, "sha256": checked.sha256}
    if field_path:
        details.update(field=field_path, application=application.pk if application else "")
    record(actor=acting, action="application_document.staged", target=document, details=details, request=request)
    return document


def _save_answers(application: Application, form: SchemaForm, acting: Principal, written: list[str],
                  request: HttpRequest | None, *, created: bool) -> Application:
    answers = dict(form.answers)
    _store_new_files(application, form, answers, written)
    application.answers = answers
    application.lock_version += 1
    application.save()
    stale = [u for u in application.uploads.all()
             if u.pk not in {r["upload"] for r in file_paths(form.schema, answers).values()}]
    for upload in stale:
        transaction.on_commit(_remover(upload.storage_name))
        upload.delete()
    if created:
        _event(application, acting, "created")
    record(actor=acting, action="application.draft_saved", target=application,
           details={"service": application.definition.slug, "version": application.version.number,
                    "files": len(form.new_files), "status": application.status}, request=request)
    return application


def _remover(storage_name: str) -> Any:
    return lambda: uploads.remove(storage_name)


def _next_tracking_number(now: dt.datetime) -> str:
    """``SP-<year>-<n>`` from the per-year counter, locked for the rest of the transaction:
    a rolled-back submission gives its number back, so numbers have no gaps or duplicates."""
    year = timezone.localtime(now, WIB).year
    TrackingCounter.objects.get_or_create(year=year)
    counter = TrackingCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"SP-{year}-{counter.last:06d}"


def _check_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise InvalidInput([FieldError("idempotency_key", "format",
                                       _("An idempotency key is 1–80 printable characters."))])
    return key


def application_submit(*, acting: Principal, application: Application, idempotency_key: str,
                       request: HttpRequest | None = None) -> Application:
    """Submit the applicant's draft: every rule checked again on the stored answers, a tracking
    number given, the SLA deadline computed (agency zone), the workflow started, audited.

    Idempotent: a second call with the same key returns the same application unchanged; a
    different key on an already submitted application raises :class:`Conflict`. Committed
    before it returns (durable). Raises :class:`FormInvalid` if answers are missing or invalid.
    """
    access.require_can_apply(acting)
    key = _check_key(idempotency_key)
    with transaction.atomic():
        locked = access.access_application_by_id(acting, application.pk, for_update=True)
        if not access.is_applicant(acting, locked):
            raise NotFound()
        if locked.status != ApplicationStatus.DRAFT:
            if locked.idempotency_key == key:
                return locked
            raise Conflict(str(_("This application has already been submitted.")))
        if Application.objects.filter(applicant_kind=acting.kind, applicant_id=acting.id,
                                      idempotency_key=key).exclude(pk=locked.pk).exists():
            raise Conflict(str(_("This idempotency key was used for another application.")))
        check_complete(locked)
        return _start(locked, acting, key, request)


def check_complete(application: Application) -> SchemaForm:
    """Check the stored answers of ``application`` against every rule of its version (required
    fields, depths, counts), as submitting does. Reads only. Returns the valid bound form;
    raises :class:`FormInvalid` carrying the form with each error at its field."""
    data, _errors = answers_to_data(application.version.form_schema, application.answers,
                                    version=application.version.number, strict=False)
    return _bind(application.version, data, None, existing=application.answers, partial=False)


def _start(application: Application, acting: Principal, key: str, request: HttpRequest | None) -> Application:
    now = timezone.now()
    workflow = Workflow(application.version.workflow)
    application.tracking_number = _next_tracking_number(now)
    application.idempotency_key = key
    application.status = ApplicationStatus.IN_PROCESS
    application.state = workflow.initial
    application.submitted_at = now
    application.due_at = sla_deadline(now, application.version.sla_working_days, agency_zone(application.definition))
    application.lock_version += 1
    application.full_clean(exclude=["answers"])
    application.save()
    _event(application, acting, "submitted", to_state=workflow.initial)
    record(actor=acting, action="application.submitted", target=application,
           details={"tracking_number": application.tracking_number, "service": application.definition.slug,
                    "version": application.version.number, "agency": application.agency.code,
                    "due_at": application.due_at.isoformat()}, request=request)
    return application


def document_stage(*, acting: Principal, file: Any, request: HttpRequest | None = None) -> StagedDocument:
    """Check one uploaded file (every rule of :func:`uploads.check_upload`: content sniffing,
    PDF parse, image re-encoding, virus scan, size) and keep it for the citizen's next
    application (the Registration API's ``POST /documents``, ADR 0091). Raises
    :class:`InvalidInput` naming ``file`` with the check's code and message (nothing stored),
    :class:`PermissionDenied` for anyone but a citizen. Audited as ``application_document.staged``."""
    access.require_can_apply(acting)
    try:
        checked = uploads.check_upload(file, accept=list(uploads.KINDS))
    except ValidationError as exc:
        raise InvalidInput([FieldError("file", exc.code or "invalid", m) for m in exc.messages]) from None
    with _undo_files_on_error() as written, transaction.atomic():
        document = _stage(acting, checked, written, request)
    return document


def staged_documents_consumed(*, documents: list[StagedDocument]) -> None:
    """Delete staged documents an application has just copied into its own uploads (call in the
    application's transaction; the files go once it commits)."""
    for document in documents:
        transaction.on_commit(_remover(document.storage_name))
        document.delete()


def staged_documents_clear_expired(*, now: dt.datetime | None = None) -> int:
    """Delete staged documents older than ``SATUPINTU_REGISTRATION_DOCUMENT_HOURS`` (no longer
    usable, ADR 0091) and their files after commit; returns how many. Run daily
    (``satupintu manage applications_clear_staged``)."""
    from django.conf import settings

    horizon = (now or timezone.now()) - dt.timedelta(hours=settings.SATUPINTU_REGISTRATION_DOCUMENT_HOURS)
    with transaction.atomic():
        expired = list(StagedDocument.objects.select_for_update().filter(created_at__lt=horizon))
        for document in expired:
            transaction.on_commit(_remover(document.storage_name))
        StagedDocument.objects.filter(pk__in=[d.pk for d in expired]).delete()
    return len(expired)


def application_for_idempotency_key(*, acting: Principal, idempotency_key: str) -> Application | None:
    """The application ``acting`` already made with ``idempotency_key`` (a retry), or ``None``."""
    return Application.objects.filter(applicant_kind=acting.kind, applicant_id=acting.id,
                                      idempotency_key=(idempotency_key or "").strip()).first()


def application_apply(*, acting: Principal, definition: OnlineServiceDefinition, data: Any, files: Any = None,
                      idempotency_key: str, request: HttpRequest | None = None) -> Application:
    """Create and submit an application in one step (the API's ``POST …/applications``, a
    one-page form). Idempotent on ``(applicant, idempotency_key)``: a retry — even a
    concurrent one — returns the first application. Raises :class:`FormInvalid` (nothing
    written) and :class:`NotFound` for an inactive service.
    """
    access.require_can_apply(acting)
    key = _check_key(idempotency_key)
    existing = application_for_idempotency_key(acting=acting, idempotency_key=key)
    if existing is not None:
        return existing
    version = definition.current_version()
    if version is None or not definition.is_active:
        raise NotFound()
    form = _bind(version, data, files, existing={}, partial=False)
    try:
        with _undo_files_on_error() as written, transaction.atomic():
            application = Application.objects.create(
                version=version, definition=definition, agency=definition.agency, applicant_kind=acting.kind,
                applicant_id=acting.id, applicant_display=acting.display[:255], answers={}, idempotency_key=key)
            _save_answers(application, form, acting, written, request, created=True)
            return _start(application, acting, key, request)
    except IntegrityError:
        # The same key won a race in another request: answer with that application.
        winner = Application.objects.filter(applicant_kind=acting.kind, applicant_id=acting.id,
                                            idempotency_key=key).first()
        if winner is None:
            raise
        return winner


@transaction.atomic
def application_cancel(*, acting: Principal, application: Application, reason: str = "",
                       request: HttpRequest | None = None) -> Application:
    """The applicant withdraws: a draft at any time; a submitted application only while no
    officer has acted on it yet (still in the initial state). Else :class:`Conflict`."""
    locked = access.access_application_by_id(acting, application.pk, for_update=True)
    if not access.is_applicant(acting, locked):
        raise NotFound()
    processed = locked.events.exclude(actor_kind=locked.applicant_kind).exists() or bool(locked.claimed_by)
    if locked.status == ApplicationStatus.IN_PROCESS and (
            locked.state != Workflow(locked.version.workflow).initial or processed):
        raise Conflict(str(_("An officer is already processing this application; it can no longer be cancelled.")))
    if locked.status not in (ApplicationStatus.DRAFT, ApplicationStatus.IN_PROCESS):
        raise Conflict(str(_("This application is already closed.")))
    before = locked.state
    locked.status = ApplicationStatus.CANCELLED
    locked.finished_at = timezone.now() if locked.submitted_at else None
    locked.lock_version += 1
    locked.save()
    _event(locked, acting, "cancelled", from_state=before, reason=reason[:2000])
    record(actor=acting, action="application.cancelled", target=locked,
           details={"tracking_number": locked.tracking_number or "", "state": before}, request=request)
    return locked


def application_transition(*, acting: Principal, application_id: int | str, transition: str, reason: str = "",
                           expected_lock_version: int | None = None,
                           request: HttpRequest | None = None) -> Application:
    """Move a submitted application along its workflow.

    The row is locked (``SELECT … FOR UPDATE``) and the state checked again under the lock,
    so when two officers act at once exactly one wins; the other gets :class:`Conflict`
    ("already handled"). ``expected_lock_version`` (the version shown on the officer's screen)
    makes a stale screen fail the same way. The principal must hold the transition's role
    (``Principal.roles``) — or be the applicant for ``applicant`` transitions — else
    :class:`PermissionDenied`. A transition with ``reason_required`` needs a non-empty
    ``reason`` (:class:`InvalidInput` naming ``reason``). Audited as ``application.transitioned``.
    """
    with transaction.atomic():
        locked = access.access_application_by_id(acting, application_id, for_update=True)
        workflow = Workflow(locked.version.workflow)
        if not (transition or "").strip():
            raise InvalidInput([FieldError("transition", "required",
                                           _("No action was chosen: press the button of the action to take."))])
        step = workflow.transition(transition)
        if step is None:
            raise InvalidInput([FieldError("transition", "choice", _("Unknown action %(name)s.")
                                           % {"name": transition[:40]})])
        applicant = access.is_applicant(acting, locked)
        from satupintu.applications.workflow import may_take

        if not may_take(step, acting, is_applicant=applicant):
            raise PermissionDenied(str(_("Your role does not allow this action: %(action)s.")
                                       % {"action": text_in(step.label, get_language() or "id") or step.name}))
        if expected_lock_version is not None and expected_lock_version != locked.lock_version:
            raise Conflict(str(_("Someone else has just acted on this application. Reload it to see its "
                                 "current state.")))
        if locked.status != ApplicationStatus.IN_PROCESS or locked.state not in step.source:
            raise Conflict(str(_("This application is no longer in a state where this action is possible "
                                 "(another officer may have just acted on it).")))
        reason = check_reason(reason, required=step.reason_required)
        if applicant and workflow.waits_for_applicant(locked.state):
            data, _errors = answers_to_data(locked.version.form_schema, locked.answers,
                                            version=locked.version.number, strict=False)
            _bind(locked.version, data, None, existing=locked.answers, partial=False)
        before = locked.state
        locked.state = step.target
        if workflow.is_final(step.target):
            locked.status = ApplicationStatus.FINISHED
            locked.outcome = workflow.outcome(step.target) or ""
            locked.finished_at = timezone.now()
        if acting.kind == "officer" and not locked.claimed_by:
            locked.claimed_by = acting.id
        locked.lock_version += 1
        locked.save()
        _event(locked, acting, step.name, from_state=before, to_state=step.target, reason=reason)
        record(actor=acting, action="application.transitioned", target=locked,
               details={"tracking_number": locked.tracking_number, "transition": step.name, "from": before,
                        "to": step.target, "reason": reason[:500]}, request=request)
        if locked.outcome == "approved":
            from satupintu.applications.outcome import schedule_outcome_document

            schedule_outcome_document(locked, acting, reason=reason)
    return locked


def check_reason(reason: str, *, required: bool = False) -> str:
    """The reason for a transition, stripped. Raises :class:`InvalidInput` naming ``reason``:
    ``required`` when ``required`` and empty, ``max_length`` over :data:`REASON_MAX_LENGTH`
    characters, ``format`` when it holds a NUL character (PostgreSQL cannot store one)."""
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput([FieldError("reason", "required", _("Give a reason for this decision."))])
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput([FieldError("reason", "max_length", _(
            "The reason is too long: at most %(max)d characters (it has %(length)d).")
            % {"max": REASON_MAX_LENGTH, "length": len(reason)})])
    if "\x00" in reason:
        raise InvalidInput([FieldError("reason", "format", _("The reason contains a character that is not allowed."))])
    return reason


@transaction.atomic
def application_claim(*, acting: Principal, application_id: int | str, expected_lock_version: int | None = None,
                      request: HttpRequest | None = None) -> Application:
    """An officer takes the task. Exactly one of two officers claiming at once succeeds; the
    other gets :class:`Conflict` naming that it is taken.

    Only an officer whose roles allow at least one workflow transition out of the current state
    (:meth:`Workflow.allowed_transitions`, the same :func:`~satupintu.applications.workflow.may_take`
    check as :func:`application_transition`) may take it; anyone else gets
    :class:`PermissionDenied` and nothing is written (like a refused transition). Taking is
    advisory towards colleagues: other officers with the role may still act on a taken task.
    """
    locked = access.access_application_by_id(acting, application_id, for_update=True)
    if not access.is_officer_of_agency(acting):
        raise PermissionDenied("Only the agency's officers can take tasks.")
    if locked.status != ApplicationStatus.IN_PROCESS:
        raise Conflict(str(_("This application is closed.")))
    if not Workflow(locked.version.workflow).allowed_transitions(locked.state, acting, is_applicant=False):
        raise PermissionDenied(str(_("Your roles allow no action on this application in its current state, "
                                     "so you cannot take this task.")))
    if locked.claimed_by and locked.claimed_by != acting.id:
        raise Conflict(str(_("Another officer has already taken this task.")))
    if expected_lock_version is not None and expected_lock_version != locked.lock_version:
        raise Conflict(str(_("Someone else has just acted on this application. Reload it to see its current state.")))
    locked.claimed_by = acting.id
    locked.lock_version += 1
    locked.save()
    _event(locked, acting, "claimed", from_state=locked.state, to_state=locked.state)
    record(actor=acting, action="application.claimed", target=locked,
           details={"tracking_number": locked.tracking_number}, request=request)
    return locked


# UU 27/2022 (Pelindungan Data Pribadi) Pasal 20 ayat (2) huruf e: processing to carry out a task in
# the public interest, public service or an authority under law; here the application its subject made.
PROCESSING_LEGAL_BASIS = ("UU 27/2022 tentang Pelindungan Data Pribadi, Pasal 20 ayat (2) huruf e "
                          "(pelayanan publik atas permohonan pemilik data)")


def processing_legal_basis(application: Application) -> str:
    """The legal basis shown to the citizen for an officer's read of their application (at most 500
    characters): the catalogue service's own legal basis (dasar hukum, up to three entries), then
    :data:`PROCESSING_LEGAL_BASIS`."""
    from satupintu.catalog.models import Service

    basis = Service.objects.filter(slug=application.definition.service_slug).values_list(
        "legal_basis", flat=True).first() or []
    return "; ".join([*(str(b) for b in list(basis)[:3]), PROCESSING_LEGAL_BASIS])[:500]


def record_application_view(*, acting: Principal, application: Application,
                            request: HttpRequest | None = None) -> None:
    """Record an officer's opening of an application as a data access of its applicant."""
    if access.is_applicant(acting, application):
        return
    with transaction.atomic():
        record(actor=acting, action="application.viewed", target=application,
               details={"tracking_number": application.tracking_number or "",
                        "subject": f"{application.applicant_kind}:{application.applicant_id}"}, request=request)
        if acting.kind == "officer":  # issue 7: shown in the citizen's "who accessed my data"
            record_officer_access(subject=f"{application.applicant_kind}:{application.applicant_id}", acting=acting,
                                  record=f"application/{application.tracking_number or application.pk}",
                                  data_items=["data permohonan"], purpose="Pemrosesan permohonan",
                                  legal_basis=processing_legal_basis(application), request=request)


def record_file_view(*, acting: Principal, upload: Upload, request: HttpRequest | None = None) -> None:
    """Record an officer's view of a citizen's file as a data access of that citizen."""
    if acting.kind == "citizen" and acting.id == upload.application.applicant_id:
        return
    with transaction.atomic():
        record(actor=acting, action="application_file.viewed", target=upload,
               details={"tracking_number": upload.application.tracking_number or "",
                        "subject": f"{upload.application.applicant_kind}:{upload.application.applicant_id}",
                        "field": upload.field_path}, request=request)
        if acting.kind == "officer":  # issue 7, as above
            record_officer_access(subject=f"{upload.application.applicant_kind}:{upload.application.applicant_id}",
                                  acting=acting, record=f"application/{upload.application.tracking_number}/file",
                                  data_items=[upload.field_path], purpose="Pemrosesan permohonan",
                                  legal_basis=processing_legal_basis(upload.application), request=request)
