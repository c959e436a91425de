"""Taking a task ("Ambil tugas ini") needs a workflow transition the officer may take from the
application's current state (the same ``may_take`` check as the actions); taking stays advisory
towards colleagues who hold the role."""

from __future__ import annotations

import pytest

from satupintu.applications.actions import application_apply, application_claim, application_transition
from satupintu.applications.models import Application, DefinitionVersion
from satupintu.audit.models import AuditEvent
from satupintu.core.errors import PermissionDenied
from tests.applications.conftest import citizen, officer, valid_post
from tests.applications.people import officer_signed_in

pytestmark = pytest.mark.django_db


def submitted(version: DefinitionVersion) -> Application:
    from django.utils.datastructures import MultiValueDict

    return application_apply(acting=citizen(), definition=version.definition,
                             data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="k")


def test_an_officer_whose_roles_allow_no_transition_cannot_take_the_task(version: DefinitionVersion) -> None:
    app = submitted(version)  # "diajukan": only a verifier may act
    for who in (officer("dukcapil", "operator"), officer("dukcapil", "approver", n=2)):
        with pytest.raises(PermissionDenied):
            application_claim(acting=who, application_id=app.pk)
    app.refresh_from_db()
    assert app.claimed_by == "" and not app.events.filter(action="claimed").exists()
    assert not AuditEvent.objects.filter(action="application.claimed").exists()
    assert application_claim(acting=officer("dukcapil", "verifier", n=3), application_id=app.pk).claimed_by == (
        "petugas-dukcapil-3")


def test_the_approver_may_take_it_once_it_needs_approval(version: DefinitionVersion) -> None:
    app = submitted(version)
    application_transition(acting=officer("dukcapil", "verifier"), application_id=app.pk, transition="verifikasi")
    Application.objects.filter(pk=app.pk).update(claimed_by="")  # the verifier hands it back
    assert application_claim(acting=officer("dukcapil", "approver", n=2), application_id=app.pk).claimed_by == (
        "petugas-dukcapil-2")


def test_a_taken_task_stays_open_to_colleagues_with_the_role(version: DefinitionVersion) -> None:
    app = submitted(version)
    application_claim(acting=officer("dukcapil", "verifier"), application_id=app.pk)
    done = application_transition(acting=officer("dukcapil", "verifier", n=2), application_id=app.pk,
                                  transition="verifikasi")
    assert done.state == "diverifikasi" and done.claimed_by == "petugas-dukcapil-1"


def test_the_page_hides_the_button_and_refuses_the_post_with_a_clear_message(version: DefinitionVersion) -> None:
    app = submitted(version)
    url = f"/backoffice/permohonan/{app.pk}/"
    _operator, page = officer_signed_in(version.definition.agency, "operator")
    html = page.get(url).content.decode()
    assert f"Permohonan {app.tracking_number}" in html and 'name="claim"' not in html
    refused = page.post(url, {"claim": "1", "lock_version": app.lock_version})
    assert refused.status_code == 403
    assert "Peran Anda tidak mengizinkan tindakan apa pun pada permohonan ini" in refused.content.decode()
    app.refresh_from_db()
    assert app.claimed_by == "" and not AuditEvent.objects.filter(action="application.claimed").exists()
    _verifier, allowed = officer_signed_in(version.definition.agency, "verifier")
    assert 'name="claim"' in allowed.get(url).content.decode()
    assert allowed.post(url, {"claim": "1", "lock_version": app.lock_version}).status_code == 302
