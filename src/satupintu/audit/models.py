"""Append-only, hash-chained audit events.

``hash = SHA-256(prev_hash_bytes || JCS(event))`` where JCS is the RFC 8785 JSON
canonicalisation of :meth:`AuditEvent.canonical_fields`. ``prev_hash`` of the first event is
64 zeros. Appends are serialised through the single :class:`ChainHead` row (``SELECT ... FOR
UPDATE`` on PostgreSQL; SQLite serialises writers itself), so the chain never forks.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from satupintu.core.models import ChainHeadBase


class AppendOnlyError(Exception):
    """An attempt to change or delete audit history through the ORM (the database refuses it too)."""


class AppendOnlyQuerySet(models.QuerySet):
    """No ``update()`` or ``delete()``: history is only ever appended to."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} is append-only: update() refused")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} is append-only: delete() refused")

    delete.queryset_only = True  # type: ignore[attr-defined]


class AppendOnlyModel(models.Model):
    """``save()`` only inserts; ``delete()`` is refused."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only: it cannot be changed once stored")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} is append-only: delete() refused")


class AuditEvent(AppendOnlyModel):
    """One event. Never updated or deleted (database triggers refuse it)."""

    seq = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("time (UTC)"), db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=16)
    actor_id = models.CharField(_("actor"), max_length=255, db_index=True)
    actor_display = models.CharField(_("actor name"), max_length=255, blank=True)
    actor_agency = models.CharField(_("actor's agency"), max_length=64, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_kind}:{self.actor_id}"

    def details_json(self) -> str:
        """``details`` as JSON text (for display and export), keys sorted, non-ASCII kept."""
        return json.dumps(self.details, ensure_ascii=False, sort_keys=True, default=str)

    def canonical_fields(self) -> dict[str, Any]:
        """The fields the hash covers, as JSON-ready values (time as ISO 8601 UTC, microseconds)."""
        return {**self.chain_fields(), **self.content_fields()}

    def chain_fields(self) -> dict[str, Any]:
        """The hashed fields fixed only under the append lock: position, time, predecessor."""
        return {
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(timespec="microseconds"),
            "prev_hash": self.prev_hash,
        }

    def content_fields(self) -> dict[str, Any]:
        """The hashed fields known before the append lock is taken."""
        return {
            "actor_kind": self.actor_kind,
            "actor_id": self.actor_id,
            "actor_display": self.actor_display,
            "actor_agency": self.actor_agency,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "details": self.details,
            "request_id": self.request_id,
            "ip": self.ip,
            "user_agent": self.user_agent,
        }


class ChainHead(ChainHeadBase):
    """The single row holding the chain's latest sequence number and hash (the append lock)."""

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_singleton")]


class Checkpoint(AppendOnlyModel):
    """A signature over the chain's hash at ``seq`` made with the platform's Ed25519 audit key.

    ``signature`` is hex Ed25519 over :meth:`signed_message` (RFC 8785 JSON of version, seq,
    hash and signing time). ``key_id`` is the hex SHA-256 of the raw 32-byte public key, so
    ``verify`` can tell which trusted key to check it with. Never updated or deleted.
    """

    seq = models.BigIntegerField(_("last event covered"), db_index=True)
    hash = models.CharField(_("chain hash"), max_length=64)
    signed_at = models.DateTimeField(_("signed at (UTC)"))
    key_id = models.CharField(_("key id"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        ordering = ["seq", "id"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint #{self.seq} {self.hash[:12]}"

    def signed_fields(self) -> dict[str, Any]:
        """What the signature covers (JSON-ready)."""
        return {
            "v": 1,
            "seq": self.seq,
            "hash": self.hash,
            "signed_at": self.signed_at.isoformat(timespec="microseconds"),
            "key_id": self.key_id,
        }
