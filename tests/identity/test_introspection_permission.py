"""Only a client a platform admin has allowed to ("may introspect tokens", ``RelyingParty.may_introspect``)
may introspect tokens with its own credentials at ``/o/introspect/`` (RFC 7662 §4, ADR 0135). Any other
authenticated client gets 403 ``unauthorized_client`` and learns nothing about the token it sent; a
bearer token with DOT's ``introspection`` scope introspects as before. Changes are audited."""

from __future__ import annotations

import importlib
import json
import time
import uuid
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from satupintu.audit.models import AuditEvent
from satupintu.core.errors import PermissionDenied
from satupintu.identity import actions, testing
from satupintu.identity.models import RelyingParty
from tests.identity.test_client_disable_delete import change_form, grant
from tests.identity.test_oidc import basic

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
INTROSPECT = "/o/introspect/"
REFUSED = {"error": "unauthorized_client", "error_description": "This client is not allowed to introspect tokens."}


@pytest.fixture(autouse=True)
def _long_ttl(settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_OIDC_CLIENT_CACHE_SECONDS = 3600  # only the cache invalidation can make a change visible


def token_of(client: Client, app: Any) -> str:
    response = grant(client, app)
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def introspect(client: Client, caller: Any, token: str) -> Any:
    return client.post(INTROSPECT, f"token={token}", content_type=FORM, HTTP_AUTHORIZATION=basic(caller))


def introspect_with_assertion(client: Client, caller: Any, key: Any, token: str,
                              aud: str = "http://testserver/o/token/") -> Any:
    """Introspect ``token`` as ``caller``, authenticated by a ``private_key_jwt`` assertion
    (RFC 7523) signed with ``key`` (kid ``k1``) for audience ``aud``."""
    from jwcrypto import jwt

    now = int(time.time())
    assertion = jwt.JWT(header={"alg": "ES256", "kid": "k1"}, claims={
        "iss": caller.client_id, "sub": caller.client_id, "aud": aud,
        "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())})
    assertion.make_signed_token(key)
    return client.post(INTROSPECT, {
        "token": token, "client_id": caller.client_id,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion.serialize()})


def test_a_client_without_the_permission_is_refused_and_learns_nothing(client: Client, make_client) -> None:  # noqa: ANN001
    issuer = make_client(name="Sistem Bansos", grant_type="client-credentials", allowed_scopes="openid")
    scanner = make_client(name="Aplikasi lain", grant_type="client-credentials")
    token = token_of(client, issuer)
    with CaptureQueriesContext(connection) as queries:
        real = introspect(client, scanner, token)
    unknown = introspect(client, scanner, "bukan-token-siapa-pun")
    for response in (real, unknown):
        assert response.status_code == 403, response.content
        assert response.json() == REFUSED  # no active, scope, client_id or exp
        assert response["Content-Type"] == "application/json"
        assert response["Cache-Control"] == "no-store"
    assert real.content == unknown.content  # the same answer for a live token and for nothing
    # The token is not even looked up (no timing difference either).
    assert not [q for q in queries.captured_queries if "oauth2_provider_accesstoken" in q["sql"]]
    # client_secret_post (credentials in the body) is the same client, and refused the same way.
    posted = client.post(INTROSPECT, {"token": token, "client_id": scanner.client_id,
                                      "client_secret": scanner.raw_secret})
    assert posted.status_code == 403 and posted.json() == REFUSED


def test_a_client_without_relying_party_settings_is_refused(client: Client, make_client) -> None:  # noqa: ANN001
    issuer = make_client(grant_type="client-credentials", allowed_scopes="openid")
    bare = Application.objects.create(name="Tanpa setelan", client_type="confidential",
                                      authorization_grant_type="client-credentials",
                                      client_secret="client-secret-for-tests-0123456789")
    bare.raw_secret = "client-secret-for-tests-0123456789"  # type: ignore[attr-defined]
    response = introspect(client, bare, token_of(client, issuer))
    assert response.status_code == 403 and response.json() == REFUSED


def test_a_private_key_jwt_client_without_the_permission_is_refused(client: Client, make_client) -> None:  # noqa: ANN001
    from jwcrypto import jwk

    issuer = make_client(grant_type="client-credentials", allowed_scopes="openid")
    token = token_of(client, issuer)
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="k1")
    caller = make_client(name="Server API", grant_type="client-credentials", allowed_scopes="openid")
    caller.relying_party.jwks = {"keys": [json.loads(key.export_public())]}
    caller.relying_party.save()

    def post() -> Any:
        return introspect_with_assertion(client, caller, key, token)

    refused = post()
    assert refused.status_code == 403 and refused.json() == REFUSED
    actions.oidc_client_set_may_introspect(application=caller, allowed=True, acting=testing.make_platform_admin()
                                           .as_principal())
    allowed = post()
    assert allowed.status_code == 200 and allowed.json()["active"] is True


def test_a_resource_server_with_the_permission_introspects(client: Client, make_client) -> None:  # noqa: ANN001
    issuer = make_client(name="Sistem Bansos", grant_type="client-credentials", allowed_scopes="openid")
    gateway = make_client(name="Gateway", grant_type="client-credentials", may_introspect=True)
    token = token_of(client, issuer)
    response = introspect(client, gateway, token)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["active"] is True and data["client_id"] == issuer.client_id and data["scope"] == "openid"
    assert isinstance(data["exp"], int)
    assert introspect(client, gateway, "bukan-token-siapa-pun").json() == {"active": False}


def test_the_permission_takes_effect_on_the_next_request_both_ways(client: Client, make_client) -> None:  # noqa: ANN001
    issuer = make_client(grant_type="client-credentials", allowed_scopes="openid")
    server = make_client(name="Server API", grant_type="client-credentials")
    token = token_of(client, issuer)
    assert introspect(client, server, token).status_code == 403  # its client row is in the cache now
    acting = testing.make_platform_admin().as_principal()
    assert actions.oidc_client_set_may_introspect(application=server, allowed=True, acting=acting) is True
    assert introspect(client, server, token).json()["active"] is True
    assert actions.oidc_client_set_may_introspect(application=server, allowed=True, acting=acting) is False
    assert actions.oidc_client_set_may_introspect(application=server, allowed=False, acting=acting) is True
    assert introspect(client, server, token).json() == REFUSED
    events = list(AuditEvent.objects.filter(target_id=str(server.pk)).order_by("seq").values_list("action", flat=True))
    assert events == ["oidc_client.introspection_allowed", "oidc_client.introspection_revoked"]


def test_only_a_platform_admin_may_change_the_permission(make_client, agency) -> None:  # noqa: ANN001
    server = make_client(name="Server API", grant_type="client-credentials")
    officer = testing.make_officer(agency=agency, roles=["agency_admin"])
    with pytest.raises(PermissionDenied):
        actions.oidc_client_set_may_introspect(application=server, allowed=True, acting=officer.as_principal())
    assert RelyingParty.objects.get(application=server).may_introspect is False
    assert not AuditEvent.objects.filter(action__startswith="oidc_client.introspection").exists()


def test_a_bearer_token_with_the_introspection_scope_still_introspects(client: Client, make_client) -> None:  # noqa: ANN001
    """DOT's other way in: ``Authorization: Bearer`` with a token holding the ``introspection`` scope
    (not offered at the token endpoint; an operator mints it). Its client's own credentials are refused."""
    issuer = make_client(grant_type="client-credentials", allowed_scopes="openid")
    holder = make_client(name="Pemantau", grant_type="client-credentials")
    token = token_of(client, issuer)
    AccessToken.objects.create(application=holder, token="token-pemantau-introspection-0123456789",  # noqa: S106
                               scope="introspection", expires=timezone.now() + timezone.timedelta(minutes=5))
    assert introspect(client, holder, token).json() == REFUSED
    response = client.post(INTROSPECT, f"token={token}", content_type=FORM,
                           HTTP_AUTHORIZATION="Bearer token-pemantau-introspection-0123456789")
    assert response.status_code == 200 and response.json()["active"] is True


def test_a_platform_admin_ticks_may_introspect_in_the_client_form_and_it_is_audited(client: Client,  # noqa: ANN001
                                                                                     make_client) -> None:
    issuer = make_client(grant_type="client-credentials", allowed_scopes="openid")
    server = make_client(name="Gateway", grant_type="client-credentials")
    token = token_of(client, issuer)
    admin_client = Client()
    admin_client.force_login(testing.make_platform_admin())
    url = f"/kelola/oauth2_provider/application/{server.pk}/change/"
    data = change_form(admin_client, server)
    assert "relying_party-0-may_introspect" not in data  # shown, unticked
    data["relying_party-0-may_introspect"] = "on"
    data["_save"] = "Save"
    saved = admin_client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert introspect(client, server, token).json()["active"] is True
    updated = AuditEvent.objects.get(action="oidc_client.updated", target_id=str(server.pk))
    assert "relying_party.may_introspect" in updated.details["changed"]
    allowed = AuditEvent.objects.get(action="oidc_client.introspection_allowed", target_id=str(server.pk))
    assert allowed.details == {"client_id": server.client_id}
    data = change_form(admin_client, server)
    assert data.pop("relying_party-0-may_introspect") == "on"  # untick it again
    data["_save"] = "Save"
    assert admin_client.post(url, data).status_code == 302
    assert introspect(client, server, token).json() == REFUSED
    assert AuditEvent.objects.filter(action="oidc_client.introspection_revoked", target_id=str(server.pk)).count() == 1
    listing = admin_client.get("/kelola/oauth2_provider/application/").content.decode()
    assert "column-client_may_introspect" in listing


def test_the_upgrade_migration_keeps_the_gateways_introspection_client_allowed(settings, make_client) -> None:  # noqa: ANN001
    """The data migration (ADR 0135): the client named by SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID
    and the platform's own ``satupintu-gateway`` keep introspecting (relying-party settings created
    if missing); every other client is off."""
    migration = importlib.import_module("satupintu.identity.migrations.0009_relyingparty_may_introspect")
    settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID = "gerbang-produksi"
    configured = Application.objects.create(name="Gerbang", client_id="gerbang-produksi", client_type="confidential",
                                            authorization_grant_type="client-credentials")
    platform = Application.objects.create(name="satupintu gateway", client_id="satupintu-gateway",
                                          client_type="confidential", authorization_grant_type="client-credentials")
    other = make_client(grant_type="client-credentials")
    migration.allow_gateway(django_apps, connection.schema_editor)
    assert RelyingParty.objects.get(application=configured).may_introspect is True
    platform_party = RelyingParty.objects.get(application=platform)
    assert platform_party.may_introspect is True and platform_party.active is True
    assert platform_party.allowed_scopes == "openid profile email" and not platform_party.allow_nik  # the defaults
    assert RelyingParty.objects.get(application=other).may_introspect is False


def test_a_private_key_jwt_assertion_may_name_the_introspection_endpoint_as_its_audience(
        client: Client, make_client) -> None:  # noqa: ANN001
    """RFC 7523 §3: the audience identifies the authorization server; the endpoint the assertion is
    sent to is one such identifier (OIDC Core §9 names the token endpoint; for introspection the
    introspection endpoint's URL is what a client naturally puts there). Another endpoint is not."""
    from jwcrypto import jwk

    issuer = make_client(grant_type="client-credentials", allowed_scopes="openid")
    token = token_of(client, issuer)
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="k1")
    caller = make_client(name="Gateway", grant_type="client-credentials", may_introspect=True)
    caller.relying_party.jwks = {"keys": [json.loads(key.export_public())]}
    caller.relying_party.save()

    def post(aud: str) -> Any:
        return introspect_with_assertion(client, caller, key, token, aud=aud)

    allowed = post("http://testserver/o/introspect/")
    assert allowed.status_code == 200, allowed.content
    assert allowed.json()["active"] is True
    assert post("http://testserver/o/userinfo/").status_code == 401
    assert post("/o/introspect/").status_code == 401  # a relative reference names no server
