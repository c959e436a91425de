"""The one chokepoint deciding who may read the audit log, and which part of it.

Rule (our access policy for the audit log): principals with the ``platform_admin`` role, or the
``auditor`` role and no agency, read every event; an ``auditor`` acting for an agency reads only
events whose actor acted for that agency. Everyone else is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from satupintu.core.principal import Principal

READER_ROLES = frozenset({"auditor", "platform_admin"})


@dataclass(frozen=True)
class AuditScope:
    """What a reader may see: ``agency`` is ``None`` for the whole log, else one agency code."""

    principal: Principal
    agency: str | None


def audit_scope_for(principal: Principal) -> AuditScope:
    """The audit log scope of ``principal``. Raises :class:`django.core.exceptions.PermissionDenied`
    (HTTP 403 page) when it has neither the ``auditor`` nor the ``platform_admin`` role."""
    if not READER_ROLES & principal.roles:
        raise PermissionDenied("the audit log is for auditors")
    if principal.has_role("platform_admin") or not principal.agency:
        return AuditScope(principal=principal, agency=None)
    return AuditScope(principal=principal, agency=principal.agency)
