"""audit.actions.record: one event per committed change, none for a rolled-back one, a valid chain."""

from __future__ import annotations

import pytest
from django.db import transaction

from satupintu.audit.actions import UnknownAuditAction, mask_nik, record
from satupintu.audit.chain import event_hash
from satupintu.audit.models import GENESIS_HASH, AuditEvent
from satupintu.core.principal import Principal

pytestmark = pytest.mark.django_db(transaction=True)


def test_committed_change_has_exactly_one_event() -> None:
    with transaction.atomic():
        record(actor=Principal.platform(), action="regions.imported", target=("regions", "all"),
               details={"added": 3})
    events = list(AuditEvent.objects.all())
    assert len(events) == 1
    assert events[0].prev_hash == GENESIS_HASH
    assert events[0].hash == event_hash(GENESIS_HASH, events[0].canonical_fields())


def test_rolled_back_change_leaves_no_event() -> None:
    def failing_change() -> None:
        with transaction.atomic():
            record(actor=Principal.platform(), action="regions.imported", details={})
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert AuditEvent.objects.count() == 0
    # The next event still chains from the genesis hash: no gap, no fork.
    event = record(actor=Principal.platform(), action="regions.imported")
    assert event.seq == 1 and event.prev_hash == GENESIS_HASH


def test_events_chain_to_each_other() -> None:
    first = record(actor=Principal.platform(), action="regions.imported")
    second = record(actor=Principal.platform(), action="regions.imported")
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1


def test_unregistered_action_is_refused() -> None:
    with pytest.raises(UnknownAuditAction):
        record(actor=Principal.platform(), action="regions.imploded")


def test_nik_is_masked_and_secrets_redacted() -> None:
    event = record(actor=Principal.platform(), action="regions.imported",
                   details={"nik": "3174012345670001", "password": "hunter2", "note": "NIK 3174012345670001"})
    assert event.details == {"nik": "3174********0001", "password": "[redacted]", "note": "NIK 3174********0001"}
    assert mask_nik("x") == "x"


@pytest.mark.parametrize("remote_addr", ["10.1.2.3", "2001:DB8:0:0::1", "::ffff:10.0.0.1", "not-an-ip"])
def test_request_context_is_stored_and_the_stored_row_still_hashes(remote_addr: str) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR=remote_addr, HTTP_USER_AGENT="Mozilla/5.0 (uji)")
    request.request_id = "req-123"  # type: ignore[attr-defined]
    event = record(actor=Principal(kind="citizen", id="7", display="Warga 3174012345670001"),
                   action="regions.imported", request=request, details={"big": 2**60, "ratio": 0.5, "ok": True})
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.hash == event_hash(stored.prev_hash, stored.canonical_fields())
    assert stored.canonical_fields() == event.canonical_fields()
    assert (stored.request_id, stored.user_agent) == ("req-123", "Mozilla/5.0 (uji)")
    assert stored.actor_display == "Warga 3174********0001"
    assert stored.details == {"big": str(2**60), "ratio": 0.5, "ok": True}
    assert stored.ip == {"10.1.2.3": "10.1.2.3", "2001:DB8:0:0::1": "2001:db8::1",
                         "::ffff:10.0.0.1": "10.0.0.1", "not-an-ip": None}[remote_addr]

