"""What other apps may use from the exchange.

* :func:`satupintu.exchange.selectors.data_accesses_for_nik` — a citizen's data-access records;
* :func:`citizen_nik` — **seam for the identity app**: the NIK of the signed-in citizen;
* :func:`nik_index`, :func:`seal`, :func:`unseal` — the NIK blind index and AES-256-GCM sealing of
  personal identifiers at rest (used by the registries).

Until the identity branch lands, a citizen principal's NIK is read from ``request.user.nik``
(the attribute the identity app's user is expected to expose, decrypted). When identity lands,
replace the body with its documented accessor; the data-tracker API then works unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from satupintu.core.principal import principal_for_request
from satupintu.exchange.keys import decrypt_body, encrypt_body, nik_index

__all__ = ["citizen_nik", "nik_index", "seal", "unseal"]


def seal(value: str, *, purpose: str) -> bytes:
    """Encrypt ``value`` (AES-256-GCM, random nonce); ``purpose`` is bound as associated data so a
    ciphertext cannot be moved to another column or table."""
    return encrypt_body(value.encode(), aad=f"pii:{purpose}".encode())


def unseal(blob: bytes, *, purpose: str) -> str:
    """Decrypt what :func:`seal` produced for the same ``purpose``."""
    return decrypt_body(bytes(blob), aad=f"pii:{purpose}".encode()).decode()

_NIK = re.compile(r"^\d{16}$")


def citizen_nik(request: Any) -> str | None:
    """The signed-in citizen's 16-digit NIK, or ``None`` when the principal is not a citizen or
    no NIK is known for them."""
    principal = principal_for_request(request)
    if principal.kind != "citizen":
        return None
    nik = str(getattr(getattr(request, "user", None), "nik", "") or "")
    return nik if _NIK.match(nik) else None
