"""Password hashers (ADR 0031).

* :class:`Argon2idHasher`: user passwords. Argon2id with OWASP Password Storage Cheat Sheet's
  first configuration: m = 19 MiB (19 456 KiB), t = 2, p = 1. Django's own Argon2 hasher
  (argon2-cffi) does the work; we only fix the parameters. Hashes with other parameters are
  upgraded on the next sign-in.
* :class:`ClientSecretHasher`: OAuth client secrets. They are 128 random characters (≈ 760 bits),
  so a slow hash adds nothing against guessing and would cap the client-credentials grant rate;
  one PBKDF2-SHA256 round with a salt (Django's implementation) keeps them unreadable at rest.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id, m=19456 KiB, t=2, p=1 (OWASP). Algorithm name ``argon2`` (Django-compatible)."""

    time_cost = 2
    memory_cost = 19456
    parallelism = 1


class ClientSecretHasher(PBKDF2PasswordHasher):
    """Salted single-round PBKDF2-SHA256 for high-entropy OAuth client secrets only."""

    algorithm = "sp_client_secret"
    iterations = 1
