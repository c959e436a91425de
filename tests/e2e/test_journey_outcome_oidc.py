"""Journey 6 of issue 10: an agency web app — a tiny relying party served by this test on
127.0.0.1 with Authlib's OAuth 2.0 client — signs the citizen in through the platform's OpenID
Connect provider in the browser: authorization code + PKCE (S256), the citizen signs in with
password + TOTP, sees the consent screen listing what the app will receive, allows it, and the
relying party validates the ID token (signature, iss, aud, exp, nonce, acr) and reads userinfo.

The client (django-oauth-toolkit ``Application`` + our ``RelyingParty`` settings) and the citizen
are set up server-side through ``manage_shell``; everything the citizen does is in the browser.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken
from playwright.sync_api import Page, expect

from tests.e2e.conftest import E2E_TOTP_SECRETS, check_accessibility, complete_sign_in, manage_shell, snap

pytestmark = pytest.mark.e2e
CITIZEN = {"email": "rina.marlina@e2e.example.id", "password": "Sandi-Warga-E2e-2026!", "name": "Rina Marlina",
           "nik": "3216014606780006", "birth_date": "1978-06-06", "sex": "F"}
SCOPE = "openid profile email nik"
CLIENT_SECRET = "rahasia-klien-e2e-" + "x" * 24  # noqa: S105 - a test client's secret

_SETUP = """
import datetime as dt, json
from oauth2_provider.models import Application
from satupintu.catalog.models import Agency
from satupintu.identity.models import RelyingParty
from satupintu.identity.testing import activate_totp, make_citizen

c = {citizen!r}
user = make_citizen(email=c["email"], password=c["password"], full_name=c["name"], nik=c["nik"],
                    birth_date=dt.date.fromisoformat(c["birth_date"]), sex=c["sex"])
secret = activate_totp(user)
app = Application.objects.create(
    name="Layanan Adminduk Daerah (uji e2e)", client_type="confidential", authorization_grant_type="authorization-code",
    redirect_uris={redirect!r}, client_secret={client_secret!r}, algorithm="RS256", skip_authorization=False,
    post_logout_redirect_uris={home!r})
RelyingParty.objects.create(application=app, agency=Agency.objects.get(code="dukcapil"), allowed_scopes={scope!r},
                            allow_nik=True, required_loa="loa2")
print(json.dumps({{"secret": secret, "client_id": app.client_id, "user_id": user.pk}}))
"""


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class RelyingParty:
    """The agency's web app: ``/`` has a sign-in link, ``/login`` starts the authorization code flow
    with PKCE, ``/callback`` exchanges the code, validates the ID token and reads userinfo. What it
    learned is kept in :attr:`results` for the test to check."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.discovery: dict[str, Any] = httpx.get(provider + "/.well-known/openid-configuration").json()
        self.client_id = ""
        self.pending: dict[str, dict[str, str]] = {}  # state -> code_verifier, nonce
        self.results: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.server = make_server("127.0.0.1", 0, self.app, server_class=_ThreadingWSGIServer,
                                  handler_class=_QuietHandler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.redirect_uri = self.base + "/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def oauth(self) -> OAuth2Client:
        return OAuth2Client(client_id=self.client_id, client_secret=CLIENT_SECRET, scope=SCOPE,
                            redirect_uri=self.redirect_uri, code_challenge_method="S256",
                            token_endpoint_auth_method="client_secret_basic")

    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ.get("PATH_INFO", "/")
        try:
            if path == "/login":
                verifier, nonce = generate_token(48), generate_token(20)
                url, state = self.oauth().create_authorization_url(
                    self.discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce, acr_values="loa2")
                self.pending[state] = {"verifier": verifier, "nonce": nonce}
                start_response("302 Found", [("Location", url)])
                return [b""]
            if path == "/callback":
                return self._callback(environ, start_response)
            body = '<a href="/login">Masuk dengan Identitas Digital</a>'
            return self._page(start_response, "Layanan Adminduk Daerah", body)
        except Exception as exc:  # noqa: BLE001 - the test reads the RP's errors
            self.errors.append(repr(exc))
            return self._page(start_response, "Gagal masuk", f"<p>{html.escape(repr(exc))}</p>", "400 Bad Request")

    def _callback(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        pending = self.pending.pop(query.get("state", ""), None)
        if pending is None or "code" not in query:
            raise ValueError(f"unexpected callback: {query}")
        if query.get("iss") != self.discovery["issuer"]:  # RFC 9207
            raise ValueError(f"wrong iss in the authorization response: {query.get('iss')}")
        rp = self.oauth()
        callback = self.redirect_uri + "?" + urlencode(query)
        token = rp.fetch_token(self.discovery["token_endpoint"], authorization_response=callback,
                               code_verifier=pending["verifier"])
        jwks = JsonWebKey.import_key_set(httpx.get(self.discovery["jwks_uri"]).json())
        claims = jwt.decode(token["id_token"], jwks, claims_cls=CodeIDToken, claims_options={
            "iss": {"essential": True, "value": self.discovery["issuer"]},
            "acr": {"essential": True, "value": "loa2"},
        }, claims_params={"nonce": pending["nonce"], "client_id": self.client_id})
        claims.validate(leeway=5)
        userinfo = rp.get(self.discovery["userinfo_endpoint"]).json()
        self.results.append({"id_token": dict(claims), "userinfo": userinfo, "token": token})
        body = f"<p>Selamat datang, {html.escape(str(userinfo.get('name', '')))}.</p>"
        return self._page(start_response, "Berhasil masuk", body)

    @staticmethod
    def _page(start_response: Any, title: str, body: str, status: str = "200 OK") -> list[bytes]:
        start_response(status, [("Content-Type", "text/html; charset=utf-8")])
        page = (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{title}</title></head>'
                f"<body><main><h1>{title}</h1>{body}</main></body></html>")
        return [page.encode()]


@pytest.fixture(scope="module")
def relying_party(server: str) -> Iterator[tuple[RelyingParty, dict[str, Any]]]:
    rp = RelyingParty(server)
    rp.thread.start()
    out = manage_shell(_SETUP.format(citizen=CITIZEN, redirect=rp.redirect_uri, client_secret=CLIENT_SECRET,
                                     home=rp.base + "/", scope=SCOPE))
    made = json.loads(out.strip().splitlines()[-1])
    rp.client_id = made["client_id"]
    E2E_TOTP_SECRETS[CITIZEN["email"]] = made["secret"]
    yield rp, made
    rp.server.shutdown()
    rp.server.server_close()


def test_journey_outcome_6_agency_app_signs_the_citizen_in_with_consent(
    server: str, page: Page, relying_party: tuple[RelyingParty, dict[str, Any]]
) -> None:
    rp, made = relying_party
    assert rp.discovery["code_challenge_methods_supported"] == ["S256"]
    page.goto(rp.base + "/")
    page.get_by_role("link", name="Masuk dengan Identitas Digital").click()
    # The provider sends the citizen to its sign-in page first, and back to the authorization afterwards.
    expect(page.locator("#id_login")).to_be_visible()
    assert page.url.startswith(server + "/akun/login/")
    assert check_accessibility(page, "sign-in (from an agency app)") == []
    snap(page, "journey6-01-sign-in")

    def _on_code_page(pg: Page) -> None:
        expect(pg.locator("#id_code")).to_be_visible()
        assert check_accessibility(pg, "sign-in: TOTP code") == []

    complete_sign_in(page, CITIZEN["email"], CITIZEN["password"], before_code=_on_code_page)
    # The consent screen names the app, its agency and every claim it will receive.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Layanan Adminduk Daerah (uji e2e)")
    scopes = page.locator("ul.scopes li")
    expect(scopes).to_have_text(["Pengenal masuk khusus untuk aplikasi ini",
                                 "Nama, tanggal lahir, dan jenis kelamin Anda", "Alamat e-mail Anda",
                                 "NIK Anda (Nomor Induk Kependudukan)"])
    expect(page.locator("main")).to_contain_text("Ditjen Dukcapil")
    assert check_accessibility(page, "OIDC consent screen") == []
    snap(page, "journey6-02-consent")
    page.get_by_role("button", name="Izinkan").click()

    page.wait_for_url(rp.redirect_uri + "?*")  # the browser must be allowed to follow the redirect (CSP form-action)
    expect(page.get_by_role("heading", level=1)).to_have_text("Berhasil masuk")
    assert page.url.startswith(rp.redirect_uri)
    snap(page, "journey6-03-back-at-the-agency-app")
    assert rp.errors == []
    assert len(rp.results) == 1
    id_token, userinfo = rp.results[0]["id_token"], rp.results[0]["userinfo"]
    assert id_token["iss"] == rp.discovery["issuer"]
    assert id_token["aud"] == rp.client_id or rp.client_id in id_token["aud"]
    assert id_token["acr"] == "loa2"
    assert id_token["exp"] > time.time()
    assert id_token["sub"] != str(made["user_id"])  # pairwise, not the account's primary key
    assert userinfo["sub"] == id_token["sub"]
    assert userinfo["name"] == CITIZEN["name"]
    assert userinfo["email"] == CITIZEN["email"] and userinfo["email_verified"] is True
    assert userinfo["birthdate"] == CITIZEN["birth_date"]
    assert userinfo["nik"] == CITIZEN["nik"]
    assert "refresh_token" in rp.results[0]["token"]
    assert page.csp_errors == []  # type: ignore[attr-defined]
