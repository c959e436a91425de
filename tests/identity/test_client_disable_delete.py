"""Platform admins disable (``RelyingParty.active``) and delete OIDC clients in the back-office
(ADR 0117); either takes effect on the next request: no authorization, no token, earlier tokens
inactive. Every change is audited."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from satupintu.audit.models import AuditEvent
from satupintu.identity import testing
from satupintu.identity.models import Consent, RelyingParty, User
from tests.identity.test_oidc import AUTHORIZE, TOKEN, auth_params, basic, exchange, get_code, sign_in

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def _long_ttl(settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_OIDC_CLIENT_CACHE_SECONDS = 3600  # only the invalidation can make a change visible


def grant(client: Client, app: Any) -> Any:
    return client.post(TOKEN, "grant_type=client_credentials", content_type=FORM, HTTP_AUTHORIZATION=basic(app))


def introspect(client: Client, resource_server: Any, token: str) -> dict[str, Any]:
    response = client.post("/o/introspect/", f"token={token}", content_type=FORM,
                           HTTP_AUTHORIZATION=basic(resource_server))
    assert response.status_code == 200, response.content
    return dict(response.json())


def set_active(app: Any, active: bool) -> None:
    rp = RelyingParty.objects.get(application=app)
    rp.active = active
    rp.save()


class _Form(HTMLParser):
    """The fields of the admin change form, as a browser would post them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[name] = a.get("value") or "on"
            else:
                self.data[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data.lstrip("\n") if not self.data[self._textarea] else data


def change_form(client: Client, app: Any) -> dict[str, Any]:
    page = client.get(f"/kelola/oauth2_provider/application/{app.pk}/change/")
    assert page.status_code == 200
    parser = _Form()
    parser.feed(page.content.decode())
    return parser.data


def role_platform_admin() -> User:
    """A platform admin by role only (not a Django superuser: no model permissions of its own)."""
    user = User.objects.create_user("platform@example.go.id", testing.PASSWORD, full_name="Admin Platform",
                                    kind="officer", is_staff=True, roles=["platform_admin"])
    testing.verify_email(user)
    testing.activate_totp(user)
    return user


# --- disable ----------------------------------------------------------------------------------

def test_a_disabled_client_gets_no_token_and_its_earlier_token_is_inactive(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    resource_server = make_client(name="Gateway", grant_type="client-credentials", may_introspect=True)
    token = grant(client, app).json()["access_token"]  # also puts the client in the process cache
    assert introspect(client, resource_server, token)["active"] is True
    set_active(app, False)
    refused = grant(client, app)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert introspect(client, resource_server, token) == {"active": False}
    # The disabled client cannot introspect (authenticate) either.
    assert client.post("/o/introspect/", f"token={token}", content_type=FORM,
                       HTTP_AUTHORIZATION=basic(app)).status_code == 401
    set_active(app, True)  # enabling again restores the client and its unexpired token
    assert grant(client, app).status_code == 200
    assert introspect(client, resource_server, token)["active"] is True


def test_a_disabled_clients_authorization_is_an_error_page_never_a_redirect(client: Client, citizen,  # noqa: ANN001
                                                                             make_client) -> None:
    app = make_client()
    sign_in(client, citizen)
    params, _verifier = auth_params(app)
    assert client.get(AUTHORIZE, params).status_code == 200  # the consent page while active
    set_active(app, False)
    response = client.get(AUTHORIZE, params)
    assert response.status_code == 400 and "Location" not in response
    page = response.content.decode()
    assert "invalid_request" in page and "client_id" in page  # oauthlib's InvalidClientIdError


def test_a_disabled_client_cannot_redeem_codes_refresh_or_use_its_tokens(client: Client, citizen,  # noqa: ANN001
                                                                          make_client) -> None:
    app = make_client()
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    tokens = exchange(client, app, code, verifier).json()
    code2, verifier2 = get_code(client, app)
    assert client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").status_code == 200
    set_active(app, False)
    redeemed = exchange(client, app, code2, verifier2)
    assert redeemed.status_code == 401 and redeemed.json()["error"] == "invalid_client"
    refreshed = client.post(TOKEN, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
                            HTTP_AUTHORIZATION=basic(app))
    assert refreshed.status_code == 401 and refreshed.json()["error"] == "invalid_client"
    userinfo = client.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert userinfo.status_code == 401
    assert client.get("/oidc/userinfo", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").status_code == 401


def test_a_platform_admin_disables_a_client_in_the_admin_form_and_it_is_audited(client: Client,  # noqa: ANN001
                                                                                 make_client) -> None:
    app = make_client(grant_type="client-credentials")
    assert grant(client, app).status_code == 200
    admin_client = Client()
    admin_client.force_login(testing.make_platform_admin())
    data = change_form(admin_client, app)
    assert data["relying_party-0-active"] == "on"
    del data["relying_party-0-active"]  # untick "active"
    data["_save"] = "Save"
    saved = admin_client.post(f"/kelola/oauth2_provider/application/{app.pk}/change/", data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert RelyingParty.objects.get(application=app).active is False
    assert grant(client, app).json()["error"] == "invalid_client"
    updated = AuditEvent.objects.get(action="oidc_client.updated", target_id=str(app.pk))
    assert "relying_party.active" in updated.details["changed"]
    assert AuditEvent.objects.filter(action="oidc_client.disabled", target_id=str(app.pk)).count() == 1
    listing = admin_client.get("/kelola/oauth2_provider/application/")
    assert listing.status_code == 200 and "icon-no" in listing.content.decode()


def test_the_disable_and_enable_actions_of_the_client_list(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    other = make_client(name="Lain", grant_type="client-credentials")
    admin_client = Client()
    admin_client.force_login(role_platform_admin())
    url = "/kelola/oauth2_provider/application/"
    posted = admin_client.post(url, {"action": "disable_clients", "_selected_action": [app.pk]})
    assert posted.status_code == 302
    assert grant(client, app).status_code == 401 and grant(client, other).status_code == 200
    assert AuditEvent.objects.filter(action="oidc_client.disabled", target_id=str(app.pk)).count() == 1
    admin_client.post(url, {"action": "disable_clients", "_selected_action": [app.pk]})  # already disabled
    assert AuditEvent.objects.filter(action="oidc_client.disabled").count() == 1
    admin_client.post(url, {"action": "enable_clients", "_selected_action": [app.pk]})
    assert grant(client, app).status_code == 200
    assert AuditEvent.objects.filter(action="oidc_client.enabled", target_id=str(app.pk)).count() == 1


def test_a_client_added_in_the_admin_is_audited_without_its_secret(make_client) -> None:  # noqa: ANN001
    admin_client = Client()
    admin_client.force_login(testing.make_platform_admin())
    page = admin_client.get("/kelola/oauth2_provider/application/add/")
    parser = _Form()
    parser.feed(page.content.decode())
    data = parser.data
    data.update({"name": "Sistem Antrean", "client_type": "confidential", "algorithm": "RS256",
                 "authorization_grant_type": "client-credentials", "redirect_uris": "", "_save": "Save"})
    secret = data["client_secret"]
    saved = admin_client.post("/kelola/oauth2_provider/application/add/", data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    app = Application.objects.get(name="Sistem Antrean")
    event = AuditEvent.objects.get(action="oidc_client.created", target_id=str(app.pk))
    assert event.details["client_id"] == app.client_id and "name" in event.details["changed"]
    assert secret not in str(event.details)


# --- delete -----------------------------------------------------------------------------------

@pytest.mark.parametrize("make_admin", [testing.make_platform_admin, role_platform_admin])
def test_a_platform_admin_deletes_a_client_with_its_tokens_and_it_takes_effect_at_once(
        client: Client, citizen, make_client, make_admin) -> None:  # noqa: ANN001
    app = make_client()
    resource_server = make_client(name="Gateway", grant_type="client-credentials", may_introspect=True)
    sign_in(client, citizen)
    code, verifier = get_code(client, app)
    tokens = exchange(client, app, code, verifier).json()
    get_code(client, app)  # an unredeemed code (grant) too
    assert introspect(client, resource_server, tokens["access_token"])["active"] is True
    assert Consent.objects.filter(application=app).exists() and Grant.objects.filter(application=app).exists()

    admin_client = Client()
    admin_client.force_login(make_admin())
    url = f"/kelola/oauth2_provider/application/{app.pk}/delete/"
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "permission" not in confirm.content.decode().lower()  # Django's "you have no permission to delete…"
    deleted = admin_client.post(url, {"post": "yes"})
    assert deleted.status_code == 302, deleted.content.decode()[:2000]

    assert not Application.objects.filter(pk=app.pk).exists()
    for model in (AccessToken, RefreshToken, Grant, Consent, RelyingParty):
        assert not model.objects.filter(application_id=app.pk).exists(), model
    assert introspect(client, resource_server, tokens["access_token"]) == {"active": False}
    refused = client.post(TOKEN, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
                          HTTP_AUTHORIZATION=basic(app))
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    event = AuditEvent.objects.get(action="oidc_client.deleted", target_id=str(app.pk))
    assert event.details["client_id"] == app.client_id
    assert event.details["access_tokens"] == 1 and event.details["refresh_tokens"] == 1
    assert event.details["grants"] == 1


def test_the_bulk_delete_action_deletes_and_audits_each_client(client: Client, make_client) -> None:  # noqa: ANN001
    apps = [make_client(name=f"Klien {i}", grant_type="client-credentials") for i in range(2)]
    for app in apps:
        assert grant(client, app).status_code == 200
    admin_client = Client()
    admin_client.force_login(role_platform_admin())
    posted = admin_client.post("/kelola/oauth2_provider/application/",
                               {"action": "delete_selected", "_selected_action": [a.pk for a in apps], "post": "yes"})
    assert posted.status_code == 302
    assert not Application.objects.filter(pk__in=[a.pk for a in apps]).exists()
    assert AuditEvent.objects.filter(action="oidc_client.deleted").count() == 2
    assert all(grant(client, app).status_code == 401 for app in apps)


def test_only_platform_admins_may_delete_or_disable(client: Client, agency, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    officer = testing.make_officer(agency=agency, roles=["agency_admin"], with_totp=True)
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    url = "/kelola/oauth2_provider/application/"
    assert client.post(f"{url}{app.pk}/delete/", {"post": "yes"}).status_code in (302, 403)
    client.post(url, {"action": "disable_clients", "_selected_action": [app.pk]})
    assert Application.objects.filter(pk=app.pk).exists()
    assert RelyingParty.objects.get(application=app).active is True
    assert not AuditEvent.objects.filter(action__startswith="oidc_client.").exists()


def test_the_actions_refuse_anyone_but_a_platform_admin(make_client, agency) -> None:  # noqa: ANN001
    from satupintu.core.errors import PermissionDenied
    from satupintu.identity import actions

    app = make_client()
    officer = testing.make_officer(agency=agency, roles=["agency_admin"], with_totp=True)
    with pytest.raises(PermissionDenied):
        actions.oidc_client_delete(application=app, acting=officer.as_principal())
    with pytest.raises(PermissionDenied):
        actions.oidc_client_set_active(application=app, active=False, acting=officer.as_principal())
    assert Application.objects.filter(pk=app.pk).exists()
    assert RelyingParty.objects.get(application=app).active is True
