"""Prefill: answers the platform already knows, from pluggable sources.

A field names its source claim in the schema (``prefill: identity.nik``). A source is an object
with ``name`` (``identity``, later ``registry.dukcapil`` through the exchange) and
``claims(principal) -> dict[str, Any]``; register it with :func:`register_source` (from an app's
``AppConfig.ready``). The identity app will register the claims of the signed-in citizen
(``nik``, ``name``, ``birthdate``, ``phone``, ``address``); the exchange issue will register
register reads, and such a source must record each read as a data access of the citizen.
No source is registered by default: fields are then simply empty.
"""

from __future__ import annotations

from typing import Any, Protocol

from satupintu.core.principal import Principal


class PrefillSource(Protocol):
    name: str

    def claims(self, principal: Principal) -> dict[str, Any]: ...


_SOURCES: dict[str, PrefillSource] = {}


def register_source(source: PrefillSource) -> None:
    """Add or replace the source called ``source.name``."""
    _SOURCES[source.name] = source


def unregister_source(name: str) -> None:
    _SOURCES.pop(name, None)


def prefill_answers(schema: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """Answers for the top-level fields that name a ``prefill`` claim whose source is registered
    and knows a value; each source is asked once. Returns ``{field name: value}`` in the stored
    answer shapes (the form then shows them as initial values the citizen can check)."""
    wanted: dict[str, list[tuple[str, str]]] = {}
    for spec in schema.get("fields", []):
        ref = spec.get("prefill")
        if ref and "." in ref:
            source, claim = ref.split(".", 1)
            wanted.setdefault(source, []).append((spec["name"], claim))
    answers: dict[str, Any] = {}
    for source_name, fields in wanted.items():
        source = _SOURCES.get(source_name)
        if source is None:
            continue
        claims = source.claims(principal)
        for field, claim in fields:
            if claims.get(claim) not in (None, ""):
                answers[field] = claims[claim]
    return answers
