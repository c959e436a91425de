"""Account pages work under the CSP (no inline executable script), in Indonesian by default,
and passkey sign-in is offered with its JavaScript served as static files."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from satupintu.identity import testing

pytestmark = pytest.mark.django_db


def _inline_scripts(html: str) -> list[str]:
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    return [attrs for attrs, body in scripts if "src=" not in attrs and 'type="application/json"' not in attrs
            and body.strip()]


@pytest.mark.parametrize("path", ["/akun/login/", "/akun/signup/", "/akun/password/reset/"])
def test_public_account_pages_render_in_indonesian_without_inline_script(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert not _inline_scripts(html)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_login_page_offers_passkey_sign_in_with_static_javascript(client: Client) -> None:
    html = client.get("/akun/login/").content.decode()
    assert "NIK, e-mail, atau nomor ponsel" in html
    srcs = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert any("webauthn" in s for s in srcs), srcs
    for src in srcs:
        assert client.get(src).status_code == 200, src


def test_signed_in_pages_render_without_inline_script(client: Client) -> None:
    citizen = testing.make_citizen()
    client.post("/akun/login/", {"login": citizen.email, "password": testing.PASSWORD})
    client.post("/akun/reauthenticate/", {"password": testing.PASSWORD})
    for path in ("/akun/", "/akun/aplikasi/", "/akun/2fa/", "/akun/sessions/", "/akun/2fa/webauthn/add/",
                 "/akun/2fa/totp/activate/", "/akun/password/change/"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert not _inline_scripts(response.content.decode()), path
    assert "Akun" in client.get("/").content.decode()
