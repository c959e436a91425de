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
