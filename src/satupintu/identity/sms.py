"""Sending one-time codes by SMS through a pluggable backend (``SATUPINTU_SMS_BACKEND``).

* :class:`ConsoleBackend` (development default): prints the message, like Django's console e-mail.
* :class:`LocmemBackend` (tests): appends to :data:`outbox`, like Django's ``mail.outbox``.
* production: a dotted path to a class with ``send(phone, text)`` for the operator's SMS gateway
  (the notifications app's task once it exists). Unset in production = registration does not
  ask for a mobile number (nothing is sent, nothing leaks to logs).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Sms:
    phone: str
    text: str


outbox: list[Sms] = []


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        print(f"[SMS to {phone}] {text}", file=sys.stdout, flush=True)  # noqa: T201 - development delivery


class LocmemBackend:
    def send(self, phone: str, text: str) -> None:
        outbox.append(Sms(phone=phone, text=text))


def sms_enabled() -> bool:
    return bool(getattr(settings, "SATUPINTU_SMS_BACKEND", ""))


def send_sms(*, phone: str, text: str) -> None:
    """Send ``text`` to ``phone`` (E.164) with the configured backend. Raises RuntimeError
    when no backend is configured (callers check :func:`sms_enabled` first)."""
    path = getattr(settings, "SATUPINTU_SMS_BACKEND", "")
    if not path:
        raise RuntimeError("SATUPINTU_SMS_BACKEND is not configured")
    import_string(path)().send(phone, text)
