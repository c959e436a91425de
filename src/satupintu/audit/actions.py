"""The one way to write to the audit log: :func:`record`."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from satupintu.audit.chain import event_hash
from satupintu.audit.models import AuditEvent, ChainHead
from satupintu.audit.registry import is_registered
from satupintu.core.principal import Principal

_NIK_RE = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")
_SECRET_KEYS = {"password", "secret", "token", "client_secret", "otp", "code", "totp", "recovery_code", "key"}


class UnknownAuditAction(ValueError):
    """The action name is not in :mod:`satupintu.audit.registry`."""


def mask_nik(text: str) -> str:
    """Mask every 16-digit run as ``3174********0001`` (first 4 and last 4 digits kept)."""
    return _NIK_RE.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)


def _clean(value: Any, key: str = "") -> Any:
    if key.lower() in _SECRET_KEYS:
        return "[redacted]"
    if isinstance(value, dict):
        return {str(k): _clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return mask_nik(value)[:2000]
    if isinstance(value, bool | int | None):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    return mask_nik(str(value))[:2000]


def _target(target: models.Model | tuple[str, str] | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        return str(target[0])[:64], str(target[1])[:255]
    return target._meta.label_lower, str(target.pk)


def _client_ip(request: HttpRequest) -> str | None:
    ip = request.META.get("REMOTE_ADDR") or None
    return ip


@transaction.atomic
def record(
    *,
    actor: Principal,
    action: str,
    target: models.Model | tuple[str, str] | None = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one audit event, chained to the previous one, in the caller's transaction.

    Call it inside the ``transaction.atomic`` block of the change it describes: if that
    transaction rolls back, the event disappears with it; if it commits, the event is there.

    ``actor``: who acted. ``action``: a registered dotted name (``application.submitted``).
    ``target``: the model instance acted on, or ``(type, id)``. ``details``: small JSON; keys
    named like secrets are redacted and 16-digit runs (NIK) are masked. ``request``: adds the
    request id, client IP (``REMOTE_ADDR``, as set by the trusted proxy) and user agent.
    Returns the stored event. Raises :class:`UnknownAuditAction` for an unregistered name.
    """
    if not is_registered(action):
        raise UnknownAuditAction(f"audit action {action!r} is not registered in satupintu.audit.registry")
    head_qs = ChainHead.objects.all()
    if connection.vendor == "postgresql":
        head_qs = head_qs.select_for_update()
    head = head_qs.filter(id=1).first()
    if head is None:
        ChainHead.objects.get_or_create(id=1)
        head = head_qs.get(id=1)
    target_type, target_id = _target(target)
    event = AuditEvent(
        seq=head.last_seq + 1,
        occurred_at=timezone.now(),
        actor_kind=actor.kind,
        actor_id=actor.id[:255],
        actor_display=mask_nik(actor.display)[:255],
        actor_agency=(actor.agency or "")[:64],
        action=action,
        target_type=target_type,
        target_id=mask_nik(target_id),
        details=_clean(details or {}),
        request_id=getattr(request, "request_id", "")[:64] if request is not None else "",
        ip=_client_ip(request) if request is not None else None,
        user_agent=request.headers.get("User-Agent", "")[:512] if request is not None else "",
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event.prev_hash, event.canonical_fields())
    event.save(force_insert=True)
    ChainHead.objects.filter(id=1).update(last_seq=event.seq, last_hash=event.hash)
    return event
