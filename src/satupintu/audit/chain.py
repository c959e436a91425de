"""Hashing of audit events (RFC 8785 canonical JSON + SHA-256)."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def event_hash(prev_hash: str, canonical: dict[str, Any]) -> str:
    """``hex(SHA-256(bytes.fromhex(prev_hash) || JCS(canonical)))`` (RFC 8785 §3)."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + rfc8785.dumps(canonical)).hexdigest()


class PreparedContent:
    """The RFC 8785 members (``"name":value``) of an event's content, serialised *before* the
    append lock so that only the three chain fields are serialised while it is held.

    JCS of an object is ``{`` + its members sorted by the UTF-16 code units of their names,
    joined by ``,`` + ``}`` (RFC 8785 §3.2.3); every name and value is serialised by ``rfc8785``
    itself. Names must be ASCII (ours are field names), where UTF-16 order is plain string order.
    :func:`event_hash` over the whole dict gives the same result (tested).
    """

    def __init__(self, content: dict[str, Any]) -> None:
        self.members = {name: _member(name, value) for name, value in content.items()}

    def hash(self, prev_hash: str, chain: dict[str, Any]) -> str:
        """``event_hash(prev_hash, content | chain)``; ``chain`` must not repeat content names."""
        members = {**self.members, **{name: _member(name, value) for name, value in chain.items()}}
        body = b"{" + b",".join(members[name] for name in sorted(members)) + b"}"
        return hashlib.sha256(bytes.fromhex(prev_hash) + body).hexdigest()


def _member(name: str, value: Any) -> bytes:
    if not name.isascii():
        raise ValueError(f"hashed field names must be ASCII: {name!r}")
    return rfc8785.dumps(name) + b":" + rfc8785.dumps(value)


def checkpoint_message(signed_fields: dict[str, Any]) -> bytes:
    """The bytes a checkpoint signature covers: ``JCS(signed_fields)`` (RFC 8785)."""
    return rfc8785.dumps(signed_fields)
