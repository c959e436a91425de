"""End to end with a real relying-party library (Authlib) against the live test server:
discovery → authorization code + PKCE → token → ID token validation (signature, iss, aud,
exp, nonce, acr) → userinfo → refresh rotation and reuse detection → revocation → logout."""

from __future__ import annotations

import time

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

from satupintu.identity import testing
from tests.identity.oidc_helpers import Browser, query

pytestmark = pytest.mark.django_db(transaction=True)
REDIRECT = "https://rp.example.go.id/callback"


@pytest.fixture
def setup(live_server, make_client):  # noqa: ANN001, ANN201
    citizen = testing.make_citizen(email="siti@example.id")
    client = make_client(allowed_scopes="openid profile email nik", allow_nik=True)
    discovery = httpx.get(live_server.url + "/.well-known/openid-configuration").json()
    return citizen, client, discovery


def _rp(client, discovery) -> OAuth2Client:  # noqa: ANN001
    return OAuth2Client(client_id=client.client_id, client_secret=client.raw_secret, scope="openid profile email nik",
                        redirect_uri=REDIRECT, code_challenge_method="S256",
                        token_endpoint_auth_method="client_secret_basic")


def _validate_id_token(id_token: str, discovery: dict, client, nonce: str, acr: str) -> dict:  # noqa: ANN001
    jwks = JsonWebKey.import_key_set(httpx.get(discovery["jwks_uri"]).json())
    claims = jwt.decode(id_token, jwks, claims_cls=CodeIDToken, claims_options={
        "iss": {"essential": True, "value": discovery["issuer"]},
        "acr": {"essential": True, "value": acr},
    }, claims_params={"nonce": nonce, "client_id": client.client_id})
    claims.validate(leeway=5)
    assert claims["aud"] == client.client_id or client.client_id in claims["aud"]
    assert claims["exp"] > time.time()
    return dict(claims)


def test_full_relying_party_journey_with_authlib(live_server, setup, make_client) -> None:  # noqa: ANN001
    citizen, client, discovery = setup
    resource_server = make_client(name="API layanan", grant_type="client-credentials", may_introspect=True)
    # Discovery advertises what the journey needs.
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert set(discovery["acr_values_supported"]) == {"loa1", "loa2"}
    assert "pairwise" in discovery["subject_types_supported"]
    for alias in ("/.well-known/jwks.json", "/o/.well-known/jwks.json"):
        assert httpx.get(live_server.url + alias).json()["keys"][0]["alg"] == "RS256"

    browser = Browser(live_server.url)
    browser.sign_in(citizen.email, testing.PASSWORD)
    rp = _rp(client, discovery)
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = rp.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier,
                                             nonce=nonce, acr_values="loa1")
    callback = browser.authorize(url)
    params = query(callback)
    assert callback.startswith(REDIRECT) and params["state"] == state and params["iss"] == discovery["issuer"]

    token = rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    claims = _validate_id_token(token["id_token"], discovery, client, nonce, "loa1")
    assert claims["sub"] != str(citizen.pk)  # pairwise by default
    assert claims["auth_time"] <= time.time()

    info = rp.get(discovery["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"]
    assert info["name"] == citizen.full_name and info["email"] == citizen.email
    assert info["nik"] == citizen.nik()
    # The GovStack alias answers the same claims as a signed JWT (application/jwt).
    govstack = rp.get(live_server.url + "/oidc/userinfo")
    assert govstack.headers["Content-Type"] == "application/jwt"
    jwks = JsonWebKey.import_key_set(httpx.get(discovery["jwks_uri"]).json())
    signed = jwt.decode(govstack.text, jwks)
    signed.validate()
    assert signed["sub"] == claims["sub"] and signed["iss"] == discovery["issuer"]
    assert signed["aud"] == client.client_id

    # Refresh: rotated; the old refresh token is refused and its reuse revokes the whole grant.
    first_refresh = token["refresh_token"]
    rotated = rp.refresh_token(discovery["token_endpoint"], refresh_token=first_refresh)
    assert rotated["refresh_token"] != first_refresh and rotated["access_token"] != token["access_token"]
    reuse = httpx.post(discovery["token_endpoint"],
                       data={"grant_type": "refresh_token", "refresh_token": first_refresh},
                       auth=(client.client_id, client.raw_secret))
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    after_reuse = httpx.post(discovery["token_endpoint"],
                             data={"grant_type": "refresh_token", "refresh_token": rotated["refresh_token"]},
                             auth=(client.client_id, client.raw_secret))
    assert after_reuse.status_code == 400, "reuse of a rotated refresh token must revoke the family"

    # A new grant, then revocation (RFC 7009) and introspection (RFC 7662).
    verifier2, nonce2 = generate_token(48), generate_token(20)
    url2, _ = rp.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier2, nonce=nonce2)
    token2 = rp.fetch_token(discovery["token_endpoint"], authorization_response=browser.authorize(url2),
                            code_verifier=verifier2)
    introspect = discovery["introspection_endpoint"]
    # Only a resource server the platform allowed may introspect (ADR 0135); the relying party may not.
    refused = httpx.post(introspect, data={"token": token2["access_token"]}, auth=(client.client_id, client.raw_secret))
    assert refused.status_code == 403 and refused.json()["error"] == "unauthorized_client"
    api = resource_server
    active = httpx.post(introspect, data={"token": token2["access_token"]}, auth=(api.client_id, api.raw_secret))
    assert active.json()["active"] is True
    assert "username" not in active.json()  # the citizen's e-mail is not shared with resource servers
    revoked = rp.revoke_token(discovery["revocation_endpoint"], token=token2["access_token"],
                              token_type_hint="access_token")
    assert revoked.status_code == 200
    inactive = httpx.post(introspect, data={"token": token2["access_token"]}, auth=(api.client_id, api.raw_secret))
    assert inactive.json() == {"active": False}
    assert httpx.get(discovery["userinfo_endpoint"],
                     headers={"Authorization": f"Bearer {token2['access_token']}"}).status_code == 401

    # RP-initiated logout ends the provider session and returns to the registered URI.
    out = browser.http.get(discovery["end_session_endpoint"], params={
        "id_token_hint": token2["id_token"], "post_logout_redirect_uri": "https://rp.example.go.id/",
        "state": "bye"})
    assert out.status_code == 302 and out.headers["Location"].startswith("https://rp.example.go.id/")
    assert "state=bye" in out.headers["Location"]
    assert browser.http.get("/akun/").status_code == 302  # signed out


def test_client_credentials_grant_for_an_agency_system(live_server, make_client) -> None:  # noqa: ANN001
    system = make_client(grant_type="client-credentials", allowed_scopes="openid")
    rp = OAuth2Client(client_id=system.client_id, client_secret=system.raw_secret)
    discovery = httpx.get(live_server.url + "/.well-known/openid-configuration").json()
    token = rp.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["expires_in"] <= 600
    govstack = httpx.post(live_server.url + "/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(system.client_id, system.raw_secret))
    assert govstack.status_code == 200 and govstack.json()["access_token"]
