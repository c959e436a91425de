"""E-mail on every status change, sent by a background task after commit (Django's outbox)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils.datastructures import MultiValueDict

from satupintu.applications.actions import application_apply, application_transition
from satupintu.applications.identity_link import contact_for
from satupintu.applications.models import DefinitionVersion
from satupintu.applications.notifications import clear_contact_source, register_contact_source
from tests.applications.conftest import citizen, officer, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    register_contact_source(lambda kind, id_: ("siti@example.id", "id") if id_ == "warga-1" else None)
    yield
    clear_contact_source()
    register_contact_source(contact_for)  # the app's own source, registered in AppConfig.ready


def test_each_status_change_sends_one_mail_after_commit(version: DefinitionVersion,
                                                         django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        app = application_apply(acting=citizen(), definition=version.definition,
                                data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="m")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"Permohonan {app.tracking_number}: Diajukan"
    assert mail.outbox[0].to == ["siti@example.id"]
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(acting=officer("dukcapil", "verifier"), application_id=app.pk,
                               transition="minta_perbaikan", reason="Foto buram")
    assert len(mail.outbox) == 2
    assert "Foto buram" in mail.outbox[1].body and "Perlu perbaikan" in mail.outbox[1].subject


def test_no_mail_when_no_contact_is_known(version: DefinitionVersion,
                                         django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        application_apply(acting=citizen(2), definition=version.definition,
                          data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="n")
    assert mail.outbox == []


def test_no_mail_when_the_change_is_refused(version: DefinitionVersion,
                                            django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    from satupintu.core.errors import PermissionDenied

    with django_capture_on_commit_callbacks(execute=True):
        app = application_apply(acting=citizen(), definition=version.definition,
                                data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="o")
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        application_transition(acting=officer("dukcapil", "approver"), application_id=app.pk,
                               transition="verifikasi")
    assert len(mail.outbox) == 1


def test_each_mail_names_the_state_its_event_reached_even_when_sent_late(
        version: DefinitionVersion, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    """A fresh-user trial: verified and approved within seconds while the worker lagged, the
    citizen got "Disetujui" twice and never "Diverifikasi" (each mail read the current state)."""
    with django_capture_on_commit_callbacks(execute=True):
        app = application_apply(acting=citizen(), definition=version.definition,
                                data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="p")
    with django_capture_on_commit_callbacks(execute=False) as verified:
        application_transition(acting=officer("dukcapil", "verifier"), application_id=app.pk, transition="verifikasi")
    with django_capture_on_commit_callbacks(execute=False) as approved:
        application_transition(acting=officer("dukcapil", "approver"), application_id=app.pk, transition="setujui")
    for callback in [*verified, *approved]:  # the worker runs both tasks only now
        callback()
    assert [m.subject for m in mail.outbox[1:]] == [f"Permohonan {app.tracking_number}: Diverifikasi",
                                                     f"Permohonan {app.tracking_number}: Disetujui"]


def test_a_state_label_written_as_a_yaml_block_still_gives_a_one_line_subject(
        agencies, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    # "label: {id: >\n  Diajukan ke\n  dinas\n}" in YAML is "Diajukan ke dinas\n": a newline in a
    # subject header makes Django refuse the message, so the citizen would get no mail at all.
    from satupintu.applications.actions import definition_import
    from satupintu.applications.definitions_io import parse_definition
    from satupintu.core.principal import Principal
    from tests.applications.conftest import definition_data

    data = definition_data()
    data["workflow"]["states"][0]["label"] = {"id": "Diajukan ke\r\ndinas\n", "en": "Submitted\n"}
    version, _changed = definition_import(content=parse_definition(data), acting=Principal.platform())
    with django_capture_on_commit_callbacks(execute=True):
        app = application_apply(acting=citizen(), definition=version.definition,
                                data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="b")
    assert [m.subject for m in mail.outbox] == [f"Permohonan {app.tracking_number}: Diajukan ke dinas"]
