"""Writes to the platform's own data outside an import: keyword-only, access-checked, atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from satupintu.core.errors import PermissionDenied
from satupintu.core.models import Holiday
from satupintu.core.principal import Principal


def _check_platform_admin(acting: Principal) -> None:
    if not (acting.kind == "platform" or acting.has_role("platform_admin")):
        raise PermissionDenied("Only a platform admin may change the holiday calendar.")


@transaction.atomic
def holiday_save(*, holiday: Holiday, acting: Principal, changed: list[str] | None = None,
                 request: HttpRequest | None = None) -> Holiday:
    """Add or change one day of the holiday calendar (national holiday or cuti bersama). It moves
    the working-day deadlines of applications (``core.calendar``), so it is recorded as
    ``holiday.saved`` with the date, kind, whether it is new, and the changed field names.
    Platform admins (or the platform itself) only, else :class:`PermissionDenied`;
    :class:`ValidationError` from ``full_clean`` (nothing written)."""
    from satupintu.audit.actions import record

    _check_platform_admin(acting)
    creating = holiday._state.adding
    holiday.full_clean()
    holiday.save()
    record(actor=acting, action="holiday.saved", target=holiday,
           details={"date": holiday.date.isoformat(), "kind": holiday.kind, "created": creating,
                    "provisional": holiday.provisional, "fields": sorted(changed or [])}, request=request)
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday, acting: Principal, request: HttpRequest | None = None) -> None:
    """Remove one day from the holiday calendar; recorded as ``holiday.deleted`` with its date,
    kind and name. Same access rule as :func:`holiday_save`."""
    from satupintu.audit.actions import record

    _check_platform_admin(acting)
    details = {"date": holiday.date.isoformat(), "kind": holiday.kind, "name_id": holiday.name_id}
    target = ("core.holiday", str(holiday.pk))
    holiday.delete()
    record(actor=acting, action="holiday.deleted", target=target, details=details, request=request)
