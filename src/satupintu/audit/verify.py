"""Offline verification of the audit chain and its signed checkpoints.

Checks, in sequence order, that (1) sequence numbers run 1, 2, 3 … without gaps, (2) each
event's ``prev_hash`` is the previous event's ``hash`` (genesis: 64 zeros), (3) each stored
``hash`` equals ``SHA-256(prev_hash || JCS(event))`` recomputed from the stored contents, (4)
every checkpoint carries a valid Ed25519 signature by a trusted key and matches the event hash
at its sequence number, and (5) the chain head matches the last event. The first failure wins.

What each tampering looks like: a modified field → (3) at that event; a deleted event → (1) at
the missing number, or (5)/(4) when it was the last; an inserted or reordered event → (1), (2)
or (3) at the first displaced event; the whole chain rewritten with recomputed hashes (no key)
→ (4) at the first checkpoint that no longer matches, naming the range of events since the
previous good checkpoint. Events after the last checkpoint are only as safe as (5): an attacker
with database rights can append a well-formed event there until the next checkpoint is signed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from satupintu.audit.chain import checkpoint_message, event_hash
from satupintu.audit.models import AuditEvent, ChainHead, Checkpoint
from satupintu.core.models import GENESIS_HASH


@dataclass(frozen=True)
class Problem:
    """The first bad event: ``seq`` (its sequence number) and a one-line English ``reason``."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"first bad event #{self.seq}: {self.reason}"


@dataclass(frozen=True)
class Report:
    """Outcome of :func:`verify_chain`. ``problem`` is ``None`` when the chain is intact."""

    count: int
    last_seq: int
    checkpoints: int
    last_signed_seq: int
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _bad_signature(cp: Checkpoint, public_keys: dict[str, Ed25519PublicKey]) -> str | None:
    key = public_keys.get(cp.key_id)
    if key is None:
        return f"checkpoint {cp.pk} at #{cp.seq} is signed by an untrusted key {cp.key_id[:16]}…"
    try:
        key.verify(bytes.fromhex(cp.signature), checkpoint_message(cp.signed_fields()))
    except (InvalidSignature, ValueError):
        return f"checkpoint {cp.pk} at #{cp.seq} has an invalid signature (forged or altered checkpoint)"
    return None


def _diagnose_broken_link(event: AuditEvent) -> Problem:
    """``event.prev_hash`` is not the previous event's hash: find out why (runs once, on failure)."""
    linked = AuditEvent.objects.filter(hash=event.prev_hash).values_list("seq", flat=True).first()
    if linked is not None and linked < event.seq - 1:
        return Problem(linked + 1, f"events #{linked + 1}..#{event.seq - 1} were inserted: event #{event.seq} "
                                   f"links to #{linked}")
    if linked is not None and linked > event.seq:
        return Problem(event.seq, f"events are out of order: event #{event.seq} links to later event #{linked}")
    return Problem(event.seq, "prev_hash does not link to the previous event (its predecessor was replaced "
                              "or reordered)")


_BROKEN_LINK = "prev_hash does not link to the previous event"


def _event_problem(*, expected: int, prev_hash: str, seq: int, stored_prev: str, stored_hash: str,
                   canonical: dict[str, Any]) -> Problem | None:
    """Why the event is bad (gap, broken link, changed contents), or ``None`` when it fits."""
    if seq != expected:
        return Problem(expected, f"event #{expected} is missing (deleted?); the next stored event is #{seq}")
    if stored_prev != prev_hash:
        return Problem(seq, _BROKEN_LINK)
    if event_hash(stored_prev, canonical) != stored_hash:
        return Problem(seq, "stored hash does not match the event's contents (modified event)")
    return None


class _Checkpoints:
    """Signed checkpoints by sequence number, checked as the walk reaches them."""

    def __init__(self, public_keys: dict[str, Ed25519PublicKey]) -> None:
        self.all = list(Checkpoint.objects.order_by("seq", "id"))
        self.by_seq: dict[int, list[Checkpoint]] = defaultdict(list)
        for cp in self.all:
            self.by_seq[cp.seq].append(cp)
        self.keys = public_keys
        self.last_good = 0  # sequence number of the last checkpoint that matched

    def check(self, seq: int, chain_hash: str) -> Problem | None:
        for cp in self.by_seq.get(seq, []):
            bad = _bad_signature(cp, self.keys)
            if bad:
                return Problem(seq, bad)
            if cp.hash != chain_hash:
                first = min(self.last_good + 1, seq)
                return Problem(first, f"events #{first}..#{seq} were rewritten: checkpoint {cp.pk} signed "
                                      f"at {cp.signed_at.isoformat()} does not match the hash of event #{seq}")
            self.last_good = seq
        return None

    def beyond(self, last_seq: int) -> Problem | None:
        later = [cp for cp in self.all if cp.seq > last_seq]
        if later:
            return Problem(last_seq + 1, f"checkpoint {later[0].pk} signs event #{later[0].seq}, "
                                         "which is missing (events deleted from the end)")
        return None


def _head_problem(last_seq: int, last_hash: str) -> Problem | None:
    head = ChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if head_seq > last_seq:
        return Problem(last_seq + 1, f"event #{last_seq + 1} is missing: the chain head says the last "
                                     f"event is #{head_seq} (events deleted from the end)")
    if (head_seq, head_hash) != (last_seq, last_hash):
        return Problem(head_seq + 1 if head_seq < last_seq else last_seq,
                       "the chain head does not match the last event (event added outside record())")
    return None


def verify_chain(*, public_keys: dict[str, Ed25519PublicKey], chunk_size: int = 2000) -> Report:
    """Walk every event and checkpoint in the database (see module docstring). Reads only;
    O(events) time, O(checkpoints + chunk_size) memory. ``public_keys``: ``{key_id: key}``
    trusted for checkpoint signatures."""
    checkpoints = _Checkpoints(public_keys)
    prev_hash, expected = GENESIS_HASH, 1
    problem = checkpoints.check(0, GENESIS_HASH)
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for event in events if problem is None else ():
        problem = _event_problem(expected=expected, prev_hash=prev_hash, seq=event.seq, stored_prev=event.prev_hash,
                                 stored_hash=event.hash, canonical=event.canonical_fields())
        if problem is not None and problem.reason == _BROKEN_LINK:
            problem = _diagnose_broken_link(event)
        problem = problem or checkpoints.check(event.seq, event.hash)
        if problem:
            break
        prev_hash, expected = event.hash, expected + 1
    last_seq = expected - 1
    problem = problem or checkpoints.beyond(last_seq) or _head_problem(last_seq, prev_hash)
    return Report(count=last_seq, last_seq=last_seq, checkpoints=len(checkpoints.all),
                  last_signed_seq=checkpoints.last_good, problem=problem)


@dataclass(frozen=True)
class SegmentReport:
    """Outcome of :func:`verify_segment`: ``first_prev_hash`` must equal the previous segment's
    ``last_hash`` (or 64 zeros for the first segment); ``problem`` is ``None`` when intact."""

    count: int
    first_seq: int | None
    first_prev_hash: str | None
    last_hash: str | None
    problem: Problem | None


def verify_segment(lines: Iterable[str]) -> SegmentReport:
    """Check an exported JSON Lines segment (``satupintu audit export``) without a database:
    consecutive ``seq``, each ``prev_hash`` = previous line's ``hash``, each ``hash`` recomputed.
    A line that is not a JSON event object is reported at the sequence number expected there."""
    count, first_seq, first_prev, prev_hash, expected = 0, None, None, "", 0
    for line in lines:
        try:
            record = json.loads(line)
            stored_hash, seq, stored_prev = record.pop("hash"), int(record["seq"]), record["prev_hash"]
        except (ValueError, KeyError, TypeError, AttributeError):
            return SegmentReport(count, first_seq, first_prev, prev_hash or None,
                                 Problem(expected, f"line {count + 1} is not an exported audit event"))
        if first_seq is None:
            first_seq, first_prev, prev_hash, expected = seq, stored_prev, stored_prev, seq
        problem = _event_problem(expected=expected, prev_hash=prev_hash, seq=seq, stored_prev=stored_prev,
                                 stored_hash=stored_hash, canonical=record)
        if problem:
            return SegmentReport(count, first_seq, first_prev, prev_hash, problem)
        prev_hash, expected, count = stored_hash, expected + 1, count + 1
    return SegmentReport(count, first_seq, first_prev, prev_hash or None, None)
