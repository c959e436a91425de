"""The SPBE application inventory, the reference business architecture, app proposals
(moratorium check) and the SPBE index (evaluation frameworks as versioned data, assessments).

Regulatory sources: Perpres 95/2018 (SPBE), Perpres 132/2022 (Arsitektur SPBE Nasional:
referensi arsitektur bisnis, aplikasi umum), PermenPANRB 59/2020 (Pemantauan dan Evaluasi SPBE).
Money is whole rupiah per year (``BigIntegerField``).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from satupintu.core.models import TimeStamped

SERVICE_AREA_RE = r"^(nasional|[0-9]{2}(\.[0-9]{2})?)$"


class BusinessFunction(models.Model):
    """One entry of the reference business architecture (referensi arsitektur bisnis):
    a government sector (sektor pemerintahan) and a government affair (urusan pemerintahan).

    Loaded from ``data/business_functions.yaml``; ``code`` is ``<sector>.<affair>`` (``01.03``).
    """

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    sector_code = models.CharField(_("sector code"), max_length=8)
    sector_name_id = models.CharField(_("sector (Indonesian)"), max_length=200)
    sector_name_en = models.CharField(_("sector (English)"), max_length=200)
    name_id = models.CharField(_("government affair (Indonesian)"), max_length=200)
    name_en = models.CharField(_("government affair (English)"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("business function")
        verbose_name_plural = _("business functions")

    def __str__(self) -> str:
        return f"{self.code} {self.name_id}"


class GeneralApplication(models.Model):
    """A designated aplikasi umum (general application mandated for every agency, Perpres 95/2018
    art. 1(14) and art. 38) that replaces agency-built apps for one business function."""

    code = models.SlugField(_("code"), max_length=64, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    owner = models.CharField(_("owner agency"), max_length=200)
    function = models.ForeignKey(BusinessFunction, on_delete=models.PROTECT, related_name="general_apps",
                                 verbose_name=_("business function"))
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("general application (aplikasi umum)")
        verbose_name_plural = _("general applications (aplikasi umum)")

    def __str__(self) -> str:
        return self.name


class Hosting(models.TextChoices):
    PDN = "pdn", _("National data centre (PDN)")
    AGENCY_DC = "agency_dc", _("Agency data centre")
    COMMERCIAL_CLOUD = "commercial_cloud", _("Commercial cloud")


class AppStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    LIVE = "live", _("Live")
    RETIRED = "retired", _("Retired")


class AppType(models.TextChoices):
    GENERAL = "umum", _("General application (aplikasi umum)")
    SPECIFIC = "khusus", _("Specific application (aplikasi khusus)")


class UsersKind(models.TextChoices):
    INTERNAL = "internal", _("Internal (government)")
    PUBLIC = "public", _("Public")
    BOTH = "both", _("Internal and public")


class Application(TimeStamped):
    """One existing (or planned) application of an agency: a row of the SPBE inventory.

    The stable key is ``(agency, code)``: a re-import with the same pair updates the row.
    ``service_slugs`` lists the catalogue services (``catalog`` service ids such as
    ``dukcapil-ktp-el-baru``) the app delivers; it is a slug list until the catalogue's Service
    model is merged, then it becomes a relation (see docs/consolidation.md).
    Budgets are rupiah per year; ``synthetic`` marks rows made by the generator.
    """

    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="spbe_apps",
                               verbose_name=_("agency"))
    code = models.SlugField(_("application code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    owner_unit = models.CharField(_("owner unit"), max_length=200)
    function = models.ForeignKey(BusinessFunction, on_delete=models.PROTECT, related_name="apps",
                                 verbose_name=_("business function"))
    service_area = models.CharField(
        _("service area"), max_length=16, validators=[RegexValidator(SERVICE_AREA_RE)],
        help_text=_("“nasional” or the region code (kode wilayah) of a province or regency/city."),
    )
    users_kind = models.CharField(_("users"), max_length=16, choices=UsersKind.choices)
    users_count = models.PositiveIntegerField(_("number of users"))
    build_budget_idr = models.BigIntegerField(_("build budget (rupiah per year)"), validators=[MinValueValidator(0)])
    run_budget_idr = models.BigIntegerField(_("run budget (rupiah per year)"), validators=[MinValueValidator(0)])
    hosting = models.CharField(_("hosting"), max_length=20, choices=Hosting.choices)
    status = models.CharField(_("status"), max_length=10, choices=AppStatus.choices)
    app_type = models.CharField(_("type"), max_length=8, choices=AppType.choices)
    uses_national_login = models.BooleanField(_("uses the national login"))
    uses_exchange = models.BooleanField(_("uses the data exchange"))
    holds_personal_data = models.BooleanField(_("holds personal data"))
    service_slugs = models.JSONField(_("catalogue services delivered"), default=list, blank=True)
    synthetic = models.BooleanField(_("synthetic (generated)"), default=False)

    class Meta:
        ordering = ["agency_id", "code"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="spbe_app_agency_code_unique"),
            models.CheckConstraint(condition=models.Q(build_budget_idr__gte=0, run_budget_idr__gte=0),
                                   name="spbe_app_budget_non_negative"),
        ]
        indexes = [models.Index(fields=["function", "status"], name="spbe_app_function_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def annual_budget_idr(self) -> int:
        """Build + run budget, rupiah per year."""
        return int(self.build_budget_idr) + int(self.run_budget_idr)


class WasteAssumption(models.Model):
    """The editable assumption behind the budget-waste estimate (one row, id=1).

    Cost of one shared solution for a group (rupiah per year) =
    ``largest app budget in the group × shared_cost_factor_pct / 100
    + onboarding_cost_idr × (number of agencies − 1)``. See docs/consolidation.md.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    shared_cost_factor_pct = models.PositiveIntegerField(
        _("shared solution cost, % of the largest app budget"), default=120,
        validators=[MinValueValidator(1), MaxValueValidator(1000)])
    onboarding_cost_idr = models.BigIntegerField(
        _("onboarding cost per additional agency (rupiah per year)"), default=50_000_000,
        validators=[MinValueValidator(0)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("waste assumption")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="spbe_waste_assumption_singleton")]

    def __str__(self) -> str:
        return f"{self.shared_cost_factor_pct}% + Rp {self.onboarding_cost_idr:,}"


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Proposal(TimeStamped):
    """A proposal for a new application, checked against the inventory and the catalogue
    before approval (the moratorium on new project-only apps, SE MenPANRB 18/2022)."""

    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="spbe_proposals",
                               verbose_name=_("agency"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    function = models.ForeignKey(BusinessFunction, on_delete=models.PROTECT, related_name="proposals",
                                 verbose_name=_("business function"))
    budget_idr = models.BigIntegerField(_("proposed budget (rupiah per year)"), validators=[MinValueValidator(0)])
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices,
                              default=ProposalStatus.SUBMITTED)
    submitted_by = models.CharField(_("submitted by"), max_length=255)
    decision_note = models.TextField(_("decision note"), blank=True, max_length=4000)
    decided_by = models.CharField(_("decided by"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application proposal")
        verbose_name_plural = _("application proposals")

    def __str__(self) -> str:
        return self.name


# --- SPBE index: frameworks are data -----------------------------------------------------

class Framework(models.Model):
    """A versioned SPBE evaluation framework loaded from ``data/frameworks/*.yaml``.

    ``code`` is unique per version (``permenpanrb-59-2020``); ``content_hash`` is the SHA-256
    of the source file, so a changed file cannot silently change the weights of past scores.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("legal basis"), max_length=300)
    provisional = models.BooleanField(_("provisional"), default=False)
    min_level = models.PositiveSmallIntegerField(default=1)
    max_level = models.PositiveSmallIntegerField(default=5)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("evaluation framework")
        verbose_name_plural = _("evaluation frameworks")

    def __str__(self) -> str:
        return self.name


class Domain(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="domains")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    weight = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="spbe_domain_unique")]

    def __str__(self) -> str:
        return self.name


class Aspect(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="aspects")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, null=True, blank=True, related_name="aspects")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    weight = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="spbe_aspect_unique")]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="indicators")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    weight = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="spbe_indicator_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class PredicateBand(models.Model):
    """``min_index`` ≤ index (< the next band's ``min_index``) → ``name``."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField(max_length=64)
    min_index = models.DecimalField(max_digits=4, decimal_places=2)

    class Meta:
        ordering = ["framework", "-min_index"]
        constraints = [models.UniqueConstraint(fields=["framework", "min_index"], name="spbe_band_unique")]

    def __str__(self) -> str:
        return self.name


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (self-assessment)")
    SUBMITTED = "submitted", _("Submitted for review")
    REVIEWED = "reviewed", _("Reviewed (final)")


class Assessment(TimeStamped):
    """An agency's SPBE evaluation for one year under one framework.

    ``index_value``/``predicate`` are the computed result (final levels once reviewed, the
    self-assessed levels before); recomputed by every action that changes a level.
    """

    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="spbe_assessments")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2018), MaxValueValidator(2100)])
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    index_value = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    predicate = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-year", "agency_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "framework", "year"], name="spbe_assessment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}"


def evidence_path(instance: IndicatorScore, filename: str) -> str:
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"spbe-evidence/{instance.assessment_id}/{uuid.uuid4().hex}{suffix}"


class IndicatorScore(models.Model):
    """Level (tingkat kematangan 1–5) of one indicator in one assessment: the agency's
    self-assessed level with explanation and evidence, and the assessor's final level."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    self_level = models.PositiveSmallIntegerField(null=True, blank=True)
    explanation = models.TextField(blank=True, max_length=4000)
    evidence = models.FileField(upload_to=evidence_path, blank=True, max_length=200)
    final_level = models.PositiveSmallIntegerField(null=True, blank=True)
    reviewer_note = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["assessment", "indicator__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="spbe_score_unique"),
            models.CheckConstraint(condition=models.Q(self_level__isnull=True) | models.Q(self_level__gte=1,
                                   self_level__lte=5), name="spbe_score_self_level_range"),
            models.CheckConstraint(condition=models.Q(final_level__isnull=True) | models.Q(final_level__gte=1,
                                   final_level__lte=5), name="spbe_score_final_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}"

