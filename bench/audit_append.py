"""Audit append throughput (events/s): the hash chain against a plain INSERT, same run.

Per event, each path runs one transaction and commits it, as a real request would:

* **plain INSERT (baseline)** — the same event fields inserted into an unchained table with the
  same indexes (no prev_hash/hash, no head lock), with the same raw ``INSERT`` and ORM value
  adaptation that ``record()`` uses;
* **ORM create() (reference)** — the same row through ``Model.save()``, as a typical app would;
* **chained** — :func:`satupintu.audit.actions.record`: lock the chain head, hash
  (RFC 8785 + SHA-256), insert, move the head.

Both with one writer and with 8 concurrent writer processes (one connection each). Ratio =
plain throughput / chained throughput = the chain's cost (goal: under 2x), computed per round
from a back-to-back pair and reported as the median (and range) of 5 rounds, so that load from
other processes on a shared machine hits both sides of each ratio alike.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable

from bench.common import median, prepare_backend, print_table

EVENTS_SINGLE = 400
WRITERS = 8
EVENTS_PER_WRITER = 50
ROUNDS = 5


def main(backend: str) -> None:
    prepare_backend(backend)
    from django.db import connection, connections, models, transaction
    from django.utils import timezone

    from satupintu.audit.actions import insert_params, insert_sql, record
    from satupintu.audit.models import AuditEvent
    from satupintu.audit.verify import verify_chain
    from satupintu.core.principal import Principal

    class PlainEvent(models.Model):  # noqa: DJ008 - bench-only table
        occurred_at = models.DateTimeField(db_index=True)
        actor_kind = models.CharField(max_length=16)
        actor_id = models.CharField(max_length=255, db_index=True)
        actor_display = models.CharField(max_length=255, blank=True)
        actor_agency = models.CharField(max_length=64, blank=True, db_index=True)
        action = models.CharField(max_length=64, db_index=True)
        target_type = models.CharField(max_length=64, blank=True)
        target_id = models.CharField(max_length=255, blank=True)
        details = models.JSONField(default=dict)
        request_id = models.CharField(max_length=64, blank=True)
        ip = models.GenericIPAddressField(null=True, blank=True)
        user_agent = models.CharField(max_length=512, blank=True)

        class Meta:
            app_label = "audit"
            db_table = "bench_plain_event"
            indexes = [models.Index(fields=["target_type", "target_id"], name="bench_plain_target")]

    with connection.schema_editor() as editor:
        editor.create_model(PlainEvent)

    actor = Principal(kind="officer", id="42", display="Petugas Bench", agency="kemendagri")
    details = {"application": "PMH-2026-000123", "from": "submitted", "to": "verified", "note": "ok"}

    def plain_event(writer: int, i: int) -> PlainEvent:
        return PlainEvent(occurred_at=timezone.now(), actor_kind=actor.kind, actor_id=actor.id,
                          actor_display=actor.display, actor_agency=actor.agency or "", action="regions.imported",
                          target_type="applications.application", target_id=f"{writer}-{i}", details=details,
                          request_id="", ip=None, user_agent="")

    def plain(n: int, writer: int) -> None:
        sql = insert_sql(PlainEvent, include_pk=False)
        for i in range(n):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, insert_params(PlainEvent, plain_event(writer, i), include_pk=False))

    def plain_orm(n: int, writer: int) -> None:
        for i in range(n):
            with transaction.atomic():
                plain_event(writer, i).save(force_insert=True)

    def chained(n: int, writer: int) -> None:
        for i in range(n):
            with transaction.atomic():
                record(actor=actor, action="regions.imported",
                       target=("applications.application", f"{writer}-{i}"), details=details)

    def throughput(fn: Callable[[int, int], None], writers: int, per_writer: int) -> float:
        if writers == 1:
            start = time.perf_counter()
            fn(per_writer, 0)
            return per_writer / (time.perf_counter() - start)
        # Writers are processes, as in production (gunicorn workers): threads would measure
        # the GIL, not the database. Each opens its own connection after the fork.
        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        barrier = ctx.Barrier(writers + 1)

        def run(w: int) -> None:
            barrier.wait()
            fn(per_writer, w)
            connections.close_all()

        procs = [ctx.Process(target=run, args=(w,)) for w in range(writers)]
        for proc in procs:
            proc.start()
        barrier.wait()
        start = time.perf_counter()
        for proc in procs:
            proc.join()
        elapsed = time.perf_counter() - start
        if any(proc.exitcode != 0 for proc in procs):
            raise RuntimeError("a writer process failed")
        return writers * per_writer / elapsed

    chained(20, 99)  # warm up both paths (connections, statement caches)
    plain(20, 99)
    plain_orm(20, 99)
    rows = []
    for writers, per_writer in ((1, EVENTS_SINGLE), (WRITERS, EVENTS_PER_WRITER)):
        plain_rates, orm_rates, chain_rates, ratios = [], [], [], []
        for _ in range(ROUNDS):
            plain_rates.append(throughput(plain, writers, per_writer))
            chain_rates.append(throughput(chained, writers, per_writer))
            orm_rates.append(throughput(plain_orm, writers, per_writer))
            ratios.append(plain_rates[-1] / chain_rates[-1])  # a pair measured back to back
        rows.append([f"{writers} writer{'s' if writers > 1 else ''}", median(plain_rates), median(chain_rates),
                     median(ratios), f"{min(ratios):.2f}–{max(ratios):.2f}", median(orm_rates)])
    report = verify_chain(public_keys={})
    assert report.ok and report.count == AuditEvent.objects.count(), report.problem
    print_table(
        f"Audit append on {backend}: events/s, one transaction per event (median of {ROUNDS} rounds)",
        ["writers", "plain INSERT events/s (baseline)", "chained record() events/s", "chain cost (median ratio)",
         "ratio range", "ORM create() events/s (reference)"],
        rows,
    )
    print(f"\nchain verified after the run: {report.count:,} events intact")


if __name__ == "__main__":
    main(sys.argv[1])
