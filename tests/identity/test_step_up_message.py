"""A session sent to the second-factor pages because a client or service requires loa2 is told
why there (Indonesian by default, English on request), once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from satupintu.identity import testing
from tests.identity.test_oidc import AUTHORIZE, auth_params, sign_in

pytestmark = pytest.mark.django_db

SET_UP_ID = ("Aplikasi yang Anda masuki mewajibkan verifikasi dua langkah. Atur faktor kedua (aplikasi "
             "autentikator atau passkey) di bawah ini untuk melanjutkan.")
SET_UP_EN = ("The application you are signing in to requires two-step verification. Set up a second factor "
             "(an authenticator app or a passkey) below to continue.")
CONFIRM_ID = ("Aplikasi yang Anda masuki mewajibkan verifikasi dua langkah. Konfirmasi dengan faktor kedua Anda "
              "untuk melanjutkan.")


def test_a_loa2_client_sends_a_citizen_without_a_second_factor_to_set_one_up_with_the_reason(
        client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client(required_loa="loa2")
    sign_in(client, citizen)
    params, _ = auth_params(app)
    page = client.get(AUTHORIZE, params, follow=True)
    assert page.redirect_chain[0][0].startswith("/akun/2fa/?next=")
    assert page.status_code == 200 and SET_UP_ID in page.content.decode()
    assert SET_UP_ID not in client.get("/akun/2fa/").content.decode()  # said once, not on every visit
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(AUTHORIZE, params, follow=True).content.decode()
    assert SET_UP_EN in english


def test_a_loa2_client_asks_a_citizen_with_a_second_factor_to_confirm_it_with_the_reason(
        client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client(required_loa="loa2")
    sign_in(client, citizen)  # password only
    testing.activate_totp(citizen)  # a second factor added later in this session
    params, _ = auth_params(app)
    page = client.get(AUTHORIZE, params, follow=True)
    assert page.redirect_chain[0][0].startswith("/akun/2fa/reauthenticate/")
    assert CONFIRM_ID in page.content.decode()


def test_a_loa1_client_adds_no_message(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client(required_loa="loa1")
    sign_in(client, citizen)
    params, _ = auth_params(app)
    assert client.get(AUTHORIZE, params).status_code == 200  # consent page, no step-up
    assert "verifikasi dua langkah" not in client.get("/akun/2fa/").content.decode()
