"""Applicants are identity users: the service's level of assurance is enforced at apply time
(step-up, never silently accepted), identity claims prefill the form, status e-mails go to
the citizen's verified address."""

from __future__ import annotations

import copy

import pytest
from django.core import mail
from django.utils.datastructures import MultiValueDict

from satupintu.applications.actions import application_apply, application_transition, definition_import
from satupintu.applications.definitions_io import parse_definition
from satupintu.applications.models import Application, DefinitionVersion
from satupintu.core.principal import Principal
from satupintu.identity import testing
from tests.applications.conftest import FULL_SCHEMA, definition_data, valid_post
from tests.applications.people import citizen_loa2, officer_signed_in, sign_in, totp_now

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_a_loa1_session_is_stepped_up_before_applying_to_a_loa2_service(version: DefinitionVersion) -> None:
    user = testing.make_citizen()
    secret = testing.activate_totp(user)
    me = sign_in(user)  # allauth now asks for the second factor: not signed in yet
    assert version.required_loa == 2
    user_only = testing.make_citizen()
    loa1 = sign_in(user_only)  # password only, no authenticator: loa1
    page = loa1.get("/permohonan/layanan/uji-layanan/")
    assert page.status_code == 302 and page["Location"].startswith("/akun/2fa/")
    posted = loa1.post("/permohonan/layanan/uji-layanan/", {**valid_post(), "_save": "1"})
    assert posted.status_code == 302 and posted["Location"].startswith("/akun/2fa/")
    assert Application.objects.count() == 0  # nothing accepted at loa1
    # After the second factor the same citizen may apply.
    assert me.post("/akun/2fa/authenticate/", {"code": totp_now(secret)}).status_code == 302
    assert me.get("/permohonan/layanan/uji-layanan/").status_code == 200


def test_a_loa1_session_with_an_authenticator_is_sent_to_reauthenticate(version: DefinitionVersion) -> None:
    user = testing.make_citizen()
    loa1 = sign_in(user)  # password only
    testing.activate_totp(user)  # an authenticator added later in the session
    page = loa1.get("/permohonan/layanan/uji-layanan/")
    assert page.status_code == 302 and page["Location"].startswith("/akun/2fa/reauthenticate/")


def test_the_second_factor_page_says_the_service_requires_it(version: DefinitionVersion, settings) -> None:  # noqa: ANN001
    loa1 = sign_in(testing.make_citizen())  # password only, no authenticator
    page = loa1.get("/permohonan/layanan/uji-layanan/", follow=True)
    assert page.redirect_chain[0][0].startswith("/akun/2fa/?next=")
    text = page.content.decode()
    assert ("Layanan ini mewajibkan verifikasi dua langkah. Atur faktor kedua (aplikasi autentikator atau "
            "passkey) di bawah ini untuk melanjutkan.") in text
    loa1.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = loa1.get("/permohonan/layanan/uji-layanan/", follow=True).content.decode()
    assert ("This service requires two-step verification. Set up a second factor (an authenticator app or a "
            "passkey) below to continue.") in english
    with_factor = testing.make_citizen()
    loa1_again = sign_in(with_factor)
    testing.activate_totp(with_factor)
    confirm = loa1_again.get("/permohonan/layanan/uji-layanan/", follow=True)
    assert confirm.redirect_chain[0][0].startswith("/akun/2fa/reauthenticate/")
    assert ("Layanan ini mewajibkan verifikasi dua langkah. Konfirmasi dengan faktor kedua Anda untuk "
            "melanjutkan.") in confirm.content.decode()


def test_a_loa1_service_accepts_a_password_session(agencies) -> None:  # noqa: ANN001
    definition_import(content=parse_definition(definition_data(level_of_assurance=1)), acting=Principal.platform())
    loa1 = sign_in(testing.make_citizen())
    assert loa1.get("/permohonan/layanan/uji-layanan/").status_code == 200


def test_identity_prefills_name_birth_date_and_nik(agencies) -> None:  # noqa: ANN001
    schema = copy.deepcopy(FULL_SCHEMA)
    by_name = {f["name"]: f for f in schema["fields"]}
    by_name["nama"]["prefill"] = "identity.name"
    by_name["tanggal_lahir"]["prefill"] = "identity.birthdate"
    by_name["nik"]["prefill"] = "identity.nik"
    by_name["email"]["prefill"] = "identity.email"
    definition_import(content=parse_definition(definition_data(form=schema)), acting=Principal.platform())
    user, me = citizen_loa2(full_name="Siti Aminah")
    html = me.get("/permohonan/layanan/uji-layanan/").content.decode()
    assert 'value="Siti Aminah"' in html and 'value="1990-05-17"' in html
    assert f'value="{user.nik()}"' in html and f'value="{user.email}"' in html


def test_a_status_change_e_mails_the_verified_address(version: DefinitionVersion,
                                                       django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    user, _me = citizen_loa2()
    officer, _client = officer_signed_in(version.definition.agency, "verifier")
    with django_capture_on_commit_callbacks(execute=True):
        app = application_apply(acting=user.as_principal(), definition=version.definition,
                                data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="e")
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(acting=officer.as_principal(), application_id=app.pk, transition="minta_perbaikan",
                               reason="Foto buram")
    assert [m.to for m in mail.outbox] == [[user.email], [user.email]]
    assert "Perlu perbaikan" in mail.outbox[1].subject and "Foto buram" in mail.outbox[1].body


def test_no_status_e_mail_without_a_verified_address(version: DefinitionVersion,
                                                     django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    from allauth.account.models import EmailAddress

    user, _me = citizen_loa2()
    EmailAddress.objects.filter(user=user).update(verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        application_apply(acting=user.as_principal(), definition=version.definition,
                          data=MultiValueDict({k: [v] for k, v in valid_post().items()}), idempotency_key="f")
    assert mail.outbox == []
