"""After setting up two-step verification because an online service asked for it, the citizen is
offered the way back to that service.

A fresh-user trial: "Ajukan online" → sign in → "This service requires two-step verification. Set up
a second factor below" → activate the authenticator app → the recovery codes page, with no way back
to the application they had started (allauth's set-up pages take no ``next``)."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import Client

from satupintu.applications.models import DefinitionVersion
from satupintu.identity import testing
from tests.applications.people import totp_now

pytestmark = pytest.mark.django_db
FORM = "/permohonan/layanan/uji-layanan/"
CONTINUE = re.compile(r'<p class="step-up-continue"><a href="([^"]+)">([^<]+)</a></p>')


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):  # noqa: ANN001, ANN202
    settings.SATUPINTU_UPLOAD_ROOT = str(tmp_path / "uploads")


@pytest.mark.parametrize(("language", "text"), [("id", "Lanjutkan ke halaman yang tadi Anda buka"),
                                                 ("en", "Continue to the page you were opening")])
def test_after_setting_up_a_second_factor_the_citizen_is_offered_the_service_again(
        version: DefinitionVersion, language: str, text: str) -> None:  # noqa: ARG001
    user = testing.make_citizen()
    client = Client()
    client.cookies["satupintu_lang"] = language
    client.post("/akun/login/", {"login": user.email, "password": testing.PASSWORD})
    step_up = client.get(FORM)
    assert step_up["Location"].startswith("/akun/2fa/?next=")
    # Not yet set up: no way "back" that would only lead here again.
    assert not CONTINUE.search(client.get(step_up["Location"]).content.decode())
    assert client.get("/akun/2fa/totp/activate/").status_code == 200  # just signed in: not asked again
    secret = client.session[SECRET_SESSION_KEY]
    done = client.post("/akun/2fa/totp/activate/", {"code": totp_now(secret)})
    assert done.status_code == 302
    codes_page = client.get(done["Location"]).content.decode()
    found = CONTINUE.search(codes_page)
    assert found, codes_page.split("<main", 1)[1][:2000]
    assert found.groups() == (FORM, text)
    # Following it: confirm with the new factor, then the form itself; the offer is then gone.
    confirm = client.get(found.group(1))
    assert confirm["Location"].startswith("/akun/2fa/reauthenticate/")
    client.post(confirm["Location"], {"code": totp_now(secret)})
    form = client.get(FORM)
    assert form.status_code == 200
    assert not CONTINUE.search(form.content.decode())
    assert not CONTINUE.search(client.get("/akun/").content.decode())


def test_only_a_local_address_is_offered(client: Client) -> None:
    from satupintu.identity.loa import STEP_UP_NEXT_SESSION_KEY, step_up_redirect

    user = testing.make_citizen()
    client.force_login(user)
    request = client.get("/akun/").wsgi_request
    step_up_redirect(request, "https://phish.example/akun/")
    assert STEP_UP_NEXT_SESSION_KEY not in request.session
    step_up_redirect(request, "//phish.example/akun/")
    assert STEP_UP_NEXT_SESSION_KEY not in request.session
    step_up_redirect(request, FORM)
    assert request.session[STEP_UP_NEXT_SESSION_KEY] == FORM
