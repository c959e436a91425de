"""The working-day calendar: weekends, holidays and cuti bersama as data, three time zones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from satupintu.core.calendar import (
    WIB,
    WIT,
    WITA,
    CalendarError,
    add_working_days,
    is_working_day,
    sla_deadline,
    working_days_between,
    zone_for_region,
)
from satupintu.core.holidays_io import HolidayImportError, read_holidays
from satupintu.core.models import Holiday

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def test_seed_is_loaded_by_migrations_for_2025_to_2027() -> None:
    years = {d.year for d in Holiday.objects.values_list("date", flat=True)}
    assert years == {2025, 2026, 2027}
    assert Holiday.objects.get(date=dt.date(2026, 3, 20)).kind == "cuti_bersama"
    assert Holiday.objects.filter(date__year=2027, provisional=True).exists()


def test_2026_seed_matches_skb_1497_2025_counts_and_dates() -> None:
    """SKB No. 1497/2/5 Tahun 2025: 17 hari libur nasional and 8 hari cuti bersama in 2026."""
    rows = [r for r in read_holidays() if r["date"].year == 2026]
    libur = {r["date"] for r in rows if r["kind"] == "libur"}
    cuti = {r["date"] for r in rows if r["kind"] == "cuti_bersama"}
    assert len(libur) == 17 and len(cuti) == 8
    assert cuti == {dt.date(2026, 2, 16), dt.date(2026, 3, 18), dt.date(2026, 3, 20), dt.date(2026, 3, 23),
                    dt.date(2026, 3, 24), dt.date(2026, 5, 15), dt.date(2026, 5, 28), dt.date(2026, 12, 24)}
    assert not any(r.get("provisional") for r in rows)


def test_zone_by_province() -> None:
    assert zone_for_region("31.71") == WIB
    assert zone_for_region("51") == WITA  # Bali
    assert zone_for_region("65.01") == WITA  # Kalimantan Utara
    assert zone_for_region("94.01.02.2003") == WIT  # Papua Tengah
    assert zone_for_region(None) == WIB


def test_weekends_and_holidays_are_not_working_days() -> None:
    assert is_working_day(dt.date(2026, 3, 17))  # Tuesday
    assert not is_working_day(dt.date(2026, 3, 14))  # Saturday
    assert not is_working_day(dt.date(2026, 3, 19))  # Nyepi
    assert not is_working_day(dt.date(2026, 3, 18))  # cuti bersama


def test_deadline_skips_the_lebaran_break_2026() -> None:
    # Tue 17 Mar 2026 10:00 WIB + 1 working day: 18 (cuti), 19 (Nyepi), 20 (cuti), 21–22 (Idulfitri,
    # weekend), 23–24 (cuti bersama) → Wed 25 Mar.
    received = dt.datetime(2026, 3, 17, 10, 0, tzinfo=WIB)
    due = sla_deadline(received, 1, WIB)
    assert due == dt.datetime.combine(dt.date(2026, 3, 25), dt.time.max, tzinfo=WIB)
    assert add_working_days(dt.date(2026, 3, 17), 3) == dt.date(2026, 3, 27)


def test_submission_at_2330_wit_counts_on_that_wit_day() -> None:
    # 23:30 WIT on Tue 17 Mar is 14:30 UTC, 21:30 WIB: the same day everywhere.
    late_tuesday = dt.datetime(2026, 3, 17, 23, 30, tzinfo=WIT)
    assert sla_deadline(late_tuesday, 1, WIT).date() == dt.date(2026, 3, 25)
    # 00:30 WIT on Wed 18 Mar (a cuti bersama day) is still Tuesday in WIB and UTC (15:30 UTC);
    # counted in WIT it was received on 18 Mar → next working day 25 Mar → 1 working day later 26 Mar.
    after_midnight = dt.datetime(2026, 3, 17, 15, 30, tzinfo=UTC)
    assert after_midnight.astimezone(WIB).date() == dt.date(2026, 3, 17)
    assert sla_deadline(after_midnight, 1, WIT).date() == dt.date(2026, 3, 26)
    assert sla_deadline(after_midnight, 1, WIB).date() == dt.date(2026, 3, 25)
    # The deadline is the end of the day in WIT: 23:59:59 WIT = 14:59:59 UTC.
    assert sla_deadline(after_midnight, 1, WIT).astimezone(UTC).hour == 14


def test_holidays_are_data_an_added_day_moves_the_deadline() -> None:
    received = dt.datetime(2026, 4, 6, 9, 0, tzinfo=WIB)  # Monday
    assert sla_deadline(received, 1, WIB).date() == dt.date(2026, 4, 7)
    Holiday.objects.create(date=dt.date(2026, 4, 7), kind="libur", name_id="Libur daerah uji")
    assert sla_deadline(received, 1, WIB).date() == dt.date(2026, 4, 8)


def test_working_days_between_for_statistics() -> None:
    start = dt.datetime(2026, 3, 17, 10, 0, tzinfo=WIB)
    assert working_days_between(start, dt.datetime(2026, 3, 17, 16, 0, tzinfo=WIB), WIB) == 0
    assert working_days_between(start, dt.datetime(2026, 3, 26, 9, 0, tzinfo=WIB), WIB) == 2


def test_naive_datetimes_and_negative_days_are_refused() -> None:
    with pytest.raises(CalendarError):
        sla_deadline(dt.datetime(2026, 1, 5, 9, 0), 1, WIB)  # noqa: DTZ001
    with pytest.raises(CalendarError):
        add_working_days(dt.date(2026, 1, 5), -1)


def test_import_holidays_is_idempotent_and_rejects_bad_files(tmp_path: Path) -> None:
    before = Holiday.objects.count()
    call_command("import_holidays")
    assert Holiday.objects.count() == before
    bad = tmp_path / "h.yaml"
    bad.write_text("- {date: 2026-13-01, kind: libur, name_id: X}\n", encoding="utf-8")
    with pytest.raises((HolidayImportError, ValueError)):
        read_holidays(bad)
    bad.write_text("- {date: 2026-01-02, kind: libur, name_id: X, colour: red}\n", encoding="utf-8")
    with pytest.raises(HolidayImportError, match="row 1"):
        read_holidays(bad)
