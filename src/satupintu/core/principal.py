"""Who is acting: the principal passed to every action and recorded by the audit log.

A principal is a small immutable value, independent of how it authenticated (session, OAuth
token, exchange client header). The identity app builds principals from users and OAuth clients;
the exchange builds them from X-Road client ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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


ROLE_NAMES = frozenset({"operator", "verifier", "approver", "agency_admin", "auditor", "spbe_coordinator",
                        "platform_admin"})


def principal_for_user(user: Any) -> Principal:
    """The principal of a Django user (session sign-in).

    Protocol: if the user model defines ``as_principal() -> Principal`` (the identity app's
    user does: citizen or officer with its agency and roles), that is used. Otherwise:
    anonymous users → :meth:`Principal.anonymous`; superusers → an officer with the
    ``platform_admin`` role; other users → an officer whose roles are the names of their
    Django groups that are role names (:data:`ROLE_NAMES`) and without an agency.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return Principal.anonymous()
    as_principal = getattr(user, "as_principal", None)
    if callable(as_principal):
        principal = as_principal()
        if isinstance(principal, Principal):
            return principal
    roles = set(user.groups.filter(name__in=ROLE_NAMES).values_list("name", flat=True))
    if user.is_superuser:
        roles.add("platform_admin")
    return Principal(kind="officer", id=str(user.pk), display=user.get_username(), roles=frozenset(roles))


def principal_for_request(request: Any) -> Principal:
    """The principal behind an HTTP request: the exchange/API layers may set
    ``request.principal``; otherwise the session user (:func:`principal_for_user`)."""
    principal = getattr(request, "principal", None)
    if isinstance(principal, Principal):
        return principal
    return principal_for_user(getattr(request, "user", None))
