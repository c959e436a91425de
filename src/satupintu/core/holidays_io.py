"""Load the holiday seed (``core/data/holidays.yaml``) into :class:`Holiday`; idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

SEED = Path(__file__).resolve().parent / "data" / "holidays.yaml"
_KEYS = {"date", "kind", "name_id", "name_en", "provisional"}


class HolidayImportError(ValueError):
    """The file is not a list of valid holiday rows; the message names the row and key."""


def read_holidays(path: Path = SEED) -> list[dict[str, Any]]:
    """Parse and check the YAML list. Raises :class:`HolidayImportError` naming the bad row."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(rows, list):
        raise HolidayImportError(f"{path}: expected a list of holidays")
    out, seen = [], set()
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not {"date", "kind", "name_id"} <= set(row) or set(row) - _KEYS:
            raise HolidayImportError(f"{path}: row {i + 1} needs date, kind, name_id (and only {sorted(_KEYS)})")
        if not isinstance(row["date"], dt.date) or row["kind"] not in {"libur", "cuti_bersama"}:
            raise HolidayImportError(f"{path}: row {i + 1}: date must be YYYY-MM-DD and kind libur|cuti_bersama")
        if row["date"] in seen:
            raise HolidayImportError(f"{path}: row {i + 1}: {row['date']} is listed twice")
        seen.add(row["date"])
        out.append({"date": row["date"], "kind": row["kind"], "name_id": str(row["name_id"]),
                    "name_en": str(row.get("name_en") or ""), "provisional": bool(row.get("provisional", False))})
    return out


def load_holidays(model: Any, path: Path = SEED) -> tuple[int, int]:
    """Create or update one ``model`` row per date in ``path``. Rows for other dates (added by
    an operator) are kept. Returns ``(created, updated)``."""
    created = updated = 0
    for row in read_holidays(path):
        obj, was_created = model.objects.get_or_create(date=row["date"], defaults=row)
        if was_created:
            created += 1
            continue
        changed = [k for k in ("kind", "name_id", "name_en", "provisional") if getattr(obj, k) != row[k]]
        if changed:
            for k in changed:
                setattr(obj, k, row[k])
            obj.save(update_fields=changed)
            updated += 1
    return created, updated
