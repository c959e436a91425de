"""The audit tables are append-only at the database: UPDATE/DELETE through SQL are refused."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, models, transaction

from satupintu.audit.actions import record
from satupintu.audit.models import AppendOnlyError, AuditEvent, ChainHead, Checkpoint
from satupintu.core.principal import Principal

pytestmark = pytest.mark.django_db(transaction=True)


def _event() -> AuditEvent:
    return record(actor=Principal.platform(), action="regions.imported", details={"added": 1})


def _refused(sql: str, params: list[object] | None = None) -> str:
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(caught.value)


def test_sql_update_of_an_event_is_refused() -> None:
    event = _event()
    message = _refused("UPDATE audit_auditevent SET details = %s WHERE seq = %s", ['{"added": 9}', event.seq])
    assert "append-only" in message
    assert AuditEvent.objects.get(seq=event.seq).details == {"added": 1}


def test_sql_delete_of_an_event_is_refused() -> None:
    event = _event()
    assert "append-only" in _refused("DELETE FROM audit_auditevent WHERE seq = %s", [event.seq])
    assert AuditEvent.objects.filter(seq=event.seq).exists()


def test_orm_has_no_update_or_delete_path() -> None:
    event = _event()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=event.seq).update(action="regions.hacked")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=event.seq).delete()
    stored = AuditEvent.objects.get(seq=event.seq)
    stored.action = "regions.hacked"
    with pytest.raises(AppendOnlyError):
        stored.save()
    with pytest.raises(AppendOnlyError):
        stored.delete()
    assert AuditEvent.objects.get(seq=event.seq).action == "regions.imported"


def test_bypassing_the_orm_guard_still_hits_the_database_trigger() -> None:
    event = _event()
    with pytest.raises(DatabaseError), transaction.atomic():
        models.QuerySet(AuditEvent).filter(seq=event.seq).update(action="regions.hacked")
    with pytest.raises(DatabaseError), transaction.atomic():
        models.QuerySet(AuditEvent).filter(seq=event.seq)._raw_delete(connection.alias)
    assert AuditEvent.objects.get(seq=event.seq).action == "regions.imported"


def test_flush_cannot_wipe_the_audit_log() -> None:
    _event()
    with pytest.raises(CommandError) as caught:
        call_command("flush", interactive=False, verbosity=0)
    assert isinstance(caught.value.__cause__, DatabaseError)
    assert "append-only" in str(caught.value.__cause__)
    assert AuditEvent.objects.count() == 1


def test_checkpoints_are_append_only_too() -> None:
    from django.utils import timezone

    cp = Checkpoint.objects.create(seq=0, hash="0" * 64, signed_at=timezone.now(), key_id="k", signature="s")
    assert "append-only" in _refused("UPDATE audit_checkpoint SET seq = 5 WHERE id = %s", [cp.pk])
    assert "append-only" in _refused("DELETE FROM audit_checkpoint WHERE id = %s", [cp.pk])


def test_chain_head_stays_updatable() -> None:
    event = _event()
    head = ChainHead.objects.get(id=1)
    assert (head.last_seq, head.last_hash) == (event.seq, event.hash)
