"""Load the holiday seed (``core/data/holidays.yaml``) into :class:`Holiday`; idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

SEED = Path(__file__).resolve().parent / "data" / "holidays.yaml"
_KEYS = {"date", "kind", "name_id", "name_en", "provisional"}
NAME_MAX = 200  # Holiday.name_id / name_en max_length


class HolidayImportError(ValueError):
    """The file is not a list of valid holiday rows; the message names the row and key."""


def read_holidays(path: Path = SEED) -> list[dict[str, Any]]:
    """Parse and check the YAML list. Raises :class:`HolidayImportError` naming the bad row (or
    the line of a YAML syntax error, or an impossible date such as 2026-13-01), before anything
    is written; a name is at most :data:`NAME_MAX` characters (the column's length)."""
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "YAML"
        raise HolidayImportError(f"{path}: {where}: {getattr(exc, 'problem', None) or exc}") from exc
    except UnicodeDecodeError as exc:
        raise HolidayImportError(f"{path}: byte {exc.start}: the file is not UTF-8 text") from exc
    except ValueError as exc:  # YAML reads 2026-13-01 as a timestamp and the date is impossible
        raise HolidayImportError(f"{path}: an impossible date: {exc}") from exc
    if not isinstance(rows, list):
        raise HolidayImportError(f"{path}: expected a list of holidays")
    out, seen = [], set()
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not {"date", "kind", "name_id"} <= set(row) or set(row) - _KEYS:
            raise HolidayImportError(f"{path}: row {i + 1} needs date, kind, name_id (and only {sorted(_KEYS)})")
        if type(row["date"]) is not dt.date or row["kind"] not in ("libur", "cuti_bersama"):
            raise HolidayImportError(f"{path}: row {i + 1}: date must be YYYY-MM-DD and kind libur|cuti_bersama")
        if row["date"] in seen:
            raise HolidayImportError(f"{path}: row {i + 1}: {row['date']} is listed twice")
        seen.add(row["date"])
        for key in ("name_id", "name_en"):
            if len(str(row.get(key) or "")) > NAME_MAX:
                raise HolidayImportError(f"{path}: row {i + 1}: {key} is longer than {NAME_MAX} characters")
        out.append({"date": row["date"], "kind": row["kind"], "name_id": str(row["name_id"]),
                    "name_en": str(row.get("name_en") or ""), "provisional": bool(row.get("provisional", False))})
    return out


def load_holidays(model: Any, path: Path = SEED) -> tuple[int, int]:
    """Create or update one ``model`` row per date in ``path``. Rows for other dates (added by
    an operator) are kept. Returns ``(created, updated)``. All rows or none: every row is
    checked first and the writes share one transaction."""
    rows = read_holidays(path)
    with transaction.atomic():
        return _save_rows(model, rows)


def _save_rows(model: Any, rows: list[dict[str, Any]]) -> tuple[int, int]:
    created = updated = 0
    for row in rows:
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
