"""Agencies (instansi), services (layanan) with the public service standard, and the search index.

A service carries the 14 components of the public service standard (*komponen standar pelayanan*,
UU 25/2009 Pasal 21 and PermenPANRB 15/2014). ``None`` in a fact field means "not confirmed",
never "none": a fee of ``0`` is free, a fee of ``None`` is unknown.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from satupintu.core.models import TimeStamped

SERVICE_NAMESPACE = uuid.UUID("6f0c2a64-6a0e-5b8e-9d1c-2d1f4e6a7c10")
"""UUIDv5 namespace of service ids: ``uuid5(SERVICE_NAMESPACE, slug)`` is the same on every install."""


def service_uuid(slug: str) -> uuid.UUID:
    """The stable public id of the service with ``slug`` (GovStack ``serviceId``)."""
    return uuid.uuid5(SERVICE_NAMESPACE, slug)


class Bilingual:
    """``name`` in the active language, falling back to Indonesian."""

    name_id: str
    name_en: str

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_id


class AgencyKind(models.TextChoices):
    KEMENTERIAN = "kementerian", _("Ministry")
    LEMBAGA = "lembaga", _("Agency")
    BADAN = "badan", _("Board")
    PEMDA = "pemda", _("Regional government")
    BUMN = "bumn", _("State-owned enterprise")


class Agency(Bilingual, TimeStamped):
    """An agency (instansi): a ministry, institution, board, regional government or BUMN.

    ``code`` is the stable slug used across the platform (e.g. ``dukcapil``). A regional government
    (pemda) may carry the kode wilayah of its province or regency/city; joint offices such as Samsat
    are pemda without one region, so the region is optional, but only a pemda may have one.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="units", verbose_name=_("parent")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("region (for pemda)"),
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name_id"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="pemda") | models.Q(region__isnull=True), name="agency_region_only_for_pemda"
            ),
        ]

    def __str__(self) -> str:
        return self.name_id


class OrderedTerm(Bilingual, models.Model):
    """A bilingual, ordered term of the catalogue (a life event or a priority area)."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name_id


class LifeEvent(OrderedTerm):
    """A life event (peristiwa hidup) grouping services: kelahiran, pernikahan, pindah-domisili..."""

    class Meta(OrderedTerm.Meta):
        verbose_name = _("life event")
        verbose_name_plural = _("life events")


class PriorityArea(OrderedTerm):
    """One of the 9 national priority digital services (Perpres 82/2023 on accelerating SPBE)."""

    class Meta(OrderedTerm.Meta):
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")


class Service(Bilingual, TimeStamped):
    """A public service (layanan) of one agency, with the 14 standard components.

    Lists (requirements, procedure, legal basis, keywords, sources) are JSON arrays of strings;
    ``fee_variants`` is ``[{"label": str, "amount_idr": int}]`` when the fee depends on the type.
    """

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    uid = models.UUIDField(_("public id"), unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services", verbose_name=_("agency"))
    name_id = models.CharField(_("name (Indonesian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    summary_id = models.TextField(_("summary (Indonesian)"))
    summary_en = models.TextField(_("summary (English)"), blank=True)
    # 1. dasar hukum, 2. persyaratan, 3. sistem, mekanisme dan prosedur
    legal_basis = models.JSONField(_("legal basis"), default=list, blank=True)
    requirements = models.JSONField(_("requirements"), default=list, blank=True)
    procedure = models.JSONField(_("procedure"), default=list, blank=True)
    # 4. jangka waktu penyelesaian
    duration_text = models.CharField(_("duration"), max_length=255, blank=True)
    duration_days = models.PositiveIntegerField(_("duration (working days)"), null=True, blank=True)
    # 5. biaya/tarif
    fee_idr = models.BigIntegerField(_("fee (rupiah)"), null=True, blank=True,
                                     help_text=_("0 = free; empty = not confirmed"))
    fee_basis = models.TextField(_("fee basis"), blank=True)
    fee_variants = models.JSONField(_("fee variants"), default=list, blank=True)
    # 6. produk pelayanan
    product = models.TextField(_("product"), blank=True)
    # 7.–14.: sarana, kompetensi, pengawasan, pengaduan, jumlah pelaksana, jaminan, keamanan, evaluasi
    facilities = models.TextField(_("facilities"), blank=True)
    staff_competence = models.TextField(_("staff competence"), blank=True)
    internal_supervision = models.TextField(_("internal supervision"), blank=True)
    complaint_handling = models.TextField(_("complaints, suggestions and feedback"), blank=True)
    staff_count = models.TextField(_("number of staff"), blank=True)
    service_guarantee = models.TextField(_("service guarantee"), blank=True)
    security_guarantee = models.TextField(_("security and safety guarantee"), blank=True)
    performance_evaluation = models.TextField(_("performance evaluation"), blank=True)

    life_events = models.ManyToManyField(LifeEvent, blank=True, related_name="services",
                                         verbose_name=_("life events"))
    priority_area = models.ForeignKey(PriorityArea, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="services", verbose_name=_("priority area"))
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    view_count = models.PositiveIntegerField(_("page views"), default=0, editable=False)

    class Meta:
        ordering = ["name_id"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(condition=models.Q(fee_idr__isnull=True) | models.Q(fee_idr__gte=0),
                                   name="service_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name_id

    TEXT_LISTS = ("legal_basis", "requirements", "procedure", "keywords", "sources")

    def clean(self) -> None:
        """The JSON fields' shapes (the back-office types them as JSON): each of :attr:`TEXT_LISTS`
        a list of texts, ``fee_variants`` a list of ``{"label": text, "amount_idr": whole number
        ≥ 0}``; ``fee_idr`` not negative. Each problem is a :class:`ValidationError` on its field
        (a wrong shape was saved, then broke the search index, the service page and the API)."""
        super().clean()
        errors: dict[str, Any] = {}
        for name in self.TEXT_LISTS:
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                errors[name] = _('Enter a JSON list of texts, for example ["KTP-el", "Kartu Keluarga"].')
        variants = self.fee_variants
        if not isinstance(variants, list) or not all(
                isinstance(v, dict) and set(v) == {"label", "amount_idr"} and isinstance(v["label"], str)
                and type(v["amount_idr"]) is int and v["amount_idr"] >= 0 for v in variants):
            errors["fee_variants"] = _(
                'Enter a JSON list of fee types, for example [{"label": "SIM A", "amount_idr": 80000}]: each with a '
                'label and a whole rupiah amount of 0 or more.')
        if self.fee_idr is not None and self.fee_idr < 0:
            errors["fee_idr"] = _("The fee cannot be negative: 0 means free, empty means not confirmed.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.uid:
            self.uid = service_uuid(self.slug)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def summary(self) -> str:
        return self.summary_en if get_language() == "en" and self.summary_en else self.summary_id

    @property
    def online_on_portal(self) -> bool:
        """True when the service can be applied for on this portal ("Ajukan online")."""
        annotated = getattr(self, "has_portal_channel", None)  # set by selectors.services_qs()
        if annotated is not None:
            return bool(annotated)
        return any(c.kind == ChannelKind.PORTAL for c in self.channels.all())


class ChannelKind(models.TextChoices):
    PORTAL = "portal", _("Online on this portal")
    ONLINE = "online", _("Online at the agency")
    APP = "app", _("Mobile app")
    OFFLINE = "offline", _("In person")


class Channel(models.Model):
    """Where a service is delivered: on this portal, the agency's website or app, or an office/MPP."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("kind"), max_length=8, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=255, blank=True)
    url = models.URLField(_("address (URL)"), max_length=500, blank=True)
    place = models.TextField(_("place"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name or self.url or self.place}"[:120]


class Synonym(models.Model):
    """One row of the search synonym/abbreviation table: ``variant`` is read as ``canonical``.

    Both sides are free text (one word or a phrase); the analyzer folds them like any input.
    """

    variant = models.CharField(_("variant"), max_length=100, unique=True)
    canonical = models.CharField(_("read as"), max_length=100)

    class Meta:
        ordering = ["canonical", "variant"]
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")

    def __str__(self) -> str:
        return f"{self.variant} → {self.canonical}"


class SearchDocument(models.Model):
    """The analysed text of one service, by field weight class (name > keywords > summary > body).

    SQLite mirrors it into the FTS5 table ``catalog_service_fts`` through triggers; PostgreSQL
    keeps a generated, GIN-indexed ``tsvector`` column ``vector`` (migration 0003).
    """

    service = models.OneToOneField(Service, on_delete=models.CASCADE, primary_key=True, related_name="search_doc")
    name_terms = models.TextField(blank=True)
    keyword_terms = models.TextField(blank=True)
    summary_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    boost = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"search document of service {self.service_id}"


class SearchTerm(models.Model):
    """The vocabulary of the index (for typo correction); ``df`` = number of services using it."""

    term = models.CharField(max_length=64, primary_key=True)
    length = models.PositiveSmallIntegerField(db_index=True)
    df = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.term
