"""Export audit events as JSON Lines, for archiving (docs/operations.md "Audit log")."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Protocol

from satupintu.audit.models import AuditEvent


class TextSink(Protocol):
    def write(self, text: str, /) -> object: ...


def event_record(event: AuditEvent) -> dict[str, object]:
    """One event as a JSON-ready dict: every hashed field plus ``hash`` (so the archive
    can be re-verified offline: ``hash = SHA-256(prev_hash || JCS(record without hash))``)."""
    return {**event.canonical_fields(), "hash": event.hash}


def events_between(*, since: datetime | None, until: datetime | None) -> Iterator[AuditEvent]:
    """Events with ``since <= occurred_at < until`` (aware datetimes; either bound optional), by seq."""
    qs = AuditEvent.objects.order_by("seq")
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    return qs.iterator(chunk_size=2000)


def write_jsonl(events: Iterable[AuditEvent], out: TextSink) -> tuple[int, str]:
    """Write one JSON object per line (UTF-8, keys sorted). Returns (count, hex SHA-256 of the text)."""
    digest, count = hashlib.sha256(), 0
    for event in events:
        line = json.dumps(event_record(event), ensure_ascii=False, sort_keys=True) + "\n"
        out.write(line)
        digest.update(line.encode("utf-8"))
        count += 1
    return count, digest.hexdigest()
