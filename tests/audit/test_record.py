"""audit.actions.record: one event per committed change, none for a rolled-back one, a valid chain."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from satupintu.audit.actions import UnknownAuditAction, mask_nik, record
from satupintu.audit.chain import event_hash
from satupintu.audit.models import AuditEvent
from satupintu.core.models import GENESIS_HASH
from satupintu.core.principal import Principal
from satupintu.regions.models import Region

pytestmark = pytest.mark.django_db(transaction=True)


def _rename_province(name: str) -> Region:
    """A change and its audit event in one transaction, as every action does."""
    with transaction.atomic():
        region = Region.objects.select_for_update().get(kode="31")
        region.nama, region.nama_lower = name, name.lower()
        region.save()
        record(actor=Principal.platform(), action="regions.imported", target=region, details={"renamed": name})
    return region


@pytest.fixture
def province() -> Region:
    return Region.objects.create(kode="31", nama="DKI Jakarta", nama_lower="dki jakarta", level=1)


def test_committed_change_has_exactly_one_event(province: Region) -> None:
    _rename_province("Daerah Khusus Jakarta")
    events = list(AuditEvent.objects.all())
    assert len(events) == 1
    assert (events[0].target_type, events[0].target_id) == ("regions.region", "31")
    assert events[0].details == {"renamed": "Daerah Khusus Jakarta"}
    assert events[0].prev_hash == GENESIS_HASH
    assert events[0].hash == event_hash(GENESIS_HASH, events[0].canonical_fields())
    assert events[0].occurred_at.utcoffset() is not None and events[0].occurred_at.utcoffset().total_seconds() == 0


def test_rolled_back_change_leaves_no_event(province: Region) -> None:
    def change_refused_by_the_database() -> None:
        with transaction.atomic():
            record(actor=Principal.platform(), action="regions.imported", target=("regions.region", "31"))
            Region.objects.create(kode="31", nama="Duplikat", nama_lower="duplikat", level=1)  # duplicate key

    with pytest.raises(IntegrityError):
        change_refused_by_the_database()
    assert Region.objects.get(kode="31").nama == "DKI Jakarta"
    assert AuditEvent.objects.count() == 0


def test_change_that_fails_after_recording_leaves_no_event(province: Region) -> None:
    def failing_change() -> None:
        with transaction.atomic():
            Region.objects.filter(kode="31").update(nama="Jakarta")
            record(actor=Principal.platform(), action="regions.imported", target=("regions.region", "31"))
            raise RuntimeError("the change failed after its event was written")

    with pytest.raises(RuntimeError):
        failing_change()
    assert Region.objects.get(kode="31").nama == "DKI Jakarta"
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
    keyed = record(actor=Principal.platform(), action="regions.imported", details={"3174012345670001": "x"})
    assert keyed.details == {"3174********0001": "x"}


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



@pytest.mark.parametrize("details", [
    {}, {"a": 1}, {"nama": "Bekasi Timur", "ü": "ünïcode", "emoji": "🇮🇩", "n": [1, 2.5, None, True]},
    {"z": {"nested": {"b": 1, "a": 2}}, "A": "upper", "_": "under", "1": "digit"},
])
def test_hash_prepared_outside_the_lock_equals_rfc8785_of_the_whole_event(details: dict[str, object]) -> None:
    from satupintu.audit.chain import PreparedContent

    event = record(actor=Principal.platform(), action="regions.imported", details=details)
    stored = AuditEvent.objects.get(seq=event.seq)
    assert event.hash == event_hash(stored.prev_hash, stored.canonical_fields())
    assert PreparedContent(stored.content_fields()).hash(stored.prev_hash, stored.chain_fields()) == stored.hash


def test_oversized_details_are_refused_and_nothing_is_written() -> None:
    from satupintu.audit.actions import AuditDetailsTooLarge

    big = {f"field{i}": "x" * 1000 for i in range(20)}  # 20 KB: an attachment, not a detail
    with pytest.raises(AuditDetailsTooLarge):
        record(actor=Principal.platform(), action="regions.imported", details=big)
    assert AuditEvent.objects.count() == 0
