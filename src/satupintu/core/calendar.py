"""The working-day calendar (hari kerja) and Indonesia's three time zones.

One helper for every deadline counted in working days (SLA of a layanan, response times).

Rules and their sources:

* Time zones: Keppres 41/1987 (Pembagian Wilayah Indonesia menjadi 3 Wilayah Waktu): WIB
  (UTC+7, ``Asia/Jakarta``) for Sumatra, Java, West and Central Kalimantan; WITA (UTC+8,
  ``Asia/Makassar``) for Bali, Nusa Tenggara, South/East/North Kalimantan and Sulawesi; WIT
  (UTC+9, ``Asia/Jayapura``) for Maluku and Papua. Provinces created later follow their parent
  province (e.g. Kalimantan Utara from Kalimantan Timur, the Papua provinces of 2022 from Papua).
* Working days: Monday–Friday (Perpres 21/2023 on working days of ASN: five working days),
  minus national holidays and cuti bersama kept as data in :class:`satupintu.core.models.Holiday`
  (SKB of the Ministers of Religious Affairs, Manpower and PANRB, one per year).
* Counting an SLA: the receipt day is the local date (in the agency's zone) of the moment the
  application was received; a receipt on a non-working day counts as received on the next
  working day (the office is closed). The deadline is the end (23:59:59.999999 local) of the
  N-th working day after that receipt day ("N hari kerja sejak permohonan diterima").
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

# Two-digit province codes (kode wilayah, Permendagri 58/2021) in WITA and WIT; all others are WIB.
_WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
_WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})

# A deadline cannot be more than this many calendar days away (guards against an empty loop
# if the holiday table were filled with every day by mistake).
_MAX_SCAN_DAYS = 3660


class CalendarError(ValueError):
    """A working-day computation was asked something impossible (negative days, naive time)."""


def zone_for_region(kode: str | None) -> ZoneInfo:
    """The time zone of a kode wilayah (any level: ``"94"``, ``"94.01.02.2003"``).

    ``None``/empty (a central agency with no region) → WIB, the zone of the capital.
    An unknown province code → WIB as well (never raises).
    """
    province = (kode or "")[:2]
    if province in _WIT_PROVINCES:
        return WIT
    if province in _WITA_PROVINCES:
        return WITA
    return WIB


def zone_label(zone: ZoneInfo) -> str:
    """``WIB``, ``WITA`` or ``WIT`` for the three zones; the IANA key otherwise."""
    return ZONE_LABELS.get(zone.key, zone.key)


def non_working_dates(start: dt.date, end: dt.date) -> set[dt.date]:
    """Holidays and cuti bersama between ``start`` and ``end`` inclusive (weekends not included)."""
    from satupintu.core.models import Holiday

    return set(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))


def is_working_day(day: dt.date, holidays: set[dt.date] | None = None) -> bool:
    """True for Monday–Friday dates that are not a holiday or cuti bersama."""
    if day.weekday() >= 5:
        return False
    if holidays is None:
        holidays = non_working_dates(day, day)
    return day not in holidays


def _holidays_from(start: dt.date, days: int) -> set[dt.date]:
    # A generous window: weekends and the longest Lebaran break fit many times over.
    span = max(30, days * 3 + 30)
    return non_working_dates(start, start + dt.timedelta(days=min(span, _MAX_SCAN_DAYS)))


def receipt_day(received_at: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The working day on which an application received at ``received_at`` (aware) counts as
    received in ``zone``: its local date, or the next working day if that is not one."""
    if received_at.tzinfo is None:
        raise CalendarError("received_at must be timezone-aware")
    day = received_at.astimezone(zone).date()
    holidays = _holidays_from(day, 30)
    for _ in range(120):
        if is_working_day(day, holidays):
            return day
        day += dt.timedelta(days=1)
    raise CalendarError("no working day found within 120 days")


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``day`` (``days`` ≥ 0; 0 returns ``day`` itself)."""
    if days < 0:
        raise CalendarError("days must be zero or more")
    holidays = _holidays_from(day, days)
    current, counted = day, 0
    for _ in range(_MAX_SCAN_DAYS):
        if counted == days:
            return current
        current += dt.timedelta(days=1)
        if is_working_day(current, holidays):
            counted += 1
    raise CalendarError("deadline is more than ten years away")


def sla_deadline(received_at: dt.datetime, working_days: int, zone: ZoneInfo) -> dt.datetime:
    """The SLA deadline of something received at ``received_at`` (aware, any zone) with an SLA
    of ``working_days`` hari kerja, counted in ``zone`` (the agency's zone).

    Returns the aware end of the deadline day in ``zone`` (23:59:59.999999 local); store it as
    is (Django converts to UTC). Raises :class:`CalendarError` for a naive datetime or a
    negative SLA. Counting rule: see the module docstring.
    """
    start = receipt_day(received_at, zone)
    last = add_working_days(start, working_days)
    return dt.datetime.combine(last, dt.time.max, tzinfo=zone)


def working_days_between(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> int:
    """How many working days after ``start``'s receipt day ``end`` falls, in ``zone``
    (0 = finished on the receipt day). Used for processing-time statistics."""
    if start.tzinfo is None or end.tzinfo is None:
        raise CalendarError("start and end must be timezone-aware")
    first = receipt_day(start, zone)
    last = end.astimezone(zone).date()
    if last <= first:
        return 0
    holidays = non_working_dates(first, last)
    count, current = 0, first
    while current < last:
        current += dt.timedelta(days=1)
        if is_working_day(current, holidays):
            count += 1
    return count
