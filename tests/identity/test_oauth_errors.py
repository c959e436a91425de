"""Every answer of the OAuth endpoints for machines (token, its GovStack alias, introspection,
revocation) is JSON; every error an OAuth error (RFC 6749 §5.2) with ``Cache-Control: no-store``,
never Django's HTML pages or an empty body (``MachineEndpointMixin``)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from tests.identity.test_oidc import TOKEN, basic, exchange, get_code, sign_in

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
MACHINE_PATHS = [TOKEN, "/oauth/token", "/o/introspect/", "/o/revoke_token/"]


def assert_oauth_error(response: Any, status: int, error: str = "invalid_request") -> str:
    """Asserts the RFC 6749 §5.2 shape; returns ``error_description`` (OPTIONAL in the RFC, always
    given by our own refusals; oauthlib leaves it out for e.g. ``unsupported_grant_type``)."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["error"] == error, body
    assert set(body) <= {"error", "error_description", "error_uri"}, body
    if error == "invalid_request":
        assert isinstance(body["error_description"], str) and body["error_description"]
    return str(body.get("error_description", ""))


def cc_client(make_client: Any) -> Any:
    """A client-credentials client that may also introspect (its own tokens, in these tests; ADR 0135)."""
    return make_client(grant_type="client-credentials", may_introspect=True)


@pytest.mark.parametrize("path", MACHINE_PATHS)
@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_other_methods_are_405_invalid_request_with_allow(client: Client, make_client, path: str,  # noqa: ANN001
                                                          method: str) -> None:
    app = cc_client(make_client)
    response = getattr(client, method)(path, HTTP_AUTHORIZATION=basic(app))
    description = assert_oauth_error(response, 405)
    assert method.upper() in description
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("path", MACHINE_PATHS)
def test_head_is_405_json_with_allow(client: Client, path: str) -> None:
    response = client.head(path)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json" and response["Allow"] == "POST"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", MACHINE_PATHS)
def test_options_is_405_invalid_request_json_with_allow_post(client: Client, path: str) -> None:
    """ADR 0119: no CORS on these endpoints, so OPTIONS is refused like any method but POST."""
    response = client.options(path, HTTP_ORIGIN="https://rp.example.go.id",
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "OPTIONS" in assert_oauth_error(response, 405)
    assert response["Allow"] == "POST"
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize(("path", "allow"), [("/o/userinfo/", "GET, HEAD, POST"), ("/oidc/userinfo", "GET, HEAD")])
@pytest.mark.parametrize("method", ["options", "put", "delete", "patch"])
def test_userinfo_other_methods_are_405_json_with_allow(client: Client, path: str, allow: str, method: str) -> None:
    response = getattr(client, method)(path)
    assert method.upper() in assert_oauth_error(response, 405)
    assert response["Allow"] == allow


@pytest.mark.parametrize("path", ["/o/userinfo/", "/oidc/userinfo"])
def test_userinfo_errors_are_labelled_json(client: Client, path: str) -> None:
    response = client.get(path, HTTP_AUTHORIZATION="Bearer tidak-ada")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "invalid_token"
    assert response["WWW-Authenticate"].startswith("Bearer ")


@pytest.mark.parametrize("path", ["/o/userinfo/", "/oidc/userinfo"])
@pytest.mark.parametrize("authorization", [None, "Basic eDp5"])
def test_userinfo_without_a_bearer_token_gets_the_bare_challenge(client: Client, path: str,
                                                                 authorization: str | None) -> None:
    # RFC 6750 §3.1: no authentication information, or an unsupported method: no error code.
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.get(path, **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="satupintu"'
    assert response.content == b""


def test_userinfo_still_answers_a_valid_token(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    access = exchange(client, app, code, verifier).json()["access_token"]
    for method in ("get", "post"):
        response = getattr(client, method)("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access}")
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        assert response.json()["sub"]
    assert client.head("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 200


def test_introspection_by_get_with_the_token_in_the_url_is_refused(client: Client, make_client) -> None:  # noqa: ANN001
    """RFC 7662 §2.1: POST; a token in the URL would land in access logs."""
    app = cc_client(make_client)
    token = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM,
                        HTTP_AUTHORIZATION=basic(app)).json()["access_token"]
    response = client.get("/o/introspect/", {"token": token}, HTTP_AUTHORIZATION=basic(app))
    assert_oauth_error(response, 405)
    assert "active" not in response.json()


@pytest.mark.parametrize("path", MACHINE_PATHS)
def test_a_body_over_the_upload_limit_is_413_invalid_request(client: Client, make_client, settings,  # noqa: ANN001
                                                             path: str) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    app = cc_client(make_client)
    body = "grant_type=client_credentials&token=x&padding=" + "a" * 2000
    response = client.post(path, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert_oauth_error(response, 413)


@pytest.mark.parametrize("path", MACHINE_PATHS)
def test_too_many_fields_is_400_invalid_request(client: Client, make_client, settings, path: str) -> None:  # noqa: ANN001
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    app = cc_client(make_client)
    body = "grant_type=client_credentials&token=x&" + "&".join(f"f{i}=v" for i in range(10))
    response = client.post(path, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert_oauth_error(response, 400)


@pytest.mark.parametrize("path", MACHINE_PATHS)
def test_a_malformed_multipart_body_is_400_invalid_request(client: Client, make_client, path: str) -> None:  # noqa: ANN001
    app = cc_client(make_client)
    response = client.post(path, "grant_type=client_credentials", content_type="multipart/form-data",
                           HTTP_AUTHORIZATION=basic(app))
    assert_oauth_error(response, 400)


@pytest.mark.parametrize("parameter", ["grant_type", "scope", "client_id", "client_secret", "unknown_extra"])
def test_a_repeated_parameter_at_the_token_endpoint_is_invalid_request(client: Client, make_client,  # noqa: ANN001
                                                                       parameter: str) -> None:
    """RFC 6749 §3.2: request parameters MUST NOT be included more than once (here with the same
    value twice, which DOT's last-value-wins reading used to accept)."""
    app = cc_client(make_client)
    values = {"grant_type": "client_credentials", "scope": "openid", "client_id": app.client_id,
              "client_secret": app.raw_secret, "unknown_extra": "x"}
    body = "grant_type=client_credentials&" + "&".join(
        f"{parameter}={quote(values[parameter], safe='')}" for _ in range(2 if parameter != "grant_type" else 1))
    for path in (TOKEN, "/oauth/token"):
        response = client.post(path, body, content_type=FORM,
                               **({} if parameter in ("client_id", "client_secret") else
                                  {"HTTP_AUTHORIZATION": basic(app)}))
        assert parameter in assert_oauth_error(response, 400)


@pytest.mark.parametrize("parameter", ["code", "redirect_uri", "code_verifier"])
def test_a_repeated_parameter_of_the_code_grant_is_invalid_request_and_spends_no_code(
        client: Client, citizen, make_client, parameter: str) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    fields = {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://rp.example.go.id/callback",
              "code_verifier": verifier}
    body = "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items())
    body += f"&{parameter}={quote(fields[parameter], safe='')}"
    response = client.post(TOKEN, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert parameter in assert_oauth_error(response, 400)
    assert exchange(client, app, code, verifier).status_code == 200  # the code was not consumed


def test_a_repeated_refresh_token_is_invalid_request(client: Client, citizen, make_client) -> None:  # noqa: ANN001
    app = make_client(allowed_scopes="openid profile email", grant_type="authorization-code")
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    refresh = exchange(client, app, code, verifier).json()["refresh_token"]
    body = f"grant_type=refresh_token&refresh_token={refresh}&refresh_token={refresh}"
    response = client.post(TOKEN, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert "refresh_token" in assert_oauth_error(response, 400)
    again = client.post(TOKEN, f"grant_type=refresh_token&refresh_token={refresh}", content_type=FORM,
                        HTTP_AUTHORIZATION=basic(app))
    assert again.status_code == 200, again.content  # the refresh token was not rotated by the refused request


def test_a_parameter_both_in_the_query_and_the_body_is_invalid_request(client: Client, make_client) -> None:  # noqa: ANN001
    app = cc_client(make_client)
    response = client.post(TOKEN + "?grant_type=client_credentials", "grant_type=client_credentials",
                           content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert "grant_type" in assert_oauth_error(response, 400)


@pytest.mark.parametrize("path", ["/o/introspect/", "/o/revoke_token/"])
@pytest.mark.parametrize("parameter", ["token", "token_type_hint"])
def test_a_repeated_parameter_at_introspection_and_revocation_is_invalid_request(
        client: Client, make_client, path: str, parameter: str) -> None:  # noqa: ANN001
    app = cc_client(make_client)
    token = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM,
                        HTTP_AUTHORIZATION=basic(app)).json()["access_token"]
    body = f"token={token}&token_type_hint=access_token&{parameter}=" + (
        "another" if parameter == "token" else "access_token")
    response = client.post(path, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert parameter in assert_oauth_error(response, 400)
    # Nothing happened: the token is still active.
    check = client.post("/o/introspect/", f"token={token}", content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert check.json()["active"] is True


@pytest.mark.parametrize("body", ["", "grant_type=", "scope=openid", "code=x&redirect_uri=https%3A%2F%2Frp"])
@pytest.mark.parametrize("path", [TOKEN, "/oauth/token"])
def test_a_missing_grant_type_is_invalid_request(client: Client, make_client, body: str, path: str) -> None:  # noqa: ANN001
    """RFC 6749 §5.2: a required parameter is missing (and §3.1: an empty one counts as omitted)."""
    app = cc_client(make_client)
    response = client.post(path, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert "grant_type" in assert_oauth_error(response, 400)


def test_an_unknown_grant_type_is_still_unsupported_grant_type(client: Client, make_client) -> None:  # noqa: ANN001
    app = cc_client(make_client)
    response = client.post(TOKEN, "grant_type=urn%3Aexample%3Anope", content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert_oauth_error(response, 400, "unsupported_grant_type")


@pytest.mark.parametrize("path", [TOKEN, "/oauth/token", "/o/introspect/", "/o/revoke_token/"])
def test_a_client_id_that_differs_from_the_basic_credentials_is_invalid_request(
        client: Client, make_client, path: str) -> None:  # noqa: ANN001
    app = cc_client(make_client)
    other = make_client(name="Lain", grant_type="client-credentials")
    token = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM,
                        HTTP_AUTHORIZATION=basic(app)).json()["access_token"]
    for claimed in (other.client_id, "no-such-client"):
        body = f"grant_type=client_credentials&token={token}&client_id={quote(claimed, safe='')}"
        response = client.post(path, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
        assert "client_id" in assert_oauth_error(response, 400)
    check = client.post("/o/introspect/", f"token={token}", content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert check.json()["active"] is True  # the refused revocation revoked nothing


def test_the_same_client_id_in_the_body_and_the_basic_credentials_is_fine(client: Client, make_client) -> None:  # noqa: ANN001
    app = cc_client(make_client)
    body = f"grant_type=client_credentials&client_id={quote(app.client_id, safe='')}"
    response = client.post(TOKEN, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"
    token = response.json()["access_token"]
    introspected = client.post("/o/introspect/", f"token={token}&client_id={quote(app.client_id, safe='')}",
                               content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert introspected.status_code == 200 and introspected.json()["active"] is True


def test_a_well_formed_request_still_gets_its_token_and_revocation_stays_200(client: Client, make_client) -> None:  # noqa: ANN001
    app = cc_client(make_client)
    response = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    token = response.json()["access_token"]
    revoked = client.post("/o/revoke_token/", f"token={token}", content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert revoked.status_code == 200  # RFC 7009 §2.2: the status code is the answer
    assert revoked["Cache-Control"] == "no-store"
    introspected = client.post("/o/introspect/", f"token={token}", content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert introspected.json() == {"active": False}


def test_the_answers_are_the_same_through_the_whole_middleware_chain(client: Client, make_client,  # noqa: ANN001
                                                                      settings) -> None:
    """The rules live in the views, so they hold without the lean middleware (ADR 0112) too."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("OAuthEndpointMiddleware")]
    app = cc_client(make_client)
    assert_oauth_error(client.get(TOKEN), 405)
    assert "grant_type" in assert_oauth_error(
        client.post(TOKEN, "grant_type=client_credentials&grant_type=client_credentials", content_type=FORM,
                    HTTP_AUTHORIZATION=basic(app)), 400)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    assert_oauth_error(client.post("/o/introspect/", "token=" + "a" * 200, content_type=FORM,
                                   HTTP_AUTHORIZATION=basic(app)), 413)


def test_basic_credentials_that_are_not_base64_stay_invalid_client(client: Client) -> None:
    response = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM,
                           HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"no-colon").decode())
    assert_oauth_error(response, 401, "invalid_client")


def test_userinfo_with_a_client_credentials_token_is_invalid_token_not_a_server_error(client: Client,
                                                                                      make_client) -> None:  # noqa: ANN001
    app = cc_client(make_client)
    token = client.post(TOKEN, "grant_type=client_credentials", content_type=FORM,
                        HTTP_AUTHORIZATION=basic(app)).json()["access_token"]
    for path in ("/o/userinfo/", "/oidc/userinfo"):
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 401, (path, response.status_code, response.content[:200])
        assert b"invalid_token" in response.content


def test_password_grant_is_refused_before_any_password_check(client: Client, make_client, citizen) -> None:  # noqa: ANN001
    """RFC 9700 §2.4; the answer must not tell a right password from a wrong one (no guessing past
    the sign-in page's rate limits and second factor)."""
    from satupintu.identity import testing

    app = cc_client(make_client)
    answers = []
    for password in (testing.PASSWORD, "salah-sekali"):
        body = f"grant_type=password&username={quote(citizen.email)}&password={quote(password)}"
        response = client.post(TOKEN, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
        assert_oauth_error(response, 400, "unsupported_grant_type")
        answers.append(response.json())
    assert answers[0] == answers[1]


@pytest.mark.parametrize("body", [
    "grant_type=authorization_code&code=ab%00c&redirect_uri=https%3A%2F%2Frp.example%2Fcb&code_verifier=" + "v" * 43,
    "grant_type=password&username=a%00b&password=x",
    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=a%00b",
    "grant_type=refresh_token&refresh_token=a%00b",
])
def test_a_nul_byte_in_any_parameter_is_invalid_request(client: Client, make_client, body: str) -> None:  # noqa: ANN001
    app = make_client()
    response = client.post(TOKEN, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert "NUL" in assert_oauth_error(response, 400)


@pytest.mark.django_db(transaction=True)
def test_a_client_deleted_behind_this_processs_cache_is_invalid_client_not_a_server_error(
        client: Client, make_client) -> None:  # noqa: ANN001
    """Without a shared cache another process learns of a deletion only within the cache TTL: a
    grant for the (still cached) client must answer invalid_client, not fail on the token's foreign key."""
    from django.db import connection

    app = cc_client(make_client)
    grant = "grant_type=client_credentials"
    assert client.post(TOKEN, grant, content_type=FORM, HTTP_AUTHORIZATION=basic(app)).status_code == 200
    with connection.cursor() as cursor:  # as another process would, without this process's signals
        cursor.execute("DELETE FROM oauth2_provider_accesstoken WHERE application_id = %s", [app.pk])
        cursor.execute("DELETE FROM identity_relyingparty WHERE application_id = %s", [app.pk])
        cursor.execute("DELETE FROM oauth2_provider_application WHERE id = %s", [app.pk])
    response = client.post(TOKEN, grant, content_type=FORM, HTTP_AUTHORIZATION=basic(app))
    assert_oauth_error(response, 401, "invalid_client")
