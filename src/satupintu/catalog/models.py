"""Agencies (instansi) and, later in this app, their services (layanan)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from satupintu.core.models import TimeStamped


class AgencyKind(models.TextChoices):
    KEMENTERIAN = "kementerian", _("Ministry")
    LEMBAGA = "lembaga", _("Agency")
    BADAN = "badan", _("Board")
    PEMDA = "pemda", _("Regional government")
    BUMN = "bumn", _("State-owned enterprise")


class Agency(TimeStamped):
    """An agency (instansi): a ministry, institution, board, regional government or BUMN.

    ``code`` is the stable slug used across the platform (e.g. ``dukcapil``); a regional
    government (pemda) carries the kode wilayah of its province or regency/city.
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
                condition=~models.Q(kind="pemda") | models.Q(region__isnull=False), name="agency_pemda_has_region"
            ),
        ]

    def __str__(self) -> str:
        return self.name_id
