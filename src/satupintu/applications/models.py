"""Online service definitions (form + workflow as data) and applications (permohonan).

Interim links (the lead turns them into foreign keys after merging the catalogue and identity
branches; see ``docs/adr/0071-applications-interim-links.md``):

* ``OnlineServiceDefinition.service_slug`` — the catalogue service's stable slug
  (``services.yaml`` ``id``), to become ``ForeignKey("catalog.Service", to_field="slug")``.
* ``Application.applicant_kind`` / ``applicant_id`` — the acting principal
  (:class:`satupintu.core.principal.Principal` ``kind``/``id``), to gain a foreign key to the
  identity app's citizen user.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from satupintu.catalog.models import Bilingual
from satupintu.core.models import TimeStamped


class ImmutableVersion(Exception):
    """A published definition version was about to be changed or deleted."""


class OnlineServiceDefinition(Bilingual, TimeStamped):
    """An online service: a catalogue service that can be applied for on the platform.

    ``slug`` is the stable key used in YAML files and URLs (usually the catalogue slug).
    ``service_slug``: the catalogue service (layanan) this definition belongs to.
    ``agency``: the agency (instansi) that processes the applications; scopes officers.
    ``time_zone``: IANA zone of the processing office; empty = derived from the agency's region
    (WIB for central agencies), see :func:`satupintu.core.calendar.zone_for_region`.
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    service_slug = models.SlugField(_("catalogue service"), max_length=80, db_index=True)
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="online_services",
                               verbose_name=_("agency"))
    name_id = models.CharField(_("name (Indonesian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    time_zone = models.CharField(_("time zone"), max_length=40, blank=True,
                                 choices=[("Asia/Jakarta", "WIB"), ("Asia/Makassar", "WITA"),
                                          ("Asia/Jayapura", "WIT")])
    is_active = models.BooleanField(_("accepting applications"), default=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("online service")
        verbose_name_plural = _("online services")

    def __str__(self) -> str:
        return self.slug

    @property
    def name(self) -> str:
        """The service's name in the active language (English falls back to Indonesian)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name_id

    def current_version(self) -> DefinitionVersion | None:
        """The newest published version (the one new applications use), or ``None``."""
        return self.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PublishedGuardQuerySet(models.QuerySet["DefinitionVersion"]):
    """Bulk ``update``/``delete`` refuse to touch published versions (model-level guard; the
    ``applications_version_published_guard`` trigger enforces the same in the database)."""

    def update(self, **kwargs: Any) -> int:
        if self.filter(status=VersionStatus.PUBLISHED).exists():
            raise ImmutableVersion("published definition versions cannot be changed")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=VersionStatus.PUBLISHED).exists():
            raise ImmutableVersion("published definition versions cannot be deleted")
        return super().delete()


class DefinitionVersion(models.Model):
    """One version of an online service: form schema, required documents, workflow, level of
    assurance, SLA and outcome template. Drafts are edited; publishing freezes a version for
    good (new applications use the newest published version; each application keeps its own).

    ``required_loa``: level of assurance needed to apply (1 self-registered, 2 verified against
    the population register, 3 with in-person/biometric proof; the identity issue's levels).
    ``sla_working_days``: service time in hari kerja (public service standard "jangka waktu",
    UU 25/2009 art. 21). ``outcome_template``: name of the outcome document template (documents
    app). ``documents``: ``[{"code", "label": {id, en}, "field": <file field name>}]``.
    ``content_hash``: SHA-256 of the canonical content, to make re-imports idempotent.
    """

    definition = models.ForeignKey(OnlineServiceDefinition, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    form_schema = models.JSONField(_("form schema"))
    workflow = models.JSONField(_("workflow"))
    documents = models.JSONField(_("required documents"), default=list, blank=True)
    required_loa = models.PositiveSmallIntegerField(_("required level of assurance"), default=2)
    sla_working_days = models.PositiveSmallIntegerField(_("SLA (working days)"))
    outcome_template = models.CharField(_("outcome document template"), max_length=80, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = PublishedGuardQuerySet.as_manager()

    class Meta:
        ordering = ["definition", "-number"]
        verbose_name = _("online service version")
        verbose_name_plural = _("online service versions")
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="applications_version_unique_number"),
            models.CheckConstraint(condition=models.Q(required_loa__gte=1, required_loa__lte=3),
                                   name="applications_version_loa_range"),
            models.CheckConstraint(
                condition=models.Q(status="draft", published_at__isnull=True)
                | models.Q(status="published", published_at__isnull=False),
                name="applications_version_published_at"),
        ]

    def __str__(self) -> str:
        return f"{self.definition.slug} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and DefinitionVersion.objects.filter(
                pk=self.pk, status=VersionStatus.PUBLISHED).exists():
            raise ImmutableVersion(f"{self} is published and cannot be changed; create a new version")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.status == VersionStatus.PUBLISHED:
            raise ImmutableVersion(f"{self} is published and cannot be deleted")
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        from satupintu.applications.definitions_io import definition_errors

        errors = definition_errors(self.form_schema, self.workflow, self.documents)
        if errors:
            raise ValidationError({"form_schema": [f"{e.field}: {e.message}" for e in errors]})


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_PROCESS = "in_process", _("In process")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class TrackingCounter(models.Model):
    """The last tracking number handed out per year (one row per year, locked while a number
    is taken inside the submitting transaction, so numbers have no gaps and no duplicates)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Application(TimeStamped):
    """One application (permohonan) made under one definition version.

    ``tracking_number``: ``SP-<year>-<6+ digits>`` given at submission (drafts have none).
    ``state``: the workflow state (see :mod:`satupintu.applications.workflow`); ``status`` the
    coarse life cycle used by queues. ``lock_version`` grows on every change (optimistic
    concurrency for the officer screens). ``due_at``: the SLA deadline (UTC), computed at
    submission in the agency's time zone.
    """

    # NULL (not "") for drafts, so the unique constraint ignores them.
    tracking_number = models.CharField(  # noqa: DJ001
        _("tracking number"), max_length=20, unique=True, null=True, blank=True)
    version = models.ForeignKey(DefinitionVersion, on_delete=models.PROTECT, related_name="applications")
    definition = models.ForeignKey(OnlineServiceDefinition, on_delete=models.PROTECT, related_name="applications")
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="+")
    applicant_kind = models.CharField(max_length=16)
    applicant_id = models.CharField(max_length=255, db_index=True)
    applicant_display = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)  # noqa: DJ001 - NULL is not unique
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT, db_index=True)
    state = models.CharField(_("state"), max_length=40, blank=True)
    outcome = models.CharField(max_length=16, blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=255, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    upload_bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["applicant_kind", "applicant_id", "idempotency_key"],
                                    name="applications_unique_idempotency_key"),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(tracking_number__isnull=False, submitted_at__isnull=False),
                name="applications_submitted_has_number"),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="applications_queue"),
            models.Index(fields=["agency", "due_at", "id"], name="applications_queue_sla"),
            models.Index(fields=["definition", "status"], name="applications_by_service"),
        ]

    def __str__(self) -> str:
        return self.tracking_number or f"draft {self.pk}"


class ApplicationEvent(models.Model):
    """One step in an application's timeline (created, submitted, each transition, cancel)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor_kind = models.CharField(max_length=16)
    actor_id = models.CharField(max_length=255)
    actor_display = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}->{self.to_state}"


class StoredFile(models.Model):
    """What the platform knows of a checked file in the upload storage: the sanitised original
    ``name`` (shown, never used as a path), the random ``storage_name``, the sniffed ``kind``
    (pdf, jpeg, png), its ``content_type``, ``size`` in bytes (> 0) and ``sha256`` (hex)."""

    name = models.CharField(max_length=120)
    storage_name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        abstract = True


class Upload(StoredFile):
    """A stored file of an application (outside the web root, served through the chokepoint).

    ``field_path``: the form field it answers (``ktp``, ``anggota.0.akta``). ``name``: the
    sanitised original name (shown, never used as a path). ``storage_name``: random path in
    the upload storage. ``kind``: sniffed content type (pdf, jpeg, png).
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="uploads")
    field_path = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(size__gt=0), name="applications_upload_not_empty")]

    def __str__(self) -> str:
        return self.name


class StagedDocument(StoredFile):
    """A document uploaded through the Registration API (``POST /documents``) before the
    application that uses it exists (GovStack Registration BB: upload first, then reference the
    document in ``formData``; ADR 0091).

    The file already passed :func:`satupintu.applications.uploads.check_upload`; when an
    application references it (``urn:uuid:<uid>`` as the value of a file field), the form engine
    checks it again against that field's rules and stores its own copy as an :class:`Upload`;
    the staged row and file are then removed. Only its uploader (``owner_kind``/``owner_id``) can
    use it, and only for ``SATUPINTU_REGISTRATION_DOCUMENT_HOURS`` hours.

    The web form keeps the same way each file that passed its checks when a save fails on another
    answer (ADR 0115): ``field_path`` is then the input it was chosen in (``ktp``,
    ``anggota.1.akta``, raw row numbers) and ``application`` the draft being edited (``None`` on
    a new-application form, before any draft exists); only that form of that uploader can use it.
    Documents of the Registration API have neither.
    """

    uid = models.UUIDField(unique=True)
    owner_kind = models.CharField(max_length=16)
    owner_id = models.CharField(max_length=255)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="staged_documents")
    field_path = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["owner_kind", "owner_id"], name="applications_staged_owner")]
        constraints = [models.CheckConstraint(condition=models.Q(size__gt=0), name="applications_staged_not_empty")]

    def __str__(self) -> str:
        return f"urn:uuid:{self.uid}"
