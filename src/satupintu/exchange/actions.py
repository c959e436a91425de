"""Every write to the exchange directory. Each action checks the chokepoint, validates
(``full_clean``), saves and writes its audit event in one transaction.

Errors: :class:`~satupintu.core.errors.PermissionDenied` when the acting principal may not
manage the object's agency; :class:`django.core.exceptions.ValidationError` for invalid fields,
also for a member code or OAuth client id that is not the agency's (ADR 0140).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import router, transaction
from django.db.models.deletion import Collector
from django.forms.models import model_to_dict
from django.http import HttpRequest

from satupintu.audit.actions import record
from satupintu.core.principal import Principal
from satupintu.exchange.access import agency_of, check_agency, check_identifiers
from satupintu.exchange.models import AccessRight, Member, Service, Subsystem

Obj = TypeVar("Obj", Member, Subsystem, Service, AccessRight)

_NAMES = {
    Member: ("exchange.member_created", "exchange.member_updated", "exchange.member_deleted"),
    Subsystem: ("exchange.subsystem_created", "exchange.subsystem_updated", "exchange.subsystem_deleted"),
    Service: ("exchange.service_created", "exchange.service_updated", "exchange.service_deleted"),
    AccessRight: ("exchange.right_granted", "exchange.right_updated", "exchange.right_revoked"),
}
_SKIP = {"id", "created_at", "updated_at", "openapi"}


def _snapshot(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in model_to_dict(obj).items() if k not in _SKIP}


@transaction.atomic
def directory_save(*, obj: Obj, acting: Principal, request: HttpRequest | None = None) -> Obj:
    """Create or update a member, subsystem, service or access right (``request``, from the
    back-office, puts its request id and client address on the audit event).

    The acting principal must manage the object's agency both before the change (for an
    update, checked on the stored row) and after it (so an agency admin cannot move an object
    to another agency), and the identifiers it claims must be the agency's (a member code assigned
    to it, an OAuth client registered to it; :func:`~satupintu.exchange.access.check_identifiers`,
    ADR 0140), else a ``ValidationError`` naming the field, before anything is written.
    Audit: ``exchange.<kind>_created`` / ``_updated`` (or ``exchange.right_granted`` /
    ``right_updated``) with the changed fields.
    """
    created_name, updated_name, _deleted = _NAMES[type(obj)]
    before: dict[str, Any] = {}
    stored: Obj | None = None
    if obj.pk is not None:
        stored = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        check_agency(acting, agency_of(stored))
        before = _snapshot(stored)
    check_agency(acting, agency_of(obj))
    check_identifiers(acting, obj, stored=stored)
    obj.full_clean()
    obj.save()
    after = _snapshot(obj)
    if before:
        changes = {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}
        record(actor=acting, action=updated_name, target=obj, details={"id": str(obj), "changes": changes},
               request=request)
    else:
        record(actor=acting, action=created_name, target=obj, details={"id": str(obj), **after}, request=request)
    return obj


@transaction.atomic
def directory_delete(*, obj: Obj, acting: Principal, request: HttpRequest | None = None) -> None:
    """Delete a directory object, audited as ``exchange.<kind>_deleted`` / ``exchange.right_revoked``.

    The deletion cascades (a member's subsystems, a subsystem's services and the access rights of
    and to it, a service's rights), also to rights that other agencies granted to a deleted client
    subsystem. Each object removed with it gets its own deletion event in the same transaction,
    naming the object whose deletion removed it (``details.removed_with``), as Django's deletion
    collector finds them."""
    check_agency(acting, agency_of(obj))
    collector = Collector(using=router.db_for_write(type(obj)))
    collector.collect([obj])
    events: list[tuple[str, tuple[str, str], dict[str, Any]]] = []
    for model in (Member, Subsystem, Service, AccessRight):
        for item in sorted(collector.data.get(model, ()), key=lambda o: o.pk):
            details = {"id": str(item), **_snapshot(item)}
            if item is not obj and not (type(item) is type(obj) and item.pk == obj.pk):
                details["removed_with"] = str(obj)
            events.append((_NAMES[model][2], (item._meta.label_lower, str(item.pk)), details))
    obj.delete()
    for name, target, details in events:
        record(actor=acting, action=name, target=target, details=details, request=request)
