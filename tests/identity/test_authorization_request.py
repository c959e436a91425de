"""The authorization endpoint's answers to invalid requests (RFC 6749 §4.1.2.1, RFC 7636, RFC 9207),
on the real provider through Django's test client: what a browser without a session sees, the
PKCE rules before any sign-in or consent screen, and ``iss`` on every authorization response."""

from __future__ import annotations

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Grant

from satupintu.identity.models import Consent
from tests.identity.oidc_helpers import query
from tests.identity.test_oidc import AUTHORIZE, REDIRECT, TOKEN, auth_params, basic, consent, sign_in

pytestmark = pytest.mark.django_db


def issuer(client: Client) -> str:
    return client.get("/o/.well-known/openid-configuration").json()["issuer"]


# --- 1. unknown client or unregistered redirect URI, no session: the error page at once -------
@pytest.mark.parametrize("case", ["unknown-client", "unregistered-uri", "disabled-client"])
def test_invalid_client_or_redirect_uri_without_session_shows_the_error_page_not_sign_in(
        client: Client, make_client, case: str) -> None:  # noqa: ANN001
    app = make_client()
    params, _ = auth_params(app)
    if case == "unknown-client":
        params["client_id"] = "tidak-terdaftar"
    elif case == "unregistered-uri":
        params["redirect_uri"] = "https://evil.example/callback"
    else:
        app.relying_party.active = False
        app.relying_party.save()
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 400
    assert "Location" not in response
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Permintaan masuk ditolak" in page  # Indonesian by default
    assert 'href="https://evil.example' not in page  # (the language links repeat the query, encoded)
    english = client.get(AUTHORIZE, {**params, "lang": "en"})
    assert english.status_code == 400 and "Sign-in request refused" in english.content.decode()


def test_valid_request_without_session_still_asks_to_sign_in(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client()
    response = client.get(AUTHORIZE, auth_params(app)[0])
    assert response.status_code == 302 and response["Location"].startswith("/akun/login/")


# --- 2. PKCE: S256 only, a well-formed challenge, refused before sign-in and consent ----------
@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize(("challenge", "method"), [
    ("a" * 50, "plain"),
    ("a" * 50, ""),  # no method = plain (RFC 7636 §4.3)
    ("a" * 42, "S256"),
    ("a" * 129, "S256"),
    ("a" * 42 + "+", "S256"),  # '+' is not unreserved (base64, not base64url)
    ("a" * 42 + "=", "S256"),
    ("a" * 42 + "é", "S256"),
])
def test_bad_pkce_is_invalid_request_before_sign_in_or_consent(client: Client, citizen, make_client, challenge: str,
                                                               method: str, signed_in: bool) -> None:  # noqa: ANN001
    app = make_client()
    if signed_in:
        sign_in(client, citizen)
    params, _ = auth_params(app, code_challenge=challenge, code_challenge_method=method)
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(REDIRECT + "?")
    answer = query(location)
    assert answer["error"] == "invalid_request" and answer["state"] == "st-123"
    assert "code_challenge" in answer["error_description"]
    assert not Grant.objects.exists()


@pytest.mark.parametrize("length", [43, 128])
def test_pkce_challenge_of_43_to_128_unreserved_characters_is_accepted(client: Client, citizen, make_client,
                                                                       length: int) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, _ = auth_params(app, code_challenge=("aZ09-._~" * 20)[:length])
    assert client.get(AUTHORIZE, params).status_code == 200  # the consent screen


# --- 4. iss (RFC 9207) on every authorization response ---------------------------------------
def test_every_authorization_response_carries_iss(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    iss = issuer(client)
    assert client.get("/o/.well-known/openid-configuration").json()["authorization_response_iss_parameter_supported"]
    # errors before sign-in: prompt=none without a session, bad PKCE
    none = query(client.get(AUTHORIZE, auth_params(app, prompt="none")[0])["Location"])
    assert none["error"] == "login_required" and none["iss"] == iss
    pkce = query(client.get(AUTHORIZE, auth_params(app, code_challenge_method="plain")[0])["Location"])
    assert pkce["error"] == "invalid_request" and pkce["iss"] == iss
    sign_in(client, citizen)
    # errors after sign-in: oversized state, unknown scope (oauthlib), consent_required (ours)
    state = query(client.get(AUTHORIZE, auth_params(app, state="s" * 513)[0])["Location"])
    assert state["error"] == "invalid_request" and state["iss"] == iss
    scope = query(client.get(AUTHORIZE, auth_params(app, scope="openid nik")[0])["Location"])
    assert scope["error"] == "invalid_scope" and scope["iss"] == iss
    consent_required = query(client.get(AUTHORIZE, auth_params(app, prompt="none")[0])["Location"])
    assert consent_required["error"] == "consent_required" and consent_required["iss"] == iss
    # the user denies: access_denied
    params, _ = auth_params(app)
    form = client.get(AUTHORIZE, params).context["form"]
    denied = client.post(AUTHORIZE, {name: form[name].value() or "" for name in form.fields if name != "allow"})
    assert query(denied["Location"])["error"] == "access_denied" and query(denied["Location"])["iss"] == iss
    # success, through the consent form and with remembered consent
    first = query(consent(client, params))
    assert "code" in first and first["iss"] == iss and first["state"] == "st-123"
    again = query(client.get(AUTHORIZE, auth_params(app)[0])["Location"])
    assert "code" in again and again["iss"] == iss
    assert client.get(AUTHORIZE, auth_params(app)[0])["Location"].count("iss=") == 1


# --- 3. the token request repeats the authorization request's redirect_uri (RFC 6749 §4.1.3) --
def code_for(client: Client, app, *, send_redirect_uri: bool) -> tuple[str, str]:  # noqa: ANN001
    params, verifier = auth_params(app, redirect_uri=REDIRECT if send_redirect_uri else "")
    location = consent(client, params)
    assert location.startswith(REDIRECT + "?"), location
    return query(location)["code"], verifier


def token_request(client: Client, app, code: str, verifier: str, redirect_uri: str | None):  # noqa: ANN001, ANN201
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier}
    if redirect_uri is not None:
        data["redirect_uri"] = redirect_uri
    return client.post(TOKEN, data, HTTP_AUTHORIZATION=basic(app))


@pytest.mark.parametrize("remembered_consent", [False, True])
def test_redirect_uri_sent_at_authorization_is_required_at_the_token_endpoint(
        client: Client, citizen, make_client, remembered_consent: bool) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    if remembered_consent:  # the code comes straight from GET /o/authorize/, not from the consent form
        code_for(client, app, send_redirect_uri=True)
    code, verifier = code_for(client, app, send_redirect_uri=True)
    missing = token_request(client, app, code, verifier, None)
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_grant"
    assert "redirect_uri" in missing.json()["error_description"]
    assert not AccessToken.objects.filter(application=app).exists()


def test_redirect_uri_sent_at_authorization_is_accepted_when_repeated(client: Client, citizen,
                                                                      make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    code, verifier = code_for(client, app, send_redirect_uri=True)
    assert token_request(client, app, code, verifier, REDIRECT).status_code == 200


@pytest.mark.parametrize("remembered_consent", [False, True])
@pytest.mark.parametrize("at_token", [None, REDIRECT])
def test_redirect_uri_omitted_at_authorization_may_be_omitted_at_the_token_endpoint(
        client: Client, citizen, make_client, at_token: str | None, remembered_consent: bool) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    if remembered_consent:
        code_for(client, app, send_redirect_uri=True)
    code, verifier = code_for(client, app, send_redirect_uri=False)
    response = token_request(client, app, code, verifier, at_token)
    assert response.status_code == 200, response.content


def test_a_different_redirect_uri_at_the_token_endpoint_is_invalid_grant(client: Client, citizen,
                                                                         make_client) -> None:  # noqa: ANN001
    app = make_client(redirect_uris=f"{REDIRECT} https://rp.example.go.id/other")
    sign_in(client, citizen)
    code, verifier = code_for(client, app, send_redirect_uri=True)
    response = token_request(client, app, code, verifier, "https://rp.example.go.id/other")
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


# --- 6. a scope repeated thousands of times counts once (RFC 6749 §3.3) ------------------------
def test_repeated_scopes_are_stored_and_shown_once(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, verifier = auth_params(app, scope="openid " + "profile " * 3000 + "openid")
    page = client.get(AUTHORIZE, params)
    assert page.status_code == 200
    assert page.context["scopes"] == ["openid", "profile"]
    assert page.context["form"]["scope"].value() == "openid profile"
    code = query(consent(client, params))["code"]
    assert Grant.objects.get().scope == "openid profile"
    response = client.post(TOKEN, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                                   "code_verifier": verifier}, HTTP_AUTHORIZATION=basic(app))
    assert response.json()["scope"] == "openid profile"
    assert AccessToken.objects.get().scope == "openid profile"
    assert Consent.objects.get(user=citizen, application=app).scopes == "openid profile"
    refreshed = client.post(TOKEN, {"grant_type": "refresh_token", "refresh_token": response.json()["refresh_token"],
                                    "scope": "profile " * 3000}, HTTP_AUTHORIZATION=basic(app))
    assert refreshed.status_code == 200, refreshed.content
    assert refreshed.json()["scope"] == "profile"
    assert AccessToken.objects.get(token_checksum=_checksum(refreshed.json()["access_token"])).scope == "profile"


def test_repeated_scopes_in_a_client_credentials_grant_are_stored_once(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials", allowed_scopes="openid profile")
    response = client.post(TOKEN, {"grant_type": "client_credentials", "scope": "profile " * 3000 + "openid"},
                           HTTP_AUTHORIZATION=basic(app))
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "profile openid"
    assert AccessToken.objects.get().scope == "profile openid"


def _checksum(value: str) -> str:
    import hashlib

    return hashlib.sha256(value.encode()).hexdigest()
