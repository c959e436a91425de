"""Authorization request parameters a new integrator may get wrong (OIDC Core §3.1.2.1, §5.5, §6):
each is an OAuth error redirected to the registered redirect URI with ``state`` and ``iss``,
with or without a session, never a server error."""

from __future__ import annotations

import pytest
from django.test import Client
from oauth2_provider.models import Grant

from tests.identity.oidc_helpers import query
from tests.identity.test_oidc import AUTHORIZE, REDIRECT, auth_params, consent, sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize(("extra", "error"), [
    ({"claims": "{bad"}, "invalid_request"),  # malformed JSON: Django refused the redirect (400 page)
    ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),  # discovery: request_parameter_supported false
    ({"request_uri": "https://rp.example.go.id/req.jwt"}, "request_uri_not_supported"),
    ({"nonce": "n\x00"}, "invalid_request"),  # PostgreSQL cannot store a NUL in the code's nonce
])
def test_bad_oidc_parameter_is_an_error_redirect_to_the_client(client: Client, citizen, make_client, extra: dict,
                                                               error: str, signed_in: bool) -> None:  # noqa: ANN001
    app = make_client()
    if signed_in:
        sign_in(client, citizen)
        consent(client, auth_params(app)[0])  # remembered consent: the next request answers at once
    params, _ = auth_params(app, **extra)
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 302, response.content.decode()[:500]
    location = response["Location"]
    assert location.startswith(REDIRECT + "?")
    answer = query(location)
    assert answer["error"] == error and answer["state"] == "st-123"
    assert answer["iss"] == "http://testserver/o"
    assert Grant.objects.count() == (1 if signed_in else 0)  # only the one of the consent above


def test_a_consent_form_with_a_nul_byte_is_a_bad_request_and_grants_nothing(client: Client, citizen,
                                                                          make_client) -> None:  # noqa: ANN001
    app = make_client()
    sign_in(client, citizen)
    response = client.get(AUTHORIZE, auth_params(app)[0])
    assert response.status_code == 200
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "allow"}
    data.update(allow="Authorize", nonce="n\x00")  # the signed-in user edited the hidden field
    response = client.post(AUTHORIZE, data)
    assert response.status_code == 400
    assert "<h1>" in response.content.decode()  # the site's error page, not a bare response
    assert Grant.objects.count() == 0
