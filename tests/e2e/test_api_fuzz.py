"""Every operation of the platform's OpenAPI documents, fuzzed by schemathesis against the real server.

Documents: the platform API (``/api/v1/openapi.json``) and the GovStack Registration building block
(``/registration/v1/openapi.json``). Each is run anonymously (schemathesis also generates values for
the declared security schemes), then once per token kind with a real token from the platform's
OAuth provider in ``Authorization: Bearer …``: a citizen's access token (authorization code + PKCE,
the citizen signs in and consents) and an agency system's client-credentials token.

Checks: no 5xx, responses conform to their own schema, status codes and content types are documented,
invalid input is rejected; with a token also ``ignored_auth`` (an operation that declares security
must refuse the request without it). Failures found here become regular tests under tests/<app>/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client

from tests.e2e.conftest import ARTIFACTS, manage_shell
from tests.identity.oidc_helpers import Browser

pytestmark = pytest.mark.e2e
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
DOCUMENTS = {"api": "/api/v1/openapi.json", "registration": "/registration/v1/openapi.json"}
CHECKS = ("not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,"
          "negative_data_rejection")
REDIRECT = "https://aplikasi-warga.example.go.id/callback"
CLIENT_SECRET = "rahasia-fuzz-" + "f" * 32  # noqa: S105 - a test client's secret
CITIZEN = {"email": "agus.salim@e2e.example.id", "password": "Sandi-Warga-Fuzz-2026!", "name": "Agus Salim",
           "nik": "3216010505750005", "birth_date": "1975-05-05", "sex": "M"}

_SETUP = """
import datetime as dt, json
from oauth2_provider.models import Application
from satupintu.catalog.models import Agency
from satupintu.core.principal import Principal
from satupintu.exchange.interface import record_officer_access
from satupintu.identity.models import RelyingParty
from satupintu.identity.testing import make_citizen

c = {citizen!r}
user = make_citizen(email=c["email"], password=c["password"], full_name=c["name"], nik=c["nik"],
                    birth_date=dt.date.fromisoformat(c["birth_date"]), sex=c["sex"])
officer = Principal(kind="officer", id="e2e-fuzz", agency="dukcapil", roles=frozenset({{"verifier"}}))
record_officer_access(subject=f"citizen:{{user.pk}}", acting=officer, record="application/SP-FUZZ-1",
                      data_items=["data permohonan"], purpose="Pemrosesan permohonan", legal_basis="UU 24/2013")
dukcapil = Agency.objects.get(code="dukcapil")
made = {{}}
for kind, grant in (("citizen_app", "authorization-code"), ("system", "client-credentials")):
    app = Application.objects.create(name=f"Fuzz {{kind}}", client_type="confidential", authorization_grant_type=grant,
                                     redirect_uris={redirect!r}, client_secret={secret!r}, algorithm="RS256")
    RelyingParty.objects.create(application=app, agency=dukcapil,
                                allowed_scopes="openid personal_data_usage registration")
    made[kind] = app.client_id
print(json.dumps(made))
"""


@pytest.fixture(scope="module")
def tokens(server: str) -> dict[str, str]:
    """``{"citizen": …, "system": …}``: access tokens issued by the platform's provider in this test."""
    out = manage_shell(_SETUP.format(citizen=CITIZEN, redirect=REDIRECT, secret=CLIENT_SECRET))
    clients = json.loads(out.strip().splitlines()[-1])
    discovery = httpx.get(server + "/.well-known/openid-configuration").json()
    # A citizen's token: authorization code + PKCE through the real sign-in and consent pages.
    browser = Browser(server)
    browser.sign_in(CITIZEN["email"], CITIZEN["password"])
    rp = OAuth2Client(client_id=clients["citizen_app"], client_secret=CLIENT_SECRET, redirect_uri=REDIRECT,
                      scope="openid personal_data_usage registration", code_challenge_method="S256")
    verifier = generate_token(48)
    url, _state = rp.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier,
                                              nonce=generate_token(20))
    callback = browser.authorize(url)
    citizen = rp.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    # An agency system's token: client credentials.
    system = OAuth2Client(client_id=clients["system"], client_secret=CLIENT_SECRET,
                          scope="personal_data_usage registration")
    issued = system.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    # The tokens work (so the fuzzing below reaches the authenticated code paths).
    usage = httpx.get(server + "/api/v1/data/myPersonalDataUsage",
                      headers={"Authorization": f"Bearer {citizen['access_token']}"})
    assert usage.status_code == 200 and usage.json()[0]["purpose"] == "Pemrosesan permohonan", usage.text
    refused = httpx.get(server + "/api/v1/data/myPersonalDataUsage",
                        headers={"Authorization": f"Bearer {issued['access_token']}"})
    assert refused.status_code == 403, refused.text
    return {"citizen": citizen["access_token"], "system": issued["access_token"]}


def _schemathesis(server: str, document: str, label: str, *extra: str) -> subprocess.CompletedProcess[str]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            str(SCHEMATHESIS), "run", f"{server}{DOCUMENTS[document]}",
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", "60",
            "--workers", "1",  # one: hypothesis' lambda descriptions (ast.parse) are not thread-safe on 3.11
            "--seed", "20261130",
            "--report", "junit", "--report-dir", str(ARTIFACTS / "schemathesis"),
            "--report-junit-path", str(ARTIFACTS / "schemathesis" / f"junit-{label}.xml"),
            *extra,
        ],
        capture_output=True, text=True, timeout=900, check=False,
    )
    (ARTIFACTS / f"schemathesis-{label}.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    return result


@pytest.mark.parametrize("document", sorted(DOCUMENTS))
def test_openapi_operations_survive_fuzzing(server: str, document: str) -> None:
    result = _schemathesis(server, document, f"{document}-anonymous", "--checks", CHECKS)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


@pytest.mark.parametrize("kind", ["citizen", "system"])
@pytest.mark.parametrize("document", sorted(DOCUMENTS))
def test_openapi_operations_survive_fuzzing_with_tokens(server: str, tokens: dict[str, Any], document: str,
                                                        kind: str) -> None:
    result = _schemathesis(server, document, f"{document}-{kind}-token",
                           "--checks", CHECKS + ",ignored_auth",
                           "--header", f"Authorization: Bearer {tokens[kind]}",
                           "--generation-with-security-parameters", "false")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
