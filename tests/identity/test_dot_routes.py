"""django-oauth-toolkit's own pages beside the protocol endpoints are not served: clients are
registered by platform admins in the back-office (docs/identity.md), never by any signed-in user."""

from __future__ import annotations

import pytest
from django.test import Client
from oauth2_provider.models import Application

from satupintu.identity import testing

pytestmark = pytest.mark.django_db

SECRET = "Citizen-Made-Secret-0123456789-abcdefghijXYZ"


def test_a_signed_in_citizen_cannot_register_an_oauth_client(client: Client, citizen) -> None:  # noqa: ANN001
    client.force_login(citizen)
    assert client.get("/o/applications/register/").status_code == 404
    response = client.post("/o/applications/register/", {
        "name": "Portal Resmi", "client_id": "citizen-made", "client_secret": SECRET,
        "client_type": "confidential", "authorization_grant_type": "authorization-code",
        "redirect_uris": "https://evil.example/cb", "algorithm": "RS256"})
    assert response.status_code == 404
    assert not Application.objects.filter(client_id="citizen-made").exists()


@pytest.mark.parametrize("path", ["/o/applications/", "/o/authorized_tokens/"])
def test_oauth_toolkit_management_pages_are_not_served(client: Client, citizen, path: str) -> None:  # noqa: ANN001
    client.force_login(citizen)
    assert client.get(path).status_code == 404


def test_device_grant_endpoints_are_not_served(client: Client, make_client) -> None:  # noqa: ANN001
    public = make_client(client_type="public")
    response = client.post("/o/device-authorization/", {"client_id": public.client_id})
    assert response.status_code == 404
    assert client.get("/o/device/").status_code == 404


def test_protocol_endpoints_of_the_toolkit_stay_served(client: Client) -> None:
    assert client.get("/o/.well-known/jwks.json").status_code == 200
    assert client.get("/o/.well-known/oauth-authorization-server").json()["issuer"] == "http://testserver/o"
    assert client.get("/o/logout/").status_code == 302


def test_client_change_page_has_no_link_to_the_toolkit_pages(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client()
    client.force_login(testing.make_platform_admin())
    response = client.get(f"/kelola/oauth2_provider/application/{app.pk}/change/")
    assert response.status_code == 200
    assert b"/kelola/r/" not in response.content
