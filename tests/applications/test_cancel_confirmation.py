"""Cancelling an application asks first: the status page links to a confirmation page, and only its
"Yes, cancel" form (``confirm=yes``) cancels; a bare POST shows the question and changes nothing.

A fresh-user trial found "Cancel this application" on the status page cancelling a submitted
application at once, with no question and no way back (the citizen must apply again)."""

from __future__ import annotations

import pytest
from django.utils.datastructures import MultiValueDict

from satupintu.applications.actions import application_apply
from satupintu.applications.models import Application, ApplicationStatus, DefinitionVersion
from satupintu.audit.models import AuditEvent
from tests.a11y import form_problems
from tests.applications.conftest import valid_post
from tests.applications.people import citizen_loa2

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


def _submitted(version: DefinitionVersion):  # noqa: ANN202
    applicant, me = citizen_loa2()
    app = application_apply(acting=applicant.as_principal(), definition=version.definition,
                            data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="k")
    return app, me


@pytest.mark.parametrize(("language", "question", "yes"), [
    ("id", "Batalkan permohonan", "Ya, batalkan permohonan ini"),
    ("en", "Cancel application", "Yes, cancel this application"),
])
def test_cancelling_asks_first_and_only_the_confirmation_cancels(version: DefinitionVersion, language: str,
                                                                 question: str, yes: str) -> None:
    app, me = _submitted(version)
    me.cookies["satupintu_lang"] = language
    status = me.get(f"/permohonan/{app.pk}/").content.decode()
    assert f'href="/permohonan/{app.pk}/batal/"' in status
    assert f'action="/permohonan/{app.pk}/batal/"' not in status  # no one-click cancel on the status page
    page = me.get(f"/permohonan/{app.pk}/batal/")
    assert page.status_code == 200
    html = page.content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert f"<h1>{question} {app.tracking_number}?</h1>" in main
    assert yes in main and 'name="confirm" value="yes"' in main
    assert f'href="/permohonan/{app.pk}/"' in main  # the way back
    assert form_problems(html) == []
    # A POST without the confirmation (an old page, a replayed request) only asks again.
    bare = me.post(f"/permohonan/{app.pk}/batal/")
    assert bare.status_code == 200 and yes in bare.content.decode()
    app.refresh_from_db()
    assert app.status == ApplicationStatus.IN_PROCESS
    assert not AuditEvent.objects.filter(action="application.cancelled").exists()
    done = me.post(f"/permohonan/{app.pk}/batal/", {"confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == f"/permohonan/{app.pk}/"
    app.refresh_from_db()
    assert app.status == ApplicationStatus.CANCELLED
    assert AuditEvent.objects.filter(action="application.cancelled").count() == 1


def test_the_confirmation_page_of_an_application_that_cannot_be_cancelled_goes_back(
        version: DefinitionVersion) -> None:
    app, me = _submitted(version)
    me.post(f"/permohonan/{app.pk}/batal/", {"confirm": "yes"})
    page = me.get(f"/permohonan/{app.pk}/batal/")
    assert page.status_code == 302 and page["Location"] == f"/permohonan/{app.pk}/"
    assert Application.objects.get().status == ApplicationStatus.CANCELLED


def test_another_citizens_cancel_page_is_not_found(version: DefinitionVersion) -> None:
    app, _me = _submitted(version)
    _other, stranger = citizen_loa2()
    assert stranger.get(f"/permohonan/{app.pk}/batal/").status_code == 404
    assert stranger.post(f"/permohonan/{app.pk}/batal/", {"confirm": "yes"}).status_code == 404
    assert Application.objects.get().status == ApplicationStatus.IN_PROCESS
