"""Helpers for tests in any app: make citizens, officers and OIDC clients.

``make_citizen()`` / ``make_officer(agency=..., roles=[...])`` go through the real actions and
return saved users with a verified e-mail; ``valid_nik()`` builds a NIK that passes every rule.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from satupintu.core.principal import Principal
from satupintu.identity.models import User

PASSWORD = "Sandi-Rahasia-2026"  # noqa: S105 - test and demo password
_serial = itertools.count(1)


def valid_nik(*, province: str = "31", birth_date: dt.date = dt.date(1990, 5, 17), sex: str = "M",
              serial: int | None = None) -> str:
    """A NIK passing :func:`validate_nik` for this birth date and sex (prefix ``PP7101``)."""
    day = birth_date.day + (40 if sex == "F" else 0)
    number = serial if serial is not None else next(_serial)
    return f"{province}7101{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{number % 10000 or 1:04d}"


def valid_nip(*, birth_date: dt.date = dt.date(1985, 3, 12), appointed: tuple[int, int] = (2010, 1),
              sex: str = "M", serial: int | None = None) -> str:
    number = serial if serial is not None else next(_serial)
    return (f"{birth_date:%Y%m%d}{appointed[0]:04d}{appointed[1]:02d}{1 if sex == 'M' else 2}"
            f"{number % 1000 or 1:03d}")


def verify_email(user: User) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=user, email=user.email,
                                          defaults={"verified": True, "primary": True})


def make_citizen(*, email: str | None = None, full_name: str = "Siti Aminah", sex: str = "F",
                 birth_date: dt.date = dt.date(1990, 5, 17), nik: str | None = None,
                 password: str = PASSWORD, **extra: Any) -> User:
    from satupintu.identity.actions import citizen_register

    n = next(_serial)
    user = citizen_register(
        email=email or f"warga{n}@example.id", full_name=full_name,
        nik=nik or valid_nik(birth_date=birth_date, sex=sex, serial=n), birth_date=birth_date, sex=sex,
        password=password, **extra)
    verify_email(user)
    return user


def make_officer(*, agency: Any, roles: list[str], email: str | None = None, full_name: str = "Budi Santoso",
                 password: str = PASSWORD, with_totp: bool = False) -> User:
    """An officer of ``agency`` with ``roles``; ``with_totp`` also activates a TOTP secret
    (returned as ``user.totp_secret_for_tests``) so the officer passes the MFA rule."""
    from satupintu.identity.actions import officer_create

    n = next(_serial)
    user = officer_create(acting=Principal.platform(), email=email or f"petugas{n}@example.go.id",
                          full_name=full_name, nip=valid_nip(serial=n), agency=agency, roles=roles,
                          password=password)
    verify_email(user)
    if with_totp:
        user.totp_secret_for_tests = activate_totp(user)  # type: ignore[attr-defined]
    return user


def activate_totp(user: User) -> str:
    """Give ``user`` a TOTP authenticator (and its ``mfa.added`` audit event, in one
    transaction); returns its base32 secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import transaction

    secret = generate_totp_secret()
    with transaction.atomic():
        TOTP.activate(user, secret)
    return secret


def totp_now(secret: str) -> str:
    """The current TOTP code for ``secret`` (RFC 6238, allauth's own helpers and settings).

    Tests send the code at once, but allauth accepts only the current period (no tolerance): within
    a second of the period's end this waits for the next period, so a slow machine never sends a code
    that has just expired."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < 1.0:
        time.sleep(left + 0.05)
    counters = list(yield_hotp_counters_from_time())
    return str(format_hotp_value(hotp_value(secret, counters[len(counters) // 2])))


def make_platform_admin(email: str = "admin@example.go.id", password: str = PASSWORD) -> User:
    """A platform administrator (superuser officer) with TOTP active, so the officer MFA rule passes."""
    user = User.objects.create_superuser(email, password)
    verify_email(user)
    activate_totp(user)
    return user


def make_staff_without_role(email: str = "staf@example.go.id", password: str = PASSWORD) -> User:
    """An officer with back-office (staff) access but no role, TOTP active."""
    user = User.objects.create_user(email, password, full_name="Staf Tanpa Peran", kind="officer", is_staff=True)
    verify_email(user)
    activate_totp(user)
    return user
