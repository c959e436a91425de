"""OpenID Connect RP-Initiated Logout at ``/o/logout/``: bad requests get the platform's error
page (never a 500), a relying party may send the request by POST, and the confirmation page is
the platform's own (Indonesian by default) and lets its form end at the relying party."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

RETURN = "https://rp.example.go.id/"


def _signed_in(client: Client, citizen) -> Client:  # noqa: ANN001
    client.force_login(citizen)
    return client


@pytest.mark.parametrize("client_id", ["tidak-ada", "ada\x00nul"])
def test_unknown_client_id_gets_the_error_page_not_a_server_error(client: Client, citizen, client_id: str) -> None:  # noqa: ANN001
    _signed_in(client, citizen)
    response = client.get("/o/logout/", {"client_id": client_id, "post_logout_redirect_uri": RETURN})
    assert response.status_code == 400
    assert "Permintaan keluar ditolak" in response.content.decode()
    assert client.get("/akun/").status_code == 200  # still signed in


def test_disabled_client_cannot_send_the_user_back(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    app.relying_party.active = False
    app.relying_party.save()
    _signed_in(client, citizen)
    response = client.get("/o/logout/", {"client_id": app.client_id, "post_logout_redirect_uri": RETURN})
    assert response.status_code == 400
    assert "Location" not in response


def test_confirmation_page_is_the_platforms_and_allows_the_return_origin(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    _signed_in(client, citizen)
    response = client.get("/o/logout/", {"client_id": app.client_id, "post_logout_redirect_uri": RETURN})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="id"' in page and "Keluar?" in page and "Layanan KTP" in page
    form_action = re.search(r"form-action ([^;]+)", response["Content-Security-Policy"]).group(1)
    assert "https://rp.example.go.id" in form_action.split()


def test_relying_party_may_send_the_request_by_post(citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    browser = _signed_in(Client(enforce_csrf_checks=True), citizen)
    # A cross-site form POST from the relying party carries no CSRF token of ours: it is a logout
    # request like the GET, answered with the confirmation page (it does not sign out by itself).
    response = browser.post("/o/logout/", {"client_id": app.client_id, "post_logout_redirect_uri": RETURN,
                                           "state": "s1"})
    assert response.status_code == 200
    assert browser.get("/akun/").status_code == 200
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.content.decode()))
    confirmed = browser.post("/o/logout/", {**fields, "allow": "Logout"})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == RETURN + "?state=s1"
    assert browser.get("/akun/").status_code == 302  # signed out


def test_staying_signed_in_says_so(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    _signed_in(client, citizen)
    response = client.post("/o/logout/", {"client_id": app.client_id, "post_logout_redirect_uri": RETURN})
    # The test client skips CSRF checks, so this POST is the form's answer without "allow".
    assert response.status_code == 400
    assert "Anda tetap masuk." in response.content.decode()
    assert client.get("/akun/").status_code == 200
