"""Hashing of audit events (RFC 8785 canonical JSON + SHA-256)."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def event_hash(prev_hash: str, canonical: dict[str, Any]) -> str:
    """``hex(SHA-256(bytes.fromhex(prev_hash) || JCS(canonical)))`` (RFC 8785 §3)."""
    return hashlib.sha256(bytes.fromhex(prev_hash) + rfc8785.dumps(canonical)).hexdigest()


def checkpoint_message(signed_fields: dict[str, Any]) -> bytes:
    """The bytes a checkpoint signature covers: ``JCS(signed_fields)`` (RFC 8785)."""
    return rfc8785.dumps(signed_fields)
