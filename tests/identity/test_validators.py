"""NIK, NIP and phone rules, with messages naming the rule in Indonesian and English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from satupintu.identity.validators import validate_nik, validate_nip, validate_phone

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


def _code(fn, *args, **kwargs) -> str:  # noqa: ANN001
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    return info.value.code or ""


def test_valid_nik_of_a_man_and_of_a_woman() -> None:
    assert validate_nik("3174011705900001", birth_date=dt.date(1990, 5, 17), sex="M", today=TODAY) == "3174011705900001"
    assert validate_nik("3174015705900002", birth_date=dt.date(1990, 5, 17), sex="F", today=TODAY) == "3174015705900002"


def test_nik_with_spaces_and_dots_is_normalised() -> None:
    assert validate_nik("3174.01 170590 0001", today=TODAY) == "3174011705900001"


@pytest.mark.parametrize("nik", ["", "317401170590000", "31740117059000011", "31740117059O0001",
                                 "３１７４０１１７０５９０００１", "3174011705900001x", "-174011705900001"])
def test_malformed_nik_is_refused_as_format(nik: str) -> None:
    assert _code(validate_nik, nik, today=TODAY) == "nik_format"


@pytest.mark.parametrize("nik", ["1074011705900001", "9774011705900001", "2074011705900001", "0074011705900001"])
def test_nik_with_a_province_not_in_use_is_refused(nik: str) -> None:
    assert _code(validate_nik, nik, today=TODAY) == "nik_province"


def test_province_codes_come_from_the_region_register_when_loaded(small_regions) -> None:  # noqa: ANN001
    # The small register has only 31 and 32: 33 (Jawa Tengah) is then not a province in use.
    assert _code(validate_nik, "3374011705900001", today=TODAY) == "nik_province"
    assert validate_nik("3274011705900001", today=TODAY)


def test_prefix_that_is_not_a_current_district_is_allowed(small_regions) -> None:  # noqa: ANN001
    # 32.99.99 is no district in the register; NIK prefixes record the place of issue.
    assert validate_nik("3299991705900001", today=TODAY) == "3299991705900001"


@pytest.mark.parametrize("nik", ["3174013202900001", "3174013002900001", "3174017205900001", "3174010013900001",
                                 "3174011700900001", "3174010005900001", "3174014005900001"])
def test_nik_date_part_must_be_a_real_date(nik: str) -> None:
    assert _code(validate_nik, nik, today=TODAY) == "nik_date"


def test_29_february_is_accepted_in_a_leap_year_only() -> None:
    assert validate_nik("3174012902000001", today=TODAY)
    assert _code(validate_nik, "3174012902010001", today=TODAY) == "nik_date"


def test_nik_serial_0000_is_refused() -> None:
    assert _code(validate_nik, "3174011705900000", today=TODAY) == "nik_serial"


def test_nik_must_match_date_of_birth_and_sex() -> None:
    assert _code(validate_nik, "3174011705900001", birth_date=dt.date(1990, 5, 18), today=TODAY) == "nik_birth_date"
    assert _code(validate_nik, "3174011705900001", sex="F", today=TODAY) == "nik_sex"
    assert _code(validate_nik, "3174015705900001", sex="M", today=TODAY) == "nik_sex"


def test_nik_messages_name_the_rule_in_indonesian_and_english() -> None:
    with translation.override("id"), pytest.raises(ValidationError) as info:
        validate_nik("3174011705900001", sex="F", today=TODAY)
    assert "40" in info.value.messages[0] and "NIK" in info.value.messages[0]
    assert "perempuan" in info.value.messages[0]
    with translation.override("en"), pytest.raises(ValidationError) as info:
        validate_nik("12345", today=TODAY)
    assert info.value.messages[0] == "NIK must be exactly 16 digits."
    with translation.override("id"), pytest.raises(ValidationError) as info:
        validate_nik("12345", today=TODAY)
    assert info.value.messages[0] == "NIK harus tepat 16 digit."


def test_valid_nip() -> None:
    assert validate_nip("198503122010011001", today=TODAY) == "198503122010011001"
    assert validate_nip("1985 0312 2010 01 2 001", today=TODAY) == "198503122010012001"


@pytest.mark.parametrize(("nip", "code"), [
    ("19850312201001100", "nip_format"),
    ("1985031220100110011", "nip_format"),
    ("19850312201001100a", "nip_format"),
    ("198502302010011001", "nip_birth_date"),
    ("203001012010011001", "nip_birth_date"),
    ("198503122010131001", "nip_appointment"),
    ("198503122000011001", "nip_appointment"),
    ("198503122030011001", "nip_appointment"),
    ("198503122010013001", "nip_sex"),
    ("198503122010011000", "nip_serial"),
])
def test_invalid_nip_names_the_rule(nip: str, code: str) -> None:
    assert _code(validate_nip, nip, today=TODAY) == code


@pytest.mark.parametrize(("raw", "expected"), [("0812 3456 7890", "+6281234567890"),
                                               ("+62-812-3456-789", "+628123456789"),
                                               ("6281234567890", "+6281234567890")])
def test_phone_is_normalised_to_e164(raw: str, expected: str) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize("raw", ["021 555 1234", "0812", "08123456789012345", "+1 812 3456 7890", "08l23456789", "x"])
def test_malformed_phone_is_refused(raw: str) -> None:
    assert _code(validate_phone, raw) == "phone_format"
