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

from collections import defaultdict
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from satupintu.audit.chain import checkpoint_message, event_hash
from satupintu.audit.models import GENESIS_HASH, AuditEvent, ChainHead, Checkpoint


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


def verify_chain(*, public_keys: dict[str, Ed25519PublicKey], chunk_size: int = 2000) -> Report:
    """Walk every event and checkpoint (see module docstring). Reads only; O(events) time,
    O(checkpoints + chunk_size) memory. ``public_keys``: ``{key_id: key}`` trusted for checkpoints."""
    checkpoints: dict[int, list[Checkpoint]] = defaultdict(list)
    all_checkpoints = list(Checkpoint.objects.order_by("seq", "id"))
    for cp in all_checkpoints:
        checkpoints[cp.seq].append(cp)
    prev_hash, expected, count = GENESIS_HASH, 1, 0
    last_good_cp = 0  # sequence number of the last checkpoint that matched
    problem: Problem | None = None

    def check_checkpoints_at(seq: int, chain_hash: str) -> Problem | None:
        nonlocal last_good_cp
        for cp in checkpoints.get(seq, []):
            bad = _bad_signature(cp, public_keys)
            if bad:
                return Problem(seq, bad)
            if cp.hash != chain_hash:
                first = min(last_good_cp + 1, seq)
                return Problem(first, f"events #{first}..#{seq} were rewritten: checkpoint {cp.pk} signed "
                                      f"at {cp.signed_at.isoformat()} does not match the hash of event #{seq}")
            last_good_cp = seq
        return None

    problem = check_checkpoints_at(0, GENESIS_HASH)
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size)
    for event in events if problem is None else ():
        if event.seq != expected:
            problem = Problem(expected, f"event #{expected} is missing (deleted?); the next stored event is "
                                        f"#{event.seq}" if event.seq > expected else "sequence out of order")
            break
        if event.prev_hash != prev_hash:
            problem = _diagnose_broken_link(event)
            break
        if event_hash(event.prev_hash, event.canonical_fields()) != event.hash:
            problem = Problem(event.seq, "stored hash does not match the event's contents (modified event)")
            break
        problem = check_checkpoints_at(event.seq, event.hash)
        if problem:
            break
        prev_hash, expected, count = event.hash, expected + 1, count + 1
    last_seq = expected - 1
    if problem is None:
        later = [cp for cp in all_checkpoints if cp.seq > last_seq]
        if later:
            problem = Problem(last_seq + 1, f"checkpoint {later[0].pk} signs event #{later[0].seq}, "
                                            "which is missing (events deleted from the end)")
    if problem is None:
        head = ChainHead.objects.filter(id=1).first()
        head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
        if head_seq > last_seq:
            problem = Problem(last_seq + 1, f"event #{last_seq + 1} is missing: the chain head says the last "
                                            f"event is #{head_seq} (events deleted from the end)")
        elif (head_seq, head_hash) != (last_seq, prev_hash):
            problem = Problem(head_seq + 1 if head_seq < last_seq else last_seq,
                              "the chain head does not match the last event (event added outside record())")
    return Report(count=count, last_seq=last_seq, checkpoints=len(all_checkpoints),
                  last_signed_seq=last_good_cp, problem=problem)
