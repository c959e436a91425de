"""Background tasks of the audit log (django-tasks; run by ``satupintu worker``)."""

from __future__ import annotations

from django_tasks import task

from satupintu.audit.actions import create_checkpoint


@task()
def sign_checkpoint() -> int | None:
    """Sign a checkpoint of the chain head (see :func:`satupintu.audit.actions.create_checkpoint`).

    Returns the sequence number signed, or ``None`` when nothing was appended since the last
    checkpoint. Enqueue it from a scheduler, or run ``satupintu audit checkpoint`` from a
    systemd timer / cron (docs/operations.md "Audit log").
    """
    checkpoint = create_checkpoint()
    return checkpoint.seq if checkpoint is not None else None
