"""Outcome documents (dokumen hasil layanan): signed PDFs issued when an application is approved."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from satupintu.core.models import TimeStamped


class DocumentStatus(models.TextChoices):
    VALID = "valid", _("valid")
    REVOKED = "revoked", _("revoked")
    SUPERSEDED = "superseded", _("superseded")


class OutcomeDocument(TimeStamped):
    """One issued, signed PDF. The file lives in ``SATUPINTU_DOCUMENTS_DIR`` (outside the web root).

    Invariants (enforced in the database): one document per (agency, reference) so a retried
    issue cannot create two; a revoked document has its revocation time and reason; a superseded
    one names its successor. The full NIK is never stored here, only the masked form printed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("document number"), max_length=64, unique=True)
    agency = models.ForeignKey("catalog.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("issuing agency"))
    reference = models.CharField(_("application reference"), max_length=64)
    holder_name = models.CharField(_("holder name"), max_length=200)
    holder_nik_masked = models.CharField(_("holder NIK (masked)"), max_length=16, blank=True)
    holder_principal_id = models.CharField(_("holder principal id"), max_length=255, blank=True, db_index=True)
    service_name = models.CharField(_("service"), max_length=255)
    decision = models.TextField(_("decision"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    template = models.CharField(_("template"), max_length=32, default="default")
    issued_at = models.DateTimeField(_("issued at"))
    file_name = models.CharField(_("file"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 of the signed file"), max_length=64, unique=True)
    pades_level = models.CharField(_("PAdES level"), max_length=8)
    signer_certificate_sha256 = models.CharField(_("signer certificate SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=DocumentStatus.choices,
                              default=DocumentStatus.VALID)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("revocation reason"), blank=True)
    revoked_by = models.CharField(_("revoked by"), max_length=255, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("superseded by"))

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("outcome document")
        verbose_name_plural = _("outcome documents")
        constraints = [
            models.UniqueConstraint(fields=["agency", "reference"], name="document_one_per_reference"),
            models.CheckConstraint(condition=models.Q(status__in=["valid", "revoked", "superseded"]),
                                   name="document_status_known"),
            models.CheckConstraint(
                condition=~models.Q(status="revoked")
                | (models.Q(revoked_at__isnull=False) & ~models.Q(revoked_reason="")),
                name="document_revoked_has_time_and_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="superseded") | models.Q(superseded_by__isnull=False),
                name="document_superseded_has_successor",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class DocumentCounter(models.Model):
    """The last document number given per agency and year (numbers run 000001, 000002, ...)."""

    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="document_counter_per_year")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"
