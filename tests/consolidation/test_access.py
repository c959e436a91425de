"""Agency isolation through the one chokepoint: admins see and edit only their agency's rows;
the SPBE coordinator sees all but edits no inventory rows; others see nothing."""

from __future__ import annotations

import pytest

from satupintu.consolidation import access, actions
from satupintu.consolidation.models import Application
from satupintu.core.errors import NotFound, PermissionDenied
from satupintu.core.principal import Principal
from tests.consolidation.conftest import COORDINATOR, admin_of, make_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_apps(agencies) -> tuple[Application, Application]:  # noqa: ANN001
    return make_app(agencies["pemda-32-16"], "simpeg"), make_app(agencies["pemda-32-75"], "simpeg")


def test_agency_admin_sees_only_own_rows(two_apps) -> None:  # noqa: ANN001
    mine, theirs = two_apps
    admin = admin_of("pemda-32-16")
    assert list(access.applications_for(admin)) == [mine]
    assert access.access_application_by_id(admin, mine.pk, for_edit=True) == mine
    with pytest.raises(NotFound):
        access.access_application_by_id(admin, theirs.pk)
    with pytest.raises(NotFound):
        access.access_application_by_id(admin, 999_999)  # same answer for missing


def test_coordinator_sees_all_but_cannot_edit(two_apps) -> None:  # noqa: ANN001
    mine, theirs = two_apps
    assert set(access.applications_for(COORDINATOR)) == {mine, theirs}
    assert access.access_application_by_id(COORDINATOR, theirs.pk) == theirs
    with pytest.raises(NotFound):
        access.access_application_by_id(COORDINATOR, theirs.pk, for_edit=True)
    theirs.name = "changed"
    with pytest.raises(PermissionDenied):
        actions.application_save(application=theirs, acting=COORDINATOR)


@pytest.mark.parametrize("principal", [
    Principal.anonymous(),
    Principal(kind="officer", id="x", roles=frozenset({"operator"}), agency="pemda-32-16"),
    Principal(kind="officer", id="y", roles=frozenset({"agency_admin"})),  # admin without an agency
    Principal(kind="citizen", id="z"),
])
def test_others_get_nothing(two_apps, principal: Principal) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):
        access.applications_for(principal)
    with pytest.raises(PermissionDenied):
        access.access_application_by_id(principal, two_apps[0].pk)


def test_admin_cannot_move_or_edit_another_agencys_row(two_apps, agencies) -> None:  # noqa: ANN001
    _, theirs = two_apps
    theirs.name = "hijacked"
    with pytest.raises(PermissionDenied):
        actions.application_save(application=theirs, acting=admin_of("pemda-32-16"))
    with pytest.raises(PermissionDenied):
        actions.application_delete(application=theirs, acting=admin_of("pemda-32-16"))
    assert Application.objects.get(pk=theirs.pk).name != "hijacked"


def test_save_and_delete_are_audited_in_the_same_transaction(agencies) -> None:  # noqa: ANN001
    from satupintu.audit.models import AuditEvent

    admin = admin_of("pemda-32-16")
    app = make_app(agencies["pemda-32-16"], "x")
    app.name = "Baru"
    actions.application_save(application=app, acting=admin)
    actions.application_delete(application=app, acting=admin)
    assert list(AuditEvent.objects.order_by("seq").values_list("action", "actor_agency")) == [
        ("spbe_application.updated", "pemda-32-16"), ("spbe_application.deleted", "pemda-32-16")]
