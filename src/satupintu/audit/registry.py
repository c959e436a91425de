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
    # exchange
    "exchange.member_created": "An exchange member was registered",
    "exchange.member_updated": "An exchange member was changed",
    "exchange.member_deleted": "An exchange member was removed",
    "exchange.subsystem_created": "An exchange subsystem was registered",
    "exchange.subsystem_updated": "An exchange subsystem was changed (incl. its credentials)",
    "exchange.subsystem_deleted": "An exchange subsystem was removed",
    "exchange.service_created": "An exchange service was registered",
    "exchange.service_updated": "An exchange service was changed",
    "exchange.service_deleted": "An exchange service was removed",
    "exchange.right_granted": "A client subsystem was granted access to a service",
    "exchange.right_updated": "An access right's methods or paths were changed",
    "exchange.right_revoked": "An access right was revoked",
    "exchange.log_exported": "The exchange message log was exported",
    # registries
    "registries.population_imported": "Residents were loaded into the population register",
}


def is_registered(action: str) -> bool:
    return action in ACTIONS


def register(name: str, description: str) -> None:
    """Register an action name at import time (apps may call this from their ``apps.py`` ready())."""
    if name in ACTIONS and ACTIONS[name] != description:
        raise ValueError(f"audit action {name!r} is already registered with another meaning")
    ACTIONS[name] = description
