"""The one registry of audit action names (dotted: ``<object>.<past-tense verb>``).

:func:`satupintu.audit.actions.record` refuses a name that is not registered here, so a typo
cannot create a new, unsearchable kind of event. Apps add their names to ``ACTIONS``.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    # regions
    "regions.imported": "Region register imported (added/renamed/removed counts)",
    # audit itself
    "audit.checkpoint_signed": "The latest chain hash was signed with the audit key",
    "audit.exported": "Audit events were exported for archiving",
    # catalog
    "agency.created": "An agency was created",
    "agency.updated": "An agency was changed",
    "service.created": "A service was added to the catalogue",
    "service.updated": "A catalogue service was changed",
    "service.deleted": "A catalogue service was removed",
    "catalog.imported": "The catalogue was imported",
    "catalog.synonym_saved": "A search synonym was added or changed (index rebuilt)",
    "catalog.synonym_deleted": "A search synonym was removed (index rebuilt)",
}


def is_registered(action: str) -> bool:
    return action in ACTIONS


def register(name: str, description: str) -> None:
    """Register an action name at import time (apps may call this from their ``apps.py`` ready())."""
    if name in ACTIONS and ACTIONS[name] != description:
        raise ValueError(f"audit action {name!r} is already registered with another meaning")
    ACTIONS[name] = description
