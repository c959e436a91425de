"""``satupintu manage applications_clear_staged``: delete staged documents that were never used
and are past ``SATUPINTU_REGISTRATION_DOCUMENT_HOURS``: uploads through the Registration API
(``POST /documents``, ADR 0091) and files kept from a failed save of the web form (ADR 0115).
Run daily from the scheduler."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Delete expired staged documents (Registration API uploads and files kept from failed form saves)."

    def handle(self, *args: Any, **options: Any) -> None:
        from satupintu.applications.actions import staged_documents_clear_expired

        deleted = staged_documents_clear_expired()
        self.stdout.write(f"Deleted {deleted} expired staged document(s).")
