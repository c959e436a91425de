"""Reads scoped to the signed-in citizen."""

from __future__ import annotations

from typing import Any

from satupintu.identity.models import Consent, User


def connected_apps(*, user: User) -> list[dict[str, Any]]:
    """The clients this user consented to ("Aplikasi yang terhubung"), newest first:
    ``[{"application_id", "name", "scopes", "granted_at", "agency"}]``."""
    rows = []
    for consent in Consent.objects.filter(user=user).select_related("application").order_by("-granted_at"):
        app = consent.application
        rp = getattr(app, "relying_party", None)
        rows.append({"application_id": app.pk, "name": app.name, "scopes": consent.scopes.split(),
                     "granted_at": consent.granted_at, "agency": rp.agency if rp is not None else None,
                     "privacy_policy_url": rp.privacy_policy_url if rp is not None else ""})
    return rows


def address_of(*, user: Any) -> Any:
    """The signed-in ``user``'s own address (:class:`~satupintu.identity.models.Address`), or None."""
    from satupintu.identity.models import Address

    return Address.objects.filter(user_id=user.pk).first()
