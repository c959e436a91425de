"""The one way to write to the audit log: :func:`record`."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from satupintu.audit import keys
from satupintu.audit.chain import checkpoint_message, event_hash
from satupintu.audit.models import AuditEvent, ChainHead, Checkpoint
from satupintu.audit.registry import is_registered
from satupintu.core.principal import Principal

_NIK_RE = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")
_MAX_SAFE_INT = 2**53 - 1
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
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        # RFC 8785 (I-JSON) numbers are IEEE doubles: larger integers are kept exactly as text.
        return value if abs(value) <= _MAX_SAFE_INT else str(value)
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
    """``REMOTE_ADDR`` in canonical form (the database returns it so; the hash must match)."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR") or "")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.compressed


def _locked_head() -> ChainHead:
    """The chain head, locked until the end of the transaction (the append lock).

    PostgreSQL: ``SELECT ... FOR UPDATE`` on the single row. SQLite: the write lock that
    ``BEGIN IMMEDIATE`` (our ``transaction_mode``) took already serialises writers.
    """
    head_qs = ChainHead.objects.all()
    if connection.vendor == "postgresql":
        head_qs = head_qs.select_for_update()
    head = head_qs.filter(id=1).first()
    if head is None:  # only after a test flush: migration 0002 creates the row
        ChainHead.objects.get_or_create(id=1)
        head = head_qs.get(id=1)
    return head


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
    head = _locked_head()
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


@transaction.atomic
def create_checkpoint(*, actor: Principal | None = None, force: bool = False) -> Checkpoint | None:
    """Sign the chain's latest hash with the audit key and store it as a :class:`Checkpoint`.

    First records an ``audit.checkpoint_signed`` event, then signs the head *including* that
    event, so every checkpoint covers its own announcement. Returns the checkpoint, or ``None``
    when nothing was appended since the last checkpoint (unless ``force``), so a timer can run
    it as often as it likes. ``actor`` defaults to the platform. Raises
    :class:`satupintu.audit.keys.AuditKeyError` when the key is missing or unusable (nothing is
    written then).
    """
    key = keys.signing_key()  # fail before writing anything
    public_id = keys.key_id(key.public_key())
    head = _locked_head()
    latest = Checkpoint.objects.order_by("-seq", "-id").first()
    if not force and latest is not None and latest.seq == head.last_seq:
        return None
    event = record(actor=actor or Principal.platform(), action="audit.checkpoint_signed",
                   target=("audit.chain", "head"), details={"key_id": public_id})
    checkpoint = Checkpoint(seq=event.seq, hash=event.hash, signed_at=timezone.now(), key_id=public_id)
    checkpoint.signature = key.sign(checkpoint_message(checkpoint.signed_fields())).hex()
    checkpoint.save(force_insert=True)
    return checkpoint
