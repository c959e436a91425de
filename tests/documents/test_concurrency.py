"""A worker that loses the race for a reference returns the winner's document and keeps nothing.

The race is reproduced deterministically: the winner's document is committed first, then the
loser runs the issue path that follows the (already passed) "does it exist?" check.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from satupintu.audit.models import AuditEvent
from satupintu.core.principal import Principal
from satupintu.documents import keys
from satupintu.documents.actions import _issue_signed
from satupintu.documents.models import OutcomeDocument
from tests.documents.conftest import issue

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_loser_of_a_race_returns_the_winner_and_removes_its_file(agency, documents_settings) -> None:
    winner = issue(agency, reference="PRM-RACE-1")
    now = timezone.now()
    with keys.agency_signer(agency.code) as signer:
        loser = _issue_signed(agency=agency, holder_name="Budi Santoso", holder_nik=None, service_name="Layanan",
                              decision="Disetujui", valid_until=None, reference="PRM-RACE-1",
                              acting=Principal.platform(), template="default", holder_principal_id="",
                              supersedes=None, notify_email="", signer=signer, now=now,
                              today=timezone.localdate(now))
    assert loser.pk == winner.pk
    assert OutcomeDocument.objects.count() == 1
    assert AuditEvent.objects.filter(action="document.issued").count() == 1
    assert [p.name for p in documents_settings.rglob("*.pdf")] == [f"{winner.pk}.pdf"]
    assert not list(documents_settings.rglob("*.tmp"))
