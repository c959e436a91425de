"""Authoritative registers exposed through the exchange. First: the population register (demo data).

The NIK is stored encrypted (AES-256-GCM) with a keyed blind index for lookup
(``nik_index``, HMAC-SHA-256), as every personal identifier on the platform.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from satupintu.core.models import TimeStamped


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class Person(TimeStamped):
    """One resident in the population register (Dukcapil)."""

    nik_index = models.CharField(max_length=64, unique=True)
    nik_encrypted = models.BinaryField()
    name = models.CharField(_("name"), max_length=255)
    birth_place = models.CharField(_("place of birth"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    address = models.CharField(_("address"), max_length=500)
    region_code = models.CharField(_("village code (kode wilayah)"), max_length=13, db_index=True)
    family_card_number = models.CharField(_("family card number (KK)"), max_length=16, db_index=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.CheckConstraint(condition=models.Q(sex__in=["L", "P"]), name="registries_person_sex"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region_code})"
