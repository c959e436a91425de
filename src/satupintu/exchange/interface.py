"""What other apps may use from the exchange.

* :func:`satupintu.exchange.selectors.data_accesses_for_nik` — a citizen's data-access records;
* :func:`citizen_nik` — **seam for the identity app**: the NIK of the signed-in citizen;
* :func:`nik_index`, :func:`seal`, :func:`unseal` — the NIK blind index and AES-256-GCM sealing of
  personal identifiers at rest (used by the registries);
* :func:`forget_token_introspections` — drop the gateway's cached introspection results of tokens
  (their client was disabled at the platform's provider);
* :func:`hosted_exchange_client` — the platform calling its own gateway as an agency's hosted client
  subsystem (once-only prefill, ADR 0110); failures: :class:`ExchangeCallFailed` (the gateway refused),
  :class:`TokenUnavailable` (no token), ``httpx.HTTPError`` (gateway or provider unreachable).

A citizen principal's NIK is read from ``request.user.nik()`` (the identity user's decrypted NIK);
the blind index is the identity app's (:func:`satupintu.identity.interface.nik_blind_index`).
"""

from __future__ import annotations

import re
from typing import Any

from satupintu.core.principal import principal_for_request
from satupintu.exchange.client import ExchangeCallFailed, ExchangeClient, TokenUnavailable
from satupintu.exchange.keys import decrypt_body, encrypt_body, nik_index

__all__ = ["ExchangeCallFailed", "TokenUnavailable", "citizen_nik", "forget_token_introspections",
           "hosted_exchange_client", "nik_index", "record_officer_access", "seal", "unseal"]


def forget_token_introspections(token_checksums: list[str]) -> None:
    """Make the gateway introspect these access tokens (SHA-256 hex checksums, as DOT stores them)
    again on their next message instead of reusing a cached answer (shared cache; ADR 0105)."""
    from satupintu.exchange.clientauth import forget_tokens

    forget_tokens(token_checksums)


def hosted_exchange_client(agency_code: str) -> tuple[ExchangeClient, str] | None:
    """An :class:`ExchangeClient` acting as the platform-hosted client subsystem of the agency
    ``agency_code`` (calling ``SATUPINTU_EXCHANGE_GATEWAY_URL`` over HTTP with a private_key_jwt
    client-credentials token), and that subsystem's X-Road id; ``None`` when the directory has no
    such subsystem bound to an OAuth client."""
    from satupintu.exchange import platform_client

    hosted = platform_client.hosted_client(agency_code)
    if hosted is None:
        return None
    return platform_client.exchange_client(hosted), hosted.client_id


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
    accessor = getattr(getattr(request, "user", None), "nik", None)
    # identity.User.nik() decrypts the stored NIK (a method, so it is never read by accident).
    nik = str((accessor() if callable(accessor) else accessor) or "")
    return nik if _NIK.match(nik) else None


def record_officer_access(*, acting: Any, record: str, data_items: list[str], purpose: str, legal_basis: str,
                          nik: str | None = None, subject: str | None = None, request: Any = None) -> None:
    """Record that an officer read a citizen's personal data in the back-office, so it appears in
    the citizen's "Siapa yang mengakses data saya" list (call it in the view that shows the data,
    inside the transaction that writes its audit row).

    The citizen is named by ``nik`` (16 digits) or by ``subject``, a principal key such as
    ``"citizen:42"`` (the identity user's pk; their stored blind index is used, the NIK is never
    decrypted). A ``subject`` that is not a citizen with a NIK records nothing.
    ``acting``: the officer's :class:`~satupintu.core.principal.Principal` (its agency is shown);
    ``record``: what was opened (e.g. ``application/123``); ``purpose``/``legal_basis``: why.
    Raises ``ValueError`` for a malformed NIK, neither/both of ``nik`` and ``subject``, or a
    principal that is not an officer.
    """
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from satupintu.catalog.models import Agency
    from satupintu.exchange.models import DataAccess

    if (nik is None) == (subject is None):
        raise ValueError("give exactly one of nik and subject")
    if nik is not None and not _NIK.match(nik):
        raise ValueError("nik must be 16 digits")
    if getattr(acting, "kind", "") != "officer":
        raise ValueError("only officers' back-office reads are recorded here")
    index: str | None = None
    if nik is not None:
        index = nik_index(nik)
    else:
        kind, _sep, user_id = str(subject).partition(":")
        if kind == "citizen" and user_id.isdigit():
            index = (get_user_model().objects.filter(pk=int(user_id), kind="citizen")
                     .values_list("nik_index", flat=True).first())
    if not index:
        return
    agency = Agency.objects.filter(code=acting.agency or "").first()
    DataAccess.objects.create(
        occurred_at=timezone.now(), subject_index=index, agency_code=acting.agency or "",
        agency_name=agency.name_id if agency else (acting.agency or ""), client=f"officer:{acting.id}",
        service="back-office", record=record[:2000], data_items=list(data_items), purpose=purpose[:500],
        legal_basis=legal_basis[:500], request_id=str(getattr(request, "request_id", ""))[:64],
    )
