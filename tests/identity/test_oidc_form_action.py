"""CSP ``form-action`` during an OIDC authorization: browsers check it on every redirect of a form
submission, so the sign-in, second-factor and consent pages of an authorization in progress must
allow the relying party's registered redirect origin — and only that one (found by the browser
journey 6 of issue 10: "Allow" on the consent screen went nowhere)."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from satupintu.identity.oidc.views import PENDING_REDIRECT_KEY
from tests.identity.test_oidc import AUTHORIZE, auth_params, sign_in

pytestmark = pytest.mark.django_db
RP_ORIGIN = "https://rp.example.go.id"


def _form_action(response) -> list[str]:  # noqa: ANN001
    policy = response["Content-Security-Policy"]
    directive = next(d.strip() for d in policy.split(";") if d.strip().startswith("form-action"))
    return directive.split()[1:]


def test_sign_in_pages_of_a_started_authorization_allow_the_relying_party(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client()
    params, _verifier = auth_params(app)
    started = client.get(AUTHORIZE, params)
    assert started.status_code == 302 and "/akun/login/" in started["Location"]
    login_page = client.get(started["Location"])
    assert login_page.status_code == 200
    assert _form_action(login_page) == ["'self'", RP_ORIGIN]


def test_consent_page_allows_the_relying_party_and_allow_redirects_there(client: Client, citizen,
                                                                         make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    params, _verifier = auth_params(app)
    page = client.get(AUTHORIZE, params)
    assert page.status_code == 200 and "form" in page.context
    assert _form_action(page) == ["'self'", RP_ORIGIN]


@pytest.mark.parametrize("case", ["unregistered-redirect", "unknown-client", "no-authorization", "expired"])
def test_other_origins_are_never_allowed(client: Client, citizen, make_client, case: str) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    if case == "unregistered-redirect":
        params, _verifier = auth_params(app, redirect_uri="https://evil.example.com/callback")
        client.get(AUTHORIZE, params)
    elif case == "unknown-client":
        params, _verifier = auth_params(app, client_id="tidak-ada")
        client.get(AUTHORIZE, params)
    elif case == "expired":
        params, _verifier = auth_params(app)
        client.get(AUTHORIZE, params)
        session = client.session
        session[PENDING_REDIRECT_KEY] = {**session[PENDING_REDIRECT_KEY], "until": time.time() - 1}
        session.save()
    page = client.get("/akun/")
    assert _form_action(page) == ["'self'"]
