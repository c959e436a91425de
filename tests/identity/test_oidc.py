"""OIDC provider rules, each with a negative test (RFC 6749, RFC 7636, RFC 8252, OIDC Core)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from urllib.parse import quote, urlencode

import pytest
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from satupintu.audit.models import AuditEvent
from satupintu.identity import testing
from satupintu.identity.models import Consent
from tests.identity.oidc_helpers import query

pytestmark = pytest.mark.django_db
REDIRECT = "https://rp.example.go.id/callback"
AUTHORIZE = "/o/authorize/"
TOKEN = "/o/token/"


def sign_in(client: Client, user) -> None:  # noqa: ANN001
    response = client.post("/akun/login/", {"login": user.email, "password": testing.PASSWORD})
    assert response.status_code == 302, response.content.decode()[:1500]


def auth_params(app, **extra: str) -> tuple[dict[str, str], str]:  # noqa: ANN001
    verifier = generate_token(48)
    params = {"response_type": "code", "client_id": app.client_id, "redirect_uri": REDIRECT, "scope": "openid profile",
              "state": "st-123", "nonce": "n-456", "code_challenge": create_s256_code_challenge(verifier),
              "code_challenge_method": "S256"}
    params.update(extra)
    return {k: v for k, v in params.items() if v != ""}, verifier


def consent(client: Client, params: dict[str, str]) -> str:
    """GET the authorize URL; POST the consent form if shown; return the redirect Location."""
    response = client.get(AUTHORIZE, params)
    if response.status_code == 200:
        form = response.context["form"]
        data = {name: form[name].value() or "" for name in form.fields if name != "allow"}
        data["allow"] = "Authorize"
        response = client.post(AUTHORIZE, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def basic(app, secret: str | None = None) -> str:  # noqa: ANN001
    raw = f"{quote(app.client_id, safe='')}:{quote(secret or app.raw_secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def exchange(client: Client, app, code: str, verifier: str, **extra: str):  # noqa: ANN001, ANN201
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    data.update(extra)
    return client.post(TOKEN, data, HTTP_AUTHORIZATION=basic(app))


def get_code(client: Client, app, **extra: str) -> tuple[str, str]:  # noqa: ANN001
    params, verifier = auth_params(app, **extra)
    location = consent(client, params)
    assert location.startswith(REDIRECT), location
    return query(location)["code"], verifier


def jwt_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


# --- redirect URI and client checks: error page at the provider, never a redirect -----------
@pytest.mark.parametrize("redirect", [REDIRECT + "?x=1", REDIRECT + "/", "https://rp.example.go.id/callback2",
                                      "https://evil.example/callback", "https://rp.example.go.id/Callback",
                                      "https://rp.example.go.id:8443/callback", "http://rp.example.go.id/callback"])
def test_redirect_uri_must_match_exactly_and_error_is_shown_not_redirected(client: Client, citizen, make_client,
                                                                          redirect: str) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, _ = auth_params(app, redirect_uri=redirect)
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 400
    assert "Location" not in response
    assert "invalid_request" in response.content.decode() or "redirect" in response.content.decode().lower()


def test_unknown_client_shows_error_page(client: Client, citizen) -> None:  # noqa: ANN001
    sign_in(client, citizen)
    response = client.get(AUTHORIZE, {"response_type": "code", "client_id": "nope", "redirect_uri": REDIRECT})
    assert response.status_code in (400, 401) and "Location" not in response


def test_loopback_redirect_may_use_any_port_but_not_localhost(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client(client_type="public", redirect_uris="http://127.0.0.1/callback", secret="")
    sign_in(client, citizen)
    ok, _ = auth_params(app, redirect_uri="http://127.0.0.1:53123/callback")
    assert client.get(AUTHORIZE, ok).status_code == 200
    bad, _ = auth_params(app, redirect_uri="http://localhost:53123/callback")
    assert client.get(AUTHORIZE, bad).status_code == 400


# --- PKCE ------------------------------------------------------------------------------------
def test_missing_pkce_is_refused(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, _ = auth_params(app, code_challenge="", code_challenge_method="")
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 302
    assert query(response["Location"])["error"] == "invalid_request"


def test_plain_pkce_is_refused(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client(client_type="public", secret="")
    sign_in(client, citizen)
    params, verifier = auth_params(app, code_challenge="a" * 50, code_challenge_method="plain")
    response = client.get(AUTHORIZE, params)
    if response.status_code == 200:  # the refusal may come when the code would be issued
        location = consent(client, params)
    else:
        location = response["Location"]
    assert query(location)["error"] == "invalid_request"
    assert not Grant.objects.exists()


def test_wrong_code_verifier_is_refused(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    code, _ = get_code(client, app)
    response = exchange(client, app, code, generate_token(48))
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


# --- codes -----------------------------------------------------------------------------------
def test_reused_code_is_refused_and_revokes_its_tokens(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    first = exchange(client, app, code, verifier)
    assert first.status_code == 200
    tokens = first.json()
    second = exchange(client, app, code, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.filter(application=app).exists()
    assert all(rt.revoked is not None for rt in RefreshToken.objects.filter(application=app))
    assert client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").status_code == 401
    assert AuditEvent.objects.filter(action="oidc.code_reuse_detected").exists()


def test_expired_code_is_refused(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    Grant.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    response = exchange(client, app, code, verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


# --- client authentication -------------------------------------------------------------------
def test_wrong_client_secret_is_invalid_client(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    response = client.post(TOKEN, data, HTTP_AUTHORIZATION=basic(app, "salah"))
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_secret_with_reserved_characters_urlencoded_in_basic_auth(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    secret = "a+b%c:d/e=f g-" + "x" * 30
    app = make_client(secret=secret)
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    response = exchange(client, app, code, verifier)
    assert response.status_code == 200, response.content
    assert app.client_secret != secret  # hashed at rest


def test_client_secrets_and_tokens_are_hashed_at_rest(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    app.refresh_from_db()
    assert app.client_secret.startswith("sp_client_secret$")
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    tokens = exchange(client, app, code, verifier).json()
    assert not AccessToken.objects.filter(token=tokens["access_token"]).exists()
    assert not RefreshToken.objects.filter(token=tokens["refresh_token"]).exists()


# --- prompt, consent, max_age, acr -----------------------------------------------------------
def test_prompt_none_without_session_is_login_required(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client()
    params, _ = auth_params(app, prompt="none")
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 302
    assert query(response["Location"]) == {"error": "login_required", "state": "st-123", "iss": "http://testserver/o"}


def test_login_hint_prefills_the_sign_in_form(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client()
    params, _ = auth_params(app, login_hint="siti@example.id")
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 302 and response["Location"].startswith("/akun/login/")
    page = client.get(response["Location"]).content.decode()
    assert 'value="siti@example.id"' in page
    params, _ = auth_params(app, login_hint="<script>x</script>")
    assert "<script>x" not in client.get(client.get(AUTHORIZE, params)["Location"]).content.decode()


def test_prompt_none_without_consent_is_consent_required(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, _ = auth_params(app, prompt="none")
    response = client.get(AUTHORIZE, params)
    assert query(response["Location"])["error"] == "consent_required"


def test_consent_is_remembered_per_scope_set_and_revocable(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    get_code(client, app)
    assert Consent.objects.get(user=citizen, application=app).scopes == "openid profile"
    # Same scopes: no consent screen, even with prompt=none.
    params, _ = auth_params(app, prompt="none")
    assert "code" in query(client.get(AUTHORIZE, params)["Location"])
    # More scopes, or prompt=consent: asked again.
    assert client.get(AUTHORIZE, auth_params(app, scope="openid profile email")[0]).status_code == 200
    assert client.get(AUTHORIZE, auth_params(app, prompt="consent")[0]).status_code == 200
    # Revoked from the account page ("Aplikasi yang terhubung"): asked again; tokens gone.
    page = client.get("/akun/aplikasi/")
    assert app.name in page.content.decode()
    assert client.post(f"/akun/aplikasi/{app.pk}/cabut/").status_code == 302
    assert not Consent.objects.filter(user=citizen).exists()
    assert not AccessToken.objects.filter(user=citizen, application=app).exists()
    assert client.get(AUTHORIZE, auth_params(app)[0]).status_code == 200
    assert AuditEvent.objects.filter(action="consent.revoked").exists()


def test_revoking_another_users_app_does_nothing(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    get_code(client, app)
    other = Client()
    sign_in(other, testing.make_citizen())
    other.post(f"/akun/aplikasi/{app.pk}/cabut/")
    assert Consent.objects.filter(user=citizen, application=app).exists()


def test_consent_page_is_in_indonesian_by_default_and_english_on_request(client: Client, citizen,
                                                                          make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, _ = auth_params(app)
    assert "meminta izin menggunakan Identitas Digital Anda" in client.get(AUTHORIZE, params).content.decode()
    assert "asks to use your Digital ID" in client.get(AUTHORIZE, {**params, "lang": "en"}).content.decode()


def test_max_age_forces_a_fresh_sign_in(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, _ = auth_params(app, max_age="0")
    import time

    time.sleep(1.1)
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 302 and response["Location"].startswith("/akun/reauthenticate/")
    back = query(response["Location"])["next"]
    again = client.post(response["Location"], {"password": testing.PASSWORD})
    assert again.status_code == 302 and again["Location"] == back
    params["max_age"] = "60"
    assert client.get(AUTHORIZE, params).status_code == 200  # consent screen: fresh enough now


def test_prompt_login_reauthenticates_then_continues_without_prompt(client: Client, citizen,
                                                                      make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, _ = auth_params(app, prompt="login")
    response = client.get(AUTHORIZE, params)
    assert response["Location"].startswith("/akun/reauthenticate/")
    assert "prompt" not in query(query(response["Location"])["next"])


def test_id_token_carries_auth_time_and_acr(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    code, verifier = get_code(client, app, max_age="3600")
    claims = jwt_claims(exchange(client, app, code, verifier).json()["id_token"])
    assert claims["acr"] == "loa1" and claims["nonce"] == "n-456"
    assert abs(claims["auth_time"] - timezone.now().timestamp()) < 60


def totp_now(secret: str) -> str:
    """The current TOTP code for ``secret`` (:func:`satupintu.identity.testing.totp_now`)."""
    return testing.totp_now(secret)


def test_acr_values_loa2_steps_up_a_password_session(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)  # loa1: password only
    secret = testing.activate_totp(citizen)  # a second factor added during this session
    params, _ = auth_params(app, acr_values="loa2")
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 302 and response["Location"].startswith("/akun/2fa/reauthenticate/")
    back = client.post(response["Location"], {"code": totp_now(secret)})
    assert back.status_code == 302 and back["Location"].startswith(AUTHORIZE)
    code, verifier = get_code(client, app, acr_values="loa2")
    assert jwt_claims(exchange(client, app, code, verifier).json()["id_token"])["acr"] == "loa2"
    assert AuditEvent.objects.filter(action="mfa.stepped_up", target_id=str(citizen.pk)).exists()


def test_sign_in_with_totp_is_loa2(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client(required_loa="loa2")
    secret = testing.activate_totp(citizen)
    sign_in(client, citizen)  # with TOTP enabled, allauth asks for the code at sign-in
    assert client.get("/akun/").status_code == 302  # not signed in before the second factor
    assert client.post("/akun/2fa/authenticate/", {"code": totp_now(secret)}).status_code == 302
    code, verifier = get_code(client, app)
    assert jwt_claims(exchange(client, app, code, verifier).json()["id_token"])["acr"] == "loa2"


def test_loa1_session_is_never_accepted_for_a_loa2_client(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client(required_loa="loa2")
    sign_in(client, citizen)
    params, _ = auth_params(app)
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 302 and response["Location"].startswith("/akun/2fa/")
    none, _ = auth_params(app, prompt="none")
    assert query(client.get(AUTHORIZE, none)["Location"])["error"] == "interaction_required"
    assert not Grant.objects.exists()


# --- scopes and subjects ---------------------------------------------------------------------
def test_nik_scope_only_for_allowed_clients(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client(allowed_scopes="openid profile nik", allow_nik=False)
    sign_in(client, citizen)
    params, _ = auth_params(app, scope="openid nik")
    assert query(client.get(AUTHORIZE, params)["Location"])["error"] == "invalid_scope"


def test_pairwise_sub_differs_per_sector_and_public_sub_is_opt_in(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    sign_in(client, citizen)
    subs = {}
    for name, kwargs in {"a": {"sector": "dukcapil"}, "b": {"sector": "dukcapil"}, "c": {},
                         "d": {"public_sub": True}}.items():
        app = make_client(name=name, **kwargs)
        code, verifier = get_code(client, app)
        subs[name] = jwt_claims(exchange(client, app, code, verifier).json()["id_token"])["sub"]
    assert subs["a"] == subs["b"] != subs["c"]
    assert subs["d"] == str(citizen.pk) and str(citizen.pk) not in (subs["a"], subs["c"])


# --- bad input -------------------------------------------------------------------------------
def test_oversized_state_is_invalid_request(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, _ = auth_params(app, state="s" * 5000)
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 302
    assert query(response["Location"])["error"] == "invalid_request"


def test_unknown_response_type_is_unsupported_response_type(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    for response_type in ("token", "id_token", "banana", "code id_token"):
        params, _ = auth_params(app, response_type=response_type)
        response = client.get(AUTHORIZE, params)
        assert response.status_code == 302, response_type
        # RFC 6749 §4.1.2.1: unknown type → unsupported_response_type; a known type this client
        # may not use (implicit/hybrid are disabled) → unauthorized_client.
        expected = "unsupported_response_type" if response_type == "banana" else "unauthorized_client"
        assert query(response["Location"])["error"] == expected, response_type


def test_duplicated_oauth_parameters_are_invalid_request(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, _ = auth_params(app)
    # oauthlib treats a repeated parameter as fatal (it could be redirect_uri itself): an error
    # page at the provider, never a redirect to an address that may not be the client's.
    url = AUTHORIZE + "?" + urlencode(params) + "&state=again"
    response = client.get(url)
    assert response.status_code == 400 and "Location" not in response
    assert "invalid_request" in response.content.decode()
    dup_client = AUTHORIZE + "?" + urlencode(params) + "&client_id=other"
    response = client.get(dup_client)
    assert response.status_code == 400 and "Location" not in response
    token = client.post(TOKEN, "grant_type=client_credentials&grant_type=authorization_code",
                        content_type="application/x-www-form-urlencoded", HTTP_AUTHORIZATION=basic(app))
    assert token.status_code == 400 and token.json()["error"] == "invalid_request"


@pytest.mark.parametrize("body", ["", "grant_type=", "grant_type=password&username=a&password=b", "grant_type=%ff%fe",
                                  "code=x", "grant_type=authorization_code&code=" + "x" * 10_000])
def test_token_endpoint_bad_input_is_a_clear_oauth_error(client: Client, make_client, body: str) -> None:  # noqa: ANN001
    app = make_client()
    response = client.post(TOKEN, body, content_type="application/x-www-form-urlencoded", HTTP_AUTHORIZATION=basic(app))
    assert response.status_code in (400, 401)
    assert response.json()["error"] in {"invalid_request", "unsupported_grant_type", "invalid_grant",
                                        "unauthorized_client", "invalid_client"}
