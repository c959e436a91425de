"""The data tracker API accepts an OAuth 2.0 bearer access token from the platform's own provider
(RFC 6750) with the ``personal_data_usage`` scope, besides the citizen's session (ADR 0097).

Tokens are issued by django-oauth-toolkit's real token endpoint (client credentials) or stored in
its real token table (a citizen's token, as the authorization code grant stores it)."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from satupintu.core.principal import Principal
from satupintu.exchange.interface import record_officer_access
from satupintu.identity.models import RelyingParty
from satupintu.identity.testing import make_citizen

pytestmark = pytest.mark.django_db
URL = "/api/v1/data/myPersonalDataUsage"
SECRET = "rahasia-klien-" + "k" * 30  # noqa: S105 - a test client's secret
OFFICER = Principal(kind="officer", id="77", agency="dukcapil", roles=frozenset({"verifier"}))


def _app(grant: str = Application.GRANT_AUTHORIZATION_CODE,
         scopes: str = "openid personal_data_usage") -> Application:
    app = Application.objects.create(name="Aplikasi warga", client_type="confidential", authorization_grant_type=grant,
                                     redirect_uris="https://app.example.go.id/cb", client_secret=SECRET,
                                     algorithm="RS256")
    RelyingParty.objects.create(application=app, allowed_scopes=scopes)
    return app


def _token(app: Application, user: object, scope: str, *, expires_in: int = 600) -> str:
    value = secrets.token_urlsafe(30)
    AccessToken.objects.create(user=user, application=app, token=value, scope=scope,
                               expires=timezone.now() + dt.timedelta(seconds=expires_in))
    return value


@pytest.fixture
def citizen():  # noqa: ANN201
    user = make_citizen(full_name="Siti Aminah")
    record_officer_access(subject=f"citizen:{user.pk}", acting=OFFICER, record="application/SP-2026-1",
                          data_items=["data permohonan"], purpose="Pemrosesan permohonan", legal_basis="")
    return user


@pytest.mark.parametrize("path", ["myPersonalDataUsage", "mypersonalDataUsage", "MyPersonalDataUsage/1.0"])
def test_citizen_token_with_the_scope_lists_the_citizens_accesses(citizen, path: str) -> None:  # noqa: ANN001
    token = _token(_app(), citizen, "openid personal_data_usage")
    response = Client().get(f"/api/v1/data/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    [item] = response.json()
    assert item["purpose"] == "Pemrosesan permohonan" and item["refrences"][0]["ReferenceID"] == "application/SP-2026-1"


@pytest.mark.parametrize("case", ["no-scope", "expired", "unknown", "inactive-user", "in-query"])
def test_tokens_that_do_not_qualify_are_401(citizen, case: str) -> None:  # noqa: ANN001
    app = _app()
    token = _token(app, citizen, "openid profile" if case == "no-scope" else "openid personal_data_usage",
                   expires_in=-5 if case == "expired" else 600)
    if case == "unknown":
        token = "tidak-dikenal"  # noqa: S105
    if case == "inactive-user":
        citizen.is_active = False
        citizen.save()
    if case == "in-query":
        response = Client().get(URL, {"access_token": token})
    else:
        response = Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_client_credentials_token_is_403_not_a_citizen(client) -> None:  # noqa: ANN001
    app = _app(grant=Application.GRANT_CLIENT_CREDENTIALS, scopes="openid personal_data_usage")
    issued = client.post("/o/token/", {"grant_type": "client_credentials", "scope": "personal_data_usage",
                                       "client_id": app.client_id, "client_secret": SECRET})
    assert issued.status_code == 200, issued.content
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {issued.json()['access_token']}")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_session_still_works_and_a_bad_token_does_not_break_it(citizen) -> None:  # noqa: ANN001
    browser = Client()
    browser.force_login(citizen)
    assert browser.get(URL).status_code == 200
    assert browser.get(URL, HTTP_AUTHORIZATION="Bearer tidak-dikenal").status_code == 200


def test_openapi_declares_bearer_and_session_for_the_operation(db) -> None:  # noqa: ANN001
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/data/myPersonalDataUsage"]["get"]
    names = {name for requirement in operation["security"] for name in requirement}
    schemes = schema["components"]["securitySchemes"]
    assert {schemes[n]["type"] for n in names} == {"http", "apiKey"}
    assert any(schemes[n].get("scheme") == "bearer" for n in names)
