"""Who is acting: the principal passed to every action and recorded by the audit log.

A principal is a small immutable value, independent of how it authenticated (session, OAuth
token, exchange client header). The identity app builds principals from users and OAuth clients;
the exchange builds them from X-Road client ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PrincipalKind = Literal["citizen", "officer", "system", "platform", "anonymous"]


@dataclass(frozen=True)
class Principal:
    """An acting party.

    ``kind``: citizen (warga), officer (petugas), system (an agency subsystem or OAuth client),
    platform (the platform itself: jobs, imports, migrations) or anonymous.
    ``id``: stable identifier within the kind (user pk as str, OAuth client id, X-Road
    subsystem id ``INSTANCE/CLASS/MEMBER/SUBSYSTEM``); never a NIK.
    ``display``: a name fit for logs and back-office screens (no personal identifiers).
    ``agency``: the agency (instansi) code the principal acts for, if any.
    ``roles``: role names (``operator``, ``verifier``, ``approver``, ``agency_admin``,
    ``auditor``, ``platform_admin``) for officers and admins.
    """

    kind: PrincipalKind
    id: str
    display: str = ""
    agency: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def platform(cls, display: str = "satupintu") -> Principal:
        """The platform itself (imports, scheduled jobs, management commands)."""
        return cls(kind="platform", id="platform", display=display)

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(kind="anonymous", id="anonymous", display="anonymous")

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"
