"""Prefill: answers the platform already knows, from pluggable sources.

A field names its source claim in the schema (``prefill: identity.nik``, ``prefill:
population.address``). A source is an object with ``name`` and ``claims(principal, context) ->
dict[str, Any]``; register it with :func:`register_source` (from ``AppConfig.ready``). Registered:
``identity`` (the signed-in citizen's own account, :mod:`~satupintu.applications.identity_link`) and
``population`` (the population register read *through the exchange gateway* as the service agency's
client subsystem, :mod:`~satupintu.applications.register_link`, ADR 0110), which is a logged exchange
message and a data access shown to the citizen.

A source that cannot answer now raises :class:`PrefillUnavailable` with a notice for the citizen;
the form still opens, those fields simply empty. Any other error of a source is logged and treated
the same way, so prefill never breaks the form page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _

from satupintu.core.principal import Principal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrefillContext:
    """Why the prefill is asked: the online service (definition ``service_slug``, its name in
    Indonesian for purposes stated to other agencies) and the catalogue agency that owns it."""

    service_slug: str
    service_name: str
    agency_code: str


class PrefillUnavailable(Exception):  # noqa: N818 - a condition, not a programming error
    """The source cannot answer now; ``notice`` is shown to the citizen above the form."""

    def __init__(self, notice: str) -> None:
        super().__init__(notice)
        self.notice = notice


@dataclass
class Prefill:
    """``answers``: ``{field name: value}``; ``notices``: messages for the citizen (a source that
    could not answer); ``used``: notices of the sources that did fill fields (e.g. "read from the
    population register through the exchange")."""

    answers: dict[str, Any] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)


class PrefillSource(Protocol):
    name: str

    def claims(self, principal: Principal, context: PrefillContext | None = None) -> dict[str, Any]: ...


_SOURCES: dict[str, PrefillSource] = {}


def register_source(source: PrefillSource) -> None:
    """Add or replace the source called ``source.name``."""
    _SOURCES[source.name] = source


def unregister_source(name: str) -> None:
    _SOURCES.pop(name, None)


def prefill_form(schema: dict[str, Any], principal: Principal, context: PrefillContext | None = None) -> Prefill:
    """Answers for the top-level fields that name a ``prefill`` claim whose source is registered
    and knows a value; each source is asked once, only if a field wants it. Answers are in the
    stored answer shapes (the form shows them as initial values the citizen can check). Never
    raises: a failing source adds a notice instead."""
    wanted: dict[str, list[tuple[str, str]]] = {}
    for spec in schema.get("fields", []):
        ref = spec.get("prefill")
        if ref and "." in ref:
            source, claim = ref.split(".", 1)
            wanted.setdefault(source, []).append((spec["name"], claim))
    result = Prefill()
    for source_name, fields in wanted.items():
        source = _SOURCES.get(source_name)
        if source is None:
            continue
        try:
            claims = source.claims(principal, context)
        except PrefillUnavailable as exc:
            result.notices.append(exc.notice)
            continue
        except Exception:
            log.exception("prefill source %s failed", source_name)
            result.notices.append(_("Some answers could not be filled in for you right now. Please fill them in "
                                    "yourself."))
            continue
        filled = False
        for name, claim in fields:
            if claims.get(claim) not in (None, "", {}):
                result.answers[name] = claims[claim]
                filled = True
        used = getattr(source, "used_notice", None)
        if filled and used:
            result.used.append(str(used))
    return result


def prefill_answers(schema: dict[str, Any], principal: Principal,
                    context: PrefillContext | None = None) -> dict[str, Any]:
    """Only the answers of :func:`prefill_form`."""
    return prefill_form(schema, principal, context).answers
