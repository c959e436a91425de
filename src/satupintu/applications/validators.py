"""Format rules of Indonesian identifiers and contact data used by the form engine.

Each rule lives in one function so a stricter one can replace it (the identity app owns the
full NIK validator: :func:`validate_nik` is the format-and-date rule only).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DIGITS16 = re.compile(r"^\d{16}$")
_PHONE_RE = re.compile(r"^(?:\+?62|0)(8\d{7,12})$")
_LANDLINE_RE = re.compile(r"^(?:\+?62|0)([1-79]\d{6,10})$")


def validate_nik(value: str) -> str:
    """Check a NIK (Nomor Induk Kependudukan) and return it as 16 digits.

    Rule (UU 24/2013 jo. Permendagri 72/2022 on the NIK structure): 16 digits = 6 digits of the
    region of registration (province ``11``–``96``, regency/city, district), 6 digits of the
    birth date as DDMMYY with 40 added to the day for women, 4 digits of a serial that is
    never ``0000``. Spaces and dots are ignored. Raises :class:`ValidationError` (code
    ``nik_format``, ``nik_province`` or ``nik_date``).
    """
    digits = re.sub(r"[\s.]", "", value or "")
    if not _DIGITS16.match(digits):
        raise ValidationError(_("A NIK has exactly 16 digits."), code="nik_format")
    if not 11 <= int(digits[:2]) <= 96:
        raise ValidationError(_("The first two digits of a NIK are a province code (11–96)."), code="nik_province")
    day, month = int(digits[6:8]), int(digits[8:10])
    if day > 40:
        day -= 40
    try:
        # The two-digit year does not say the century; 2000 is a leap year so 29 February passes.
        dt.date(2000, month, day)
    except ValueError:
        raise ValidationError(_("Digits 7–12 of a NIK must be a birth date (DDMMYY, day + 40 for women)."),
                              code="nik_date") from None
    if digits[12:] == "0000":
        raise ValidationError(_("The last four digits of a NIK cannot be 0000."), code="nik_format")
    return digits


def validate_npwp(value: str) -> str:
    """Check an NPWP and return its digits: 15 digits (the format before 2024) or 16 digits
    (the NIK-based NPWP, PMK 112/2022). Punctuation ``.`` ``-`` and spaces are ignored.
    Raises :class:`ValidationError` (code ``npwp_format``)."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not re.fullmatch(r"\d{15}|\d{16}", digits):
        raise ValidationError(_("An NPWP has 15 or 16 digits."), code="npwp_format")
    return digits


def normalise_phone(value: str) -> str:
    """Check an Indonesian phone number and return it in E.164 (``+628123456789``).

    Accepts ``08…``, ``628…`` and ``+628…`` mobile numbers and landlines with an area code;
    spaces, dashes, dots and brackets are ignored (numbering plan: Permenkominfo 14/2018).
    Raises :class:`ValidationError` (code ``phone_format``).
    """
    compact = re.sub(r"[\s\-.()]", "", value or "")
    match = _PHONE_RE.match(compact) or _LANDLINE_RE.match(compact)
    if not match:
        raise ValidationError(_("Enter an Indonesian phone number, e.g. 0812 3456 7890."), code="phone_format")
    return "+62" + match.group(1)
