"""Validation of Indonesian identity numbers: NIK (Nomor Induk Kependudukan) and NIP.

NIK (16 digits, Permendagri 72/2019 and UU 24/2013 Adminduk): ``PPKKCC DDMMYY SSSS`` — province,
regency/city and district of issue, birth date with 40 added to the day for women, serial.
The two-digit province must be a province in use (11–96). The six-digit prefix records where
the NIK was issued and is *not* checked against today's districts (regions split and renumber).

NIP (18 digits, PP 11/2017 / BKN): ``YYYYMMDD YYYYMM S NNN`` — birth date, appointment (TMT CPNS)
year and month, sex digit (1 male, 2 female), serial.

Every rule raises :class:`django.core.exceptions.ValidationError` with a stable ``code`` and a
message naming the rule, in the active language (Indonesian by default).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The 38 provinces of Kepmendagri 300.2.2-2138/2025, used when the region register is empty.
FALLBACK_PROVINCE_CODES = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 "
    "71 72 73 74 75 76 81 82 91 92 93 94 95 96".split()
)


def province_codes() -> frozenset[str]:
    """Province codes in use: from the region register (regions app) when it is loaded,
    else :data:`FALLBACK_PROVINCE_CODES`."""
    from satupintu.regions.models import Level, Region

    codes = frozenset(Region.objects.filter(level=Level.PROVINSI).values_list("kode", flat=True))
    return codes or FALLBACK_PROVINCE_CODES


def _two_digit_year_candidates(yy: int, today: dt.date) -> list[int]:
    return [y for y in (2000 + yy, 1900 + yy) if y <= today.year]


def nik_birth_date_and_sex(nik: str) -> tuple[int, int, int, str]:
    """Return ``(day, month, two-digit year, sex)`` from a 16-digit NIK's date part (no checks)."""
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "F" if day > 40 else "M"
    return (day - 40 if day > 40 else day), month, yy, sex


def validate_nik(nik: str, *, birth_date: dt.date | None = None, sex: str | None = None,
                 today: dt.date | None = None) -> str:
    """Validate a NIK and return it normalised (spaces and dots removed).

    Rules, in order (``code`` of the raised ValidationError): ``nik_format`` 16 digits;
    ``nik_province`` first two digits a province in use; ``nik_date`` DDMMYY a real date with
    day+40 for women; ``nik_serial`` serial not 0000; ``nik_birth_date`` matches ``birth_date``;
    ``nik_sex`` matches ``sex`` (``M``/``F``).
    """
    value = (nik or "").replace(" ", "").replace(".", "").strip()
    if len(value) != 16 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("NIK must be exactly 16 digits."), code="nik_format")
    if value[:2] not in province_codes():
        raise ValidationError(
            _("The first two digits of the NIK (%(code)s) are not a province code in use (11–96).")
            % {"code": value[:2]},
            code="nik_province",
        )
    day, month, yy, nik_sex = nik_birth_date_and_sex(value)
    today = today or dt.date.today()  # noqa: DTZ011 - a calendar date, Indonesia-wide
    real = None
    for year in _two_digit_year_candidates(yy, today):
        try:
            real = dt.date(year, month, day)
            break
        except ValueError:
            continue
    if real is None:
        raise ValidationError(
            _("Digits 7–12 of the NIK must be a real birth date DDMMYY (day plus 40 for women)."),
            code="nik_date",
        )
    if value[12:] == "0000":
        raise ValidationError(_("The last four digits of the NIK (serial number) cannot be 0000."), code="nik_serial")
    if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, yy):
        raise ValidationError(
            _("The date in the NIK (digits 7–12) does not match the date of birth given."), code="nik_birth_date"
        )
    if sex in {"M", "F"} and sex != nik_sex:
        raise ValidationError(
            _("The NIK does not match the sex given: for women the day of birth in the NIK is increased by 40."),
            code="nik_sex",
        )
    return value


def validate_nip(nip: str, *, today: dt.date | None = None) -> str:
    """Validate an 18-digit NIP and return it without spaces.

    Codes: ``nip_format`` 18 digits; ``nip_birth_date`` YYYYMMDD a real date; ``nip_appointment``
    YYYYMM a real month after the 18th birthday and not in the future; ``nip_sex`` digit 15 is
    1 (male) or 2 (female); ``nip_serial`` not 000.
    """
    value = (nip or "").replace(" ", "").strip()
    if len(value) != 18 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("NIP must be exactly 18 digits."), code="nip_format")
    today = today or dt.date.today()  # noqa: DTZ011
    try:
        born = dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > today:
        raise ValidationError(_("The first eight digits of the NIP must be a real date of birth YYYYMMDD."),
                              code="nip_birth_date")
    year, month = int(value[8:12]), int(value[12:14])
    if not 1 <= month <= 12 or (year, month) > (today.year, today.month) or year < born.year + 18:
        raise ValidationError(
            _("Digits 9–14 of the NIP must be the appointment year and month (YYYYMM), "
              "at least 18 years after birth and not in the future."),
            code="nip_appointment",
        )
    if value[14] not in "12":
        raise ValidationError(_("Digit 15 of the NIP must be 1 (male) or 2 (female)."), code="nip_sex")
    if value[15:] == "000":
        raise ValidationError(_("The last three digits of the NIP (serial number) cannot be 000."), code="nip_serial")
    return value


MAX_PHONE_INPUT = 32


def validate_phone(phone: str) -> str:
    """Normalise an Indonesian mobile number to E.164 (``+628…``).

    Input: ``08…``, ``628…`` or ``+628…`` with spaces, dashes, dots or brackets (≤ 32 characters).
    Output: the E.164 string, e.g. ``+6281234567890``. Rule source: ITU-T E.164 and the
    Indonesian numbering plan as kept in Google's libphonenumber metadata (``phonenumbers``):
    the number must be a valid Indonesian number (country code 62) of type mobile; landlines
    (``021…``) and other countries are refused because codes are sent by SMS.
    Raises ValidationError ``phone_format``.
    """
    import phonenumbers

    error = ValidationError(
        _("Enter an Indonesian mobile number such as 0812 3456 7890 or +62 812 3456 7890."), code="phone_format"
    )
    raw = (phone or "").strip()
    # Digits and the usual separators only: libphonenumber would read letters as a vanity number.
    if not raw or len(raw) > MAX_PHONE_INPUT or set(raw) - set("0123456789+-. ()"):
        raise error
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException as exc:
        raise error from exc
    if (number.country_code != 62 or not phonenumbers.is_valid_number(number)
            or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE):
        raise error
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
