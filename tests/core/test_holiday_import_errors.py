"""``satupintu import-holidays`` with a broken file: one clear error naming the line or row,
and nothing written (a half-loaded calendar would move every SLA deadline silently)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from satupintu.core.models import Holiday

pytestmark = pytest.mark.django_db

NEW_DAY = "2031-03-04"  # not in the bundled seed


@pytest.mark.parametrize(("text", "message"), [
    ("- {date: 2031-03-04, kind: libur, name_id: [\n", r"h\.yaml: line \d+: "),
    ("- {date: 2031-13-01, kind: libur, name_id: X}\n", r"h\.yaml: an impossible date"),
    ("- {date: 2031-03-04, kind: [libur], name_id: X}\n", r"h\.yaml: row 1: date must be YYYY-MM-DD"),
    ("- {date: 2031-03-04 10:00:00, kind: libur, name_id: X}\n", r"h\.yaml: row 1: date must be YYYY-MM-DD"),
    (f"- {{date: {NEW_DAY}, kind: libur, name_id: Hari baru}}\n"
     f"- {{date: 2031-03-05, kind: libur, name_id: {'x' * 201}}}\n",
     r"h\.yaml: row 2: name_id is longer than 200 characters"),
])
def test_a_broken_holiday_file_is_one_clear_error_and_writes_nothing(tmp_path: Path, text: str,
                                                                     message: str) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(text, encoding="utf-8")
    before = Holiday.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("import_holidays", str(path))
    assert Holiday.objects.count() == before
    assert not Holiday.objects.filter(date=dt.date.fromisoformat(NEW_DAY)).exists()


def test_a_holiday_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "h.yaml"
    path.write_bytes(f"- {{date: {NEW_DAY}, kind: libur, name_id: Hari caf\xe9}}\n".encode("cp1252"))
    with pytest.raises(CommandError, match=r"h\.yaml: byte \d+: the file is not UTF-8 text"):
        call_command("import_holidays", str(path))


def test_an_import_that_changes_the_calendar_is_audited_once_and_a_repeat_is_not(tmp_path: Path) -> None:
    from io import StringIO

    from satupintu.audit.models import AuditEvent

    path = tmp_path / "h.yaml"
    path.write_text(f"- {{date: {NEW_DAY}, kind: libur, name_id: Hari baru}}\n", encoding="utf-8")
    call_command("import_holidays", str(path), stdout=StringIO())
    event = AuditEvent.objects.get(action="holiday.imported")
    assert event.details == {"file": "h.yaml", "added": 1, "updated": 0}
    call_command("import_holidays", str(path), stdout=StringIO())  # nothing changes: nothing recorded
    assert AuditEvent.objects.filter(action="holiday.imported").count() == 1
