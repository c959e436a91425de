"""The one registry of audit action names (dotted: ``<object>.<past-tense verb>``).

:func:`satupintu.audit.actions.record` refuses a name that is not registered here, so a typo
cannot create a new, unsearchable kind of event. Apps add their names to ``ACTIONS``.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    # regions
    "regions.imported": "Region register imported (added/renamed/removed counts)",
    # core: the holiday calendar (moves working-day deadlines)
    "holiday.saved": "A day of the holiday calendar was added or changed in the back-office",
    "holiday.deleted": "A day was removed from the holiday calendar in the back-office",
    "holiday.imported": "Holiday calendar file imported (days added/updated)",
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
    # consolidation (SPBE inventory, moratorium check, SPBE index)
    "spbe_application.created": "An application was added to the SPBE inventory",
    "spbe_application.updated": "An SPBE inventory application was changed",
    "spbe_application.deleted": "An application was removed from the SPBE inventory",
    "spbe_inventory.imported": "SPBE inventory rows were imported from CSV/XLSX (created/updated counts)",
    "spbe_inventory.exported": "SPBE inventory rows were exported",
    "spbe_inventory.generated": "Synthetic SPBE inventory rows were generated",
    "spbe_waste_assumption.updated": "The budget-waste assumption was changed",
    "spbe_proposal.submitted": "A new application proposal was submitted for the moratorium check",
    "spbe_proposal.decided": "A new application proposal was approved or rejected",
    "spbe_assessment.saved": "An SPBE self-assessment was saved",
    "spbe_assessment.submitted": "An SPBE self-assessment was submitted for review",
    "spbe_assessment.reviewed": "An assessor set the final levels of an SPBE assessment",
    # documents
    "document.issued": "An outcome document was generated, signed and stored",
    "document.revoked": "An outcome document was revoked (dicabut) with a reason",
    "document.superseded": "An outcome document was replaced by a newer one",
    "document.downloaded": "An officer downloaded a citizen's outcome document",
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
    "exchange.demo_clients_created": "Demo OAuth clients for the exchange were created (development only)",
    # registries
    "registries.population_imported": "Residents were loaded into the population register",
    "catalog.synonym_saved": "A search synonym was added or changed (index rebuilt)",
    "catalog.synonym_deleted": "A search synonym was removed (index rebuilt)",
    "catalog.life_event_saved": "A life event was added or changed in the back-office",
    "catalog.life_event_deleted": "A life event was removed in the back-office",
    "catalog.priority_area_saved": "A national priority area was added or changed in the back-office",
    "catalog.priority_area_deleted": "A national priority area was removed in the back-office",
    # applications (online services and permohonan)
    "online_service.version_saved": "A draft version of an online service definition was saved",
    "online_service.version_published": "A version of an online service definition was published (frozen)",
    "application.draft_saved": "An applicant saved the answers of an application (draft or revision)",
    "application.submitted": "An application was submitted and given a tracking number",
    "application.cancelled": "The applicant withdrew an application",
    "application.claimed": "An officer took an application's task",
    "application.transitioned": "An application moved along its workflow (verify, revise, approve, reject)",
    "application_file.viewed": "An officer opened a citizen's uploaded file (data access)",
    "application.viewed": "An officer opened a citizen's application (data access)",
    "application_document.staged": ("A citizen's checked document was kept before an application used it "
                                    "(Registration API upload, or a file of a web form whose save failed)"),
}


def is_registered(action: str) -> bool:
    return action in ACTIONS


def register(name: str, description: str) -> None:
    """Register an action name at import time (apps may call this from their ``apps.py`` ready())."""
    if name in ACTIONS and ACTIONS[name] != description:
        raise ValueError(f"audit action {name!r} is already registered with another meaning")
    ACTIONS[name] = description
