"""The one way to write to the audit log: :func:`record`."""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from satupintu.audit import keys
from satupintu.audit.chain import PreparedContent, checkpoint_message
from satupintu.audit.models import AuditEvent, ChainHead, Checkpoint
from satupintu.audit.registry import is_registered
from satupintu.core.principal import Principal

_NIK_RE = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")
_MAX_SAFE_INT = 2**53 - 1
_SECRET_KEYS = {"password", "secret", "token", "client_secret", "otp", "code", "totp", "recovery_code", "key"}


class UnknownAuditAction(ValueError):
    """The action name is not in :mod:`satupintu.audit.registry`."""


class AuditDetailsTooLarge(ValueError):
    """``details`` serialises to more than :data:`MAX_DETAILS_BYTES`: record a summary or an id."""


MAX_DETAILS_BYTES = 16 * 1024


def mask_nik(text: str) -> str:
    """Mask every 16-digit run as ``3174********0001`` (first 4 and last 4 digits kept)."""
    return _NIK_RE.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)


def _clean(value: Any, key: str = "") -> Any:
    if key.lower() in _SECRET_KEYS:
        return "[redacted]"
    if isinstance(value, dict):
        return {mask_nik(str(k)): _clean(v, str(k)) for k, v in value.items()}
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


def _lock_head(cursor: Any) -> tuple[int, str]:
    """Lock the chain head until the end of the transaction (the append lock) and return
    ``(last_seq, last_hash)``.

    PostgreSQL: ``SELECT ... FOR UPDATE`` on the single row, so concurrent appends queue here.
    SQLite: ``BEGIN IMMEDIATE`` (our ``transaction_mode``) took the database's write lock already.
    Raw SQL because this runs on every audited write (see bench/audit_append.py).
    """
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    cursor.execute(f"SELECT last_seq, last_hash FROM audit_chainhead WHERE id = 1{lock}")  # noqa: S608
    row = cursor.fetchone()
    if row is None:  # only after a test flush: migration 0002 creates the row
        ChainHead.objects.get_or_create(id=1)
        cursor.execute(f"SELECT last_seq, last_hash FROM audit_chainhead WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]), str(row[1])


def _check_action(action: str) -> None:
    if not is_registered(action):
        raise UnknownAuditAction(f"audit action {action!r} is not registered in satupintu.audit.registry")


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
    (Called outside a transaction, it commits the event on its own.) If recording fails, the
    caller's transaction is marked for rollback: a change is never committed without its event.

    ``actor``: who acted. ``action``: a registered dotted name (``application.submitted``).
    ``target``: the model instance acted on, or ``(type, id)``. ``details``: small JSON; keys
    named like secrets are redacted and 16-digit runs (NIK) are masked. ``request``: adds the
    request id, client IP (``REMOTE_ADDR``, as set by the trusted proxy) and user agent.
    Returns the stored event (``occurred_at`` is UTC, taken under the append lock, so time order
    follows ``seq``). Raises :class:`UnknownAuditAction` for an unregistered name and
    :class:`AuditDetailsTooLarge` when ``details`` exceeds 16 KiB as JSON (nothing is written).

    Performance: from this call until the transaction ends, the caller holds the chain's append
    lock (every other audited write waits), so call it as the *last* statement of the action's
    transaction, after the change itself.
    """
    _check_action(action)
    target_type, target_id = _target(target)
    event = AuditEvent(
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
    )
    # No savepoint: a failure must doom the caller's transaction anyway, and it saves two
    # statements per event.
    content = PreparedContent(event.content_fields())  # serialise outside the lock
    if len(content.members["details"]) > MAX_DETAILS_BYTES:
        raise AuditDetailsTooLarge(f"audit details of {action!r} exceed {MAX_DETAILS_BYTES} bytes as JSON")
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        last_seq, last_hash = _lock_head(cursor)
        event.seq, event.prev_hash, event.occurred_at = last_seq + 1, last_hash, timezone.now()
        event.hash = content.hash(event.prev_hash, event.chain_fields())
        params = [*insert_params(AuditEvent, event), event.seq, event.hash]
        if connection.vendor == "postgresql":  # one round trip: the row lock is held for less time
            cursor.execute(f"WITH appended AS ({_insert_event_sql()}) {_MOVE_HEAD}", params)
        else:
            cursor.execute(_insert_event_sql(), params[:-2])
            cursor.execute(_MOVE_HEAD, params[-2:])
        event._state.adding, event._state.db = False, connection.alias
    return event


@functools.cache
def _insert_event_sql() -> str:
    return insert_sql(AuditEvent)


def _insert_fields(model: type[models.Model], include_pk: bool) -> list[Any]:
    return [f for f in model._meta.concrete_fields if include_pk or not f.primary_key]


def insert_sql(model: type[models.Model], *, include_pk: bool = True) -> str:
    """``INSERT INTO <table> (<concrete columns>) VALUES (%s, ...)`` for ``model`` (the primary
    key column only with ``include_pk``: audit events bring their own ``seq``)."""
    fields = _insert_fields(model, include_pk)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608


def insert_params(model: type[models.Model], obj: models.Model, *, include_pk: bool = True) -> list[Any]:
    """The values for :func:`insert_sql`, adapted for the database exactly as the ORM adapts them."""
    return [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in _insert_fields(model, include_pk)]


# Raw SQL on the hot path (the ORM's query building cost more than the chain itself; see
# bench/audit_append.py). Column names come from the model, never from input.
_MOVE_HEAD = "UPDATE audit_chainhead SET last_seq = %s, last_hash = %s WHERE id = 1"


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
    with connection.cursor() as cursor:
        last_seq, _ = _lock_head(cursor)
    latest = Checkpoint.objects.order_by("-seq", "-id").first()
    if not force and latest is not None and latest.seq == last_seq:
        return None
    event = record(actor=actor or Principal.platform(), action="audit.checkpoint_signed",
                   target=("audit.chain", "head"), details={"key_id": public_id})
    checkpoint = Checkpoint(seq=event.seq, hash=event.hash, signed_at=timezone.now(), key_id=public_id)
    checkpoint.signature = key.sign(checkpoint_message(checkpoint.signed_fields())).hex()
    checkpoint.save(force_insert=True)
    return checkpoint
