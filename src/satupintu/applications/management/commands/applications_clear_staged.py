"""``satupintu manage applications_clear_staged``: delete documents uploaded through the
Registration API (``POST /documents``) that were never used and are past
``SATUPINTU_REGISTRATION_DOCUMENT_HOURS`` (ADR 0091). Run daily from the scheduler."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Delete expired documents staged through the Registration API."

    def handle(self, *args: Any, **options: Any) -> None:
        from satupintu.applications.actions import staged_documents_clear_expired

        deleted = staged_documents_clear_expired()
        self.stdout.write(f"Deleted {deleted} expired staged document(s).")
