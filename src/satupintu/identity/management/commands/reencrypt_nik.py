"""``satupintu reencrypt-nik``: re-encrypt every NIK not under the active key (after adding a
new first line to ``SATUPINTU_NIK_KEYS``). Batches of 500, each in its own transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Re-encrypt NIK ciphertexts with the active key."

    def handle(self, *args: Any, **options: Any) -> None:
        from satupintu.audit.actions import record
        from satupintu.core.principal import Principal
        from satupintu.identity.crypto import decrypt_nik, encrypt_nik
        from satupintu.identity.models import User

        active = getattr(settings, "SATUPINTU_NIK_KEYRING").active  # noqa: B009
        total = 0
        while True:
            with transaction.atomic():
                batch = list(User.objects.select_for_update().filter(nik_ciphertext__isnull=False)
                             .exclude(nik_key_id=active)[:500])
                for user in batch:
                    nik = decrypt_nik(bytes(user.nik_ciphertext or b""), user.nik_key_id)
                    user.nik_ciphertext, user.nik_key_id = encrypt_nik(nik)
                    user.save(update_fields=["nik_ciphertext", "nik_key_id"])
                if batch:
                    record(actor=Principal.platform(), action="nik.reencrypted", details={"count": len(batch)})
            total += len(batch)
            if len(batch) < 500:
                break
        self.stdout.write(f"Re-encrypted {total} NIK value(s) with key {active}.")
