"""Kode wilayah: Indonesia's administrative regions and their postal codes.

Codes follow Permendagri 58/2021 as published in Kepmendagri 300.2.2-2138/2025:
``11`` province, ``11.01`` regency (01–69) or city (71–99), ``11.01.01`` district
(kecamatan), ``11.01.01.2001`` village, whose first digit says kelurahan (1), desa (2) or
desa adat (3).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINSI = 1, _("Province")
    KABUPATEN_KOTA = 2, _("Regency/city")
    KECAMATAN = 3, _("District")
    DESA_KELURAHAN = 4, _("Village")


class Region(models.Model):
    """One administrative region keyed by its Kepmendagri code (kode wilayah)."""

    kode = models.CharField(_("region code"), max_length=13, primary_key=True)
    nama = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    # Lower-cased name, so search and sorting do not depend on the database's collation.
    nama_lower = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        ordering = ["kode"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="region_level_range"),
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True) | models.Q(level__gt=1, parent__isnull=False),
                name="region_parent_iff_not_province",
            ),
        ]
        indexes = [models.Index(fields=["parent", "nama_lower"], name="region_parent_name")]

    def __str__(self) -> str:
        return f"{self.kode} {self.nama}"

    @property
    def kind(self) -> str:
        """The region's kind by code rule: provinsi, kabupaten, kota, kecamatan, kelurahan,
        desa or desa adat (Permendagri 58/2021)."""
        return region_kind(self.kode)


class PostalCode(models.Model):
    """The postal code (kode pos) of one village."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, primary_key=True, related_name="postal")
    kodepos = models.CharField(_("postal code"), max_length=5, db_index=True)

    class Meta:
        verbose_name = _("postal code")
        verbose_name_plural = _("postal codes")
        constraints = [
            models.CheckConstraint(condition=models.Q(kodepos__regex=r"^[0-9]{5}$"), name="postal_code_five_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.kodepos}"


def region_kind(kode: str) -> str:
    """Return the kind of region a well-formed code denotes (see module docstring)."""
    parts = kode.split(".")
    if len(parts) == 1:
        return "provinsi"
    if len(parts) == 2:
        return "kota" if int(parts[1]) >= 71 else "kabupaten"
    if len(parts) == 3:
        return "kecamatan"
    return {"1": "kelurahan", "2": "desa", "3": "desa adat"}.get(parts[3][0], "desa")
