"""Workflows of online services: states, transitions and the role allowed for each.

A workflow is JSON (stored in the definition version)::

    {"initial": "diajukan",
     "states": [
       {"name": "diajukan", "label": {"id": "Diajukan", "en": "Submitted"}},
       {"name": "perlu_perbaikan", "label": {...}, "with": "applicant"},
       {"name": "disetujui", "label": {...}, "final": "approved"},
       {"name": "ditolak", "label": {...}, "final": "rejected"}],
     "transitions": [
       {"name": "verifikasi", "from": ["diajukan"], "to": "diverifikasi", "role": "verifier",
        "label": {...}},
       {"name": "minta_perbaikan", "from": ["diajukan", "diverifikasi"], "to": "perlu_perbaikan",
        "role": "verifier", "reason_required": true, "label": {...}},
       {"name": "kirim_perbaikan", "from": ["perlu_perbaikan"], "to": "diajukan", "role": "applicant", ...}]}

``role`` is an officer role (:data:`satupintu.core.principal.ROLE_NAMES`) or ``applicant``
(the citizen who applied). A state with ``with: applicant`` waits for the citizen (the
application can be revised then); ``final`` states end the application with an outcome
(``approved``, ``rejected``). :func:`validate_workflow` checks a definition and returns every
problem with its path; :func:`allowed_transitions` lists what a principal may do now.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Container
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.utils.translation import gettext as _

from satupintu.core.errors import FieldError
from satupintu.core.principal import ROLE_NAMES, Principal

APPLICANT = "applicant"
OUTCOMES = ("approved", "rejected")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_STATE_KEYS = {"name", "label", "with", "final"}
_TRANSITION_KEYS = {"name", "from", "to", "role", "reason_required", "label"}


def _texts_ok(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(k), str) and value[k].strip() for k in ("id", "en"))


def _is_name_in(value: Any, names: Container[str]) -> TypeGuard[str]:
    """Whether ``value`` is a text naming one of ``names``; YAML can put a list or a mapping
    where a name belongs, and those are unhashable, so check the type before looking it up."""
    return isinstance(value, str) and value in names


def validate_workflow(workflow: Any) -> list[FieldError]:
    """Every problem of a workflow definition, with paths like ``workflow.transitions.setujui.to``.

    Checked: state and transition names are unique slugs with id/en labels; ``initial`` names a
    non-final state; each transition starts at known non-final states, ends at a known state and
    names a known role; at least one final state; every state can be reached from ``initial``;
    every non-final state has a way out; final states have none.
    """
    errors: list[FieldError] = []

    def add(path: str, rule: str, message: str) -> None:
        errors.append(FieldError(field=path, rule=rule, message=message))

    if not isinstance(workflow, dict):
        add("workflow", "type", _("The workflow must be a mapping with initial, states and transitions."))
        return errors
    for key in sorted(set(workflow) - {"initial", "states", "transitions"}, key=str):
        add(f"workflow.{key}", "unknown_key", _("Unknown key %(key)s.") % {"key": key})
    states: dict[str, dict[str, Any]] = {}
    raw_states = workflow.get("states")
    if not isinstance(raw_states, list) or not raw_states:
        add("workflow.states", "required", _("A workflow needs a list of states."))
        raw_states = []
    for index, state in enumerate(raw_states):
        name = state.get("name") if isinstance(state, dict) else None
        path = f"workflow.states.{name}" if isinstance(name, str) and NAME_RE.match(name) else \
            f"workflow.states[{index}]"
        if not isinstance(state, dict) or not isinstance(name, str) or not NAME_RE.match(name):
            add(f"{path}.name", "pattern", _("A state name is a lower-case slug (a-z, 0-9, _)."))
            continue
        for key in sorted(set(state) - _STATE_KEYS, key=str):
            add(f"{path}.{key}", "unknown_key", _("Unknown key %(key)s.") % {"key": key})
        if name in states:
            add(f"{path}.name", "unique", _("The state %(name)s is listed twice.") % {"name": name})
        if not _texts_ok(state.get("label")):
            add(f"{path}.label", "texts", _("A label needs non-empty id and en texts."))
        if "final" in state and state["final"] not in OUTCOMES:
            add(f"{path}.final", "choice", _("final is approved or rejected."))
        if "with" in state and state["with"] != APPLICANT:
            add(f"{path}.with", "choice", _("with can only be applicant."))
        states[name] = state
    finals = {n for n, s in states.items() if "final" in s}
    if states and not finals:
        add("workflow.states", "final", _("At least one state must be final (approved or rejected)."))
    initial = workflow.get("initial")
    if not _is_name_in(initial, states):
        add("workflow.initial", "reference", _("initial must name one of the states."))
    elif initial in finals:
        add("workflow.initial", "final", _("The initial state cannot be final."))
    edges: dict[str, set[str]] = {n: set() for n in states}
    seen: set[str] = set()
    raw_transitions = workflow.get("transitions")
    if not isinstance(raw_transitions, list) or not raw_transitions:
        add("workflow.transitions", "required", _("A workflow needs a list of transitions."))
        raw_transitions = []
    for index, tr in enumerate(raw_transitions):
        name = tr.get("name") if isinstance(tr, dict) else None
        path = f"workflow.transitions.{name}" if isinstance(name, str) and NAME_RE.match(name) else \
            f"workflow.transitions[{index}]"
        if not isinstance(tr, dict) or not isinstance(name, str) or not NAME_RE.match(name):
            add(f"{path}.name", "pattern", _("A transition name is a lower-case slug (a-z, 0-9, _)."))
            continue
        for key in sorted(set(tr) - _TRANSITION_KEYS, key=str):
            add(f"{path}.{key}", "unknown_key", _("Unknown key %(key)s.") % {"key": key})
        if name in seen:
            add(f"{path}.name", "unique", _("The transition %(name)s is listed twice.") % {"name": name})
        seen.add(name)
        if not _texts_ok(tr.get("label")):
            add(f"{path}.label", "texts", _("A label needs non-empty id and en texts."))
        sources = tr.get("from")
        if not isinstance(sources, list) or not sources:
            add(f"{path}.from", "required", _("from lists at least one state."))
            sources = []
        for source in sources:
            if not _is_name_in(source, states):
                add(f"{path}.from", "reference", _("%(state)s is not a state.") % {"state": source})
            elif source in finals:
                add(f"{path}.from", "final", _("A final state (%(state)s) cannot be left.") % {"state": source})
        target = tr.get("to")
        if not _is_name_in(target, states):
            add(f"{path}.to", "reference", _("to must name one of the states."))
        if not _is_name_in(tr.get("role"), ROLE_NAMES | {APPLICANT}):
            add(f"{path}.role", "choice", _("role must be applicant or one of: %(roles)s.")
                % {"roles": ", ".join(sorted(ROLE_NAMES))})
        if "reason_required" in tr and not isinstance(tr["reason_required"], bool):
            add(f"{path}.reason_required", "type", _("reason_required is true or false."))
        for source in sources:
            if _is_name_in(source, edges) and _is_name_in(target, states):
                edges[source].add(target)
    if _is_name_in(initial, states):
        reached, queue = {initial}, deque([initial])
        while queue:
            for nxt in edges[queue.popleft()]:
                if nxt not in reached:
                    reached.add(nxt)
                    queue.append(nxt)
        for name in states:
            if name not in reached:
                add(f"workflow.states.{name}", "unreachable",
                    _("The state %(name)s cannot be reached from the initial state.") % {"name": name})
    for name in states:
        if name not in finals and not edges[name]:
            add(f"workflow.states.{name}", "dead_end", _("The state %(name)s has no way out.") % {"name": name})
    return errors


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    role: str
    reason_required: bool
    label: dict[str, str]


class Workflow:
    """A validated workflow definition (see the module docstring)."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = definition
        self.initial: str = definition["initial"]
        self.states = {s["name"]: s for s in definition["states"]}
        self.transitions = {
            t["name"]: Transition(name=t["name"], source=tuple(t["from"]), target=t["to"], role=t["role"],
                                  reason_required=bool(t.get("reason_required", False)), label=t["label"])
            for t in definition["transitions"]
        }

    def is_final(self, state: str) -> bool:
        return "final" in self.states.get(state, {})

    def outcome(self, state: str) -> str | None:
        return self.states.get(state, {}).get("final")

    def waits_for_applicant(self, state: str) -> bool:
        return self.states.get(state, {}).get("with") == APPLICANT

    def transition(self, name: str) -> Transition | None:
        return self.transitions.get(name)

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.source]

    def allowed_transitions(self, state: str, principal: Principal, *, is_applicant: bool) -> list[Transition]:
        """The transitions out of ``state`` that ``principal`` may take: its role, or
        ``applicant`` when it is the application's own applicant."""
        return [t for t in self.from_state(state) if may_take(t, principal, is_applicant=is_applicant)]


def may_take(transition: Transition, principal: Principal, *, is_applicant: bool) -> bool:
    """Whether ``principal`` may take ``transition``: the applicant for ``applicant``
    transitions, an officer with the named role otherwise."""
    if transition.role == APPLICANT:
        return is_applicant
    return principal.kind == "officer" and principal.has_role(transition.role)
