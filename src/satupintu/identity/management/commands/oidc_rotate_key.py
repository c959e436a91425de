"""``satupintu oidc-rotate-key [--key-dir DIR] [--prune]``: new RSA signing key for ID tokens.

The active key moves to ``retired/`` and stays published in the JWKS, so tokens it signed keep
verifying until they expire; ``--prune`` deletes retired keys older than the longest token
lifetime. Restart the web processes to load the new key.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from satupintu.identity.keys import generate_rsa_pem, oidc_key_dir
from satupintu.identity.settings import ACCESS_TOKEN_SECONDS, ID_TOKEN_SECONDS


class Command(BaseCommand):
    help = "Rotate the OIDC signing key (retired keys stay in the JWKS until their tokens expire)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--key-dir", default="",
                            help="key folder (default SATUPINTU_OIDC_KEY_DIR or var/keys/oidc)")
        parser.add_argument("--prune", action="store_true", help="delete retired keys older than token lifetimes")
        parser.add_argument("--bits", type=int, default=3072)

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["key_dir"]) if options["key_dir"] else oidc_key_dir(var_dir=settings.VAR_DIR)
        retired = folder / "retired"
        retired.mkdir(parents=True, exist_ok=True, mode=0o700)
        active = folder / "active.pem"
        if active.exists():
            stamp = dt.datetime.now(tz=dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            active.rename(retired / f"{stamp}.pem")
        fd = os.open(active, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(generate_rsa_pem(options["bits"]))
        pruned = 0
        if options["prune"]:
            horizon = time.time() - max(ACCESS_TOKEN_SECONDS, ID_TOKEN_SECONDS) - 300
            for path in retired.glob("*.pem"):
                if path.stat().st_mtime < horizon:
                    path.unlink()
                    pruned += 1
        from satupintu.audit.actions import record
        from satupintu.core.principal import Principal

        record(actor=Principal.platform(), action="oidc.key_rotated", details={"pruned": pruned})
        self.stdout.write(f"New signing key in {active}; {len(list(retired.glob('*.pem')))} retired key(s) "
                          f"still published ({pruned} pruned). Restart the web processes to use it.")
