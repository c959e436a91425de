"""Base model pieces shared by the apps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    """``created_at`` / ``updated_at`` in UTC (``USE_TZ``)."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of a hash chain's first record (audit events, exchange message log)."""


class ChainHeadBase(models.Model):
    """The single row holding a hash chain's latest sequence number and hash: the append lock of
    the audit chain and of the exchange message log. Concrete models add a check constraint that
    keeps ``id`` at 1 (named per app)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"head #{self.last_seq} {self.last_hash[:12]}"


class HolidayKind(models.TextChoices):
    LIBUR = "libur", _("National holiday")
    CUTI_BERSAMA = "cuti_bersama", _("Collective leave (cuti bersama)")


class Holiday(models.Model):
    """A national holiday (hari libur nasional) or collective leave day (cuti bersama).

    Kept as data, one row per date, editable in the back-office (``/kelola/``) and loaded from
    ``core/data/holidays.yaml`` (``satupintu import-holidays``). The source of each year is the
    joint decree (SKB) of the Ministers of Religious Affairs, Manpower and PANRB. ``provisional``
    marks an estimated date not yet confirmed by an SKB.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=HolidayKind.choices)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    provisional = models.BooleanField(_("provisional"), default=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name_id}"
