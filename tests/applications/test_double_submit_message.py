"""A double click on "Submit application" makes one application (the idempotency key) and says
"Sent" once: a fresh-user trial saw "Sent. Your tracking number is …" repeated for every replay."""

from __future__ import annotations

import re

import pytest

from satupintu.applications.models import Application, DefinitionVersion
from tests.applications.conftest import valid_post
from tests.applications.people import citizen_loa2

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


def test_a_replayed_submit_does_not_repeat_the_sent_message(version: DefinitionVersion) -> None:  # noqa: ARG001
    _user, me = citizen_loa2()
    saved = me.post("/permohonan/layanan/uji-layanan/", {**valid_post(), "_review": "1"})
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', me.get(saved["Location"]).content.decode()).group(1)
    for _ in range(3):
        assert me.post(saved["Location"], {"idempotency_key": key}).status_code == 302
    app = Application.objects.get()
    page = me.get(f"/permohonan/{app.pk}/").content.decode()
    assert page.count(f"Terkirim. Nomor permohonan Anda {app.tracking_number}.") == 1
