"""Writes to the registers: importing the population register (audited)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from satupintu.audit.actions import record
from satupintu.core.principal import Principal
from satupintu.exchange.interface import nik_index, seal
from satupintu.registries.models import Person

DEMO_FILE = Path(__file__).resolve().parent / "data" / "penduduk_demo.json"
NIK_PURPOSE = "registries.person.nik"
_NIK = re.compile(r"^\d{16}$")


@transaction.atomic
def population_import(*, path: Path = DEMO_FILE, acting: Principal) -> dict[str, int]:
    """Load residents from a JSON array (fields: nik, name, birthPlace, birthDate YYYY-MM-DD, sex L/P,
    address, regionCode, familyCardNumber); create or update by NIK. All or nothing: the first
    invalid row raises :class:`ValidationError` naming the row and field. Audited
    ``registries.population_imported``. Returns ``{"created": n, "updated": m}``."""
    rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    created = updated = 0
    for number, row in enumerate(rows, start=1):
        nik = str(row.get("nik", ""))
        if not _NIK.match(nik):
            raise ValidationError(f"row {number}: nik must be 16 digits")
        try:
            born = date.fromisoformat(str(row.get("birthDate", "")))
        except ValueError:
            raise ValidationError(f"row {number}: birthDate must be YYYY-MM-DD") from None
        index = nik_index(nik)
        person = Person.objects.filter(nik_index=index).first() or Person(nik_index=index)
        is_new = person.pk is None
        person.nik_encrypted = seal(nik, purpose=NIK_PURPOSE)
        person.name = str(row.get("name", ""))
        person.birth_place = str(row.get("birthPlace", ""))
        person.birth_date = born
        person.sex = str(row.get("sex", ""))
        person.address = str(row.get("address", ""))
        person.region_code = str(row.get("regionCode", ""))
        person.family_card_number = str(row.get("familyCardNumber", ""))
        try:
            person.full_clean()
        except ValidationError as exc:
            raise ValidationError(f"row {number}: {exc.message_dict}") from None
        person.save()
        created += is_new
        updated += not is_new
    record(actor=acting, action="registries.population_imported", target=("registries.person", "all"),
           details={"created": created, "updated": updated, "file": path.name})
    return {"created": created, "updated": updated}
