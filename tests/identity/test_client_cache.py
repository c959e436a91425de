"""The OIDC client cache (ADR 0111): the token endpoint reads a client once per process, and a changed
secret, grant type, relying party or a deleted client takes effect on the very next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oauth2_provider.models import Application

from satupintu.identity.models import RelyingParty
from satupintu.identity.oidc import clients
from tests.identity.test_oidc import TOKEN, basic

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def _long_ttl(settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_OIDC_CLIENT_CACHE_SECONDS = 3600  # entries never expire during a test


def _grant(client: Client, app, secret: str | None = None, scope: str = "") -> tuple[int, dict]:  # noqa: ANN001
    body = "grant_type=client_credentials" + (f"&scope={scope}" if scope else "")
    response = client.post(TOKEN, body, content_type=FORM, HTTP_AUTHORIZATION=basic(app, secret))
    return response.status_code, response.json()


def _client_tables(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries
            if "oauth2_provider_application" in q["sql"] or "identity_relyingparty" in q["sql"]]


def test_second_grant_reads_neither_application_nor_relying_party(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    assert _grant(client, app)[0] == 200
    with CaptureQueriesContext(connection) as queries:
        assert _grant(client, app)[0] == 200
    assert _client_tables(queries) == []


def test_changed_secret_takes_effect_on_the_next_request(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    assert _grant(client, app)[0] == 200
    app.client_secret = "rahasia-baru-yang-juga-panjang-sekali-9876543210"
    app.save()
    status, body = _grant(client, app)  # the old secret
    assert status == 401 and body["error"] == "invalid_client"
    assert _grant(client, app, secret="rahasia-baru-yang-juga-panjang-sekali-9876543210")[0] == 200


def test_deleted_client_is_refused_on_the_next_request(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    assert _grant(client, app)[0] == 200
    Application.objects.filter(pk=app.pk).delete()  # QuerySet.delete sends post_delete too
    status, body = _grant(client, app)
    assert status == 401 and body["error"] == "invalid_client"


def test_client_without_the_grant_type_is_refused_on_the_next_request(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    assert _grant(client, app)[0] == 200
    app.authorization_grant_type = "authorization-code"
    app.save()
    status, body = _grant(client, app)
    assert status == 400 and body["error"] == "unauthorized_client"


def test_narrowed_relying_party_scopes_take_effect_on_the_next_request(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials", allowed_scopes="openid profile email")
    assert _grant(client, app, scope="email")[0] == 200
    rp = RelyingParty.objects.get(application=app)
    rp.allowed_scopes = "openid profile"
    rp.save()
    status, body = _grant(client, app, scope="email")
    assert status == 400 and body["error"] == "invalid_scope"


def test_a_change_published_by_another_process_is_seen_on_the_next_request(client: Client,
                                                                           make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    assert _grant(client, app)[0] == 200
    # A write that sends no signal in this process (another process's save, or a bulk update) ...
    Application.objects.filter(pk=app.pk).update(authorization_grant_type="authorization-code")
    assert _grant(client, app)[0] == 200  # ... is not seen while the shared version stands
    clients.CACHE.publish()  # what the other process's post_save does to the shared version
    status, body = _grant(client, app)
    assert status == 400 and body["error"] == "unauthorized_client"


def test_a_process_started_after_a_change_reads_the_database(client: Client, make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    assert _grant(client, app)[0] == 200
    RelyingParty.objects.filter(application=app).update(allowed_scopes="openid")
    clients.CACHE.forget_local()  # this "process" has no entries yet; the shared cache is as before
    status, body = _grant(client, app, scope="profile")
    assert status == 400 and body["error"] == "invalid_scope"


def test_cache_off_reads_the_client_for_every_request(client: Client, make_client, settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_OIDC_CLIENT_CACHE_SECONDS = 0
    app = make_client(grant_type="client-credentials")
    assert _grant(client, app)[0] == 200
    Application.objects.filter(pk=app.pk).update(authorization_grant_type="authorization-code")
    assert _grant(client, app)[0] == 400


def test_each_lookup_gets_its_own_copy_with_the_relying_party_attached(make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials", allowed_scopes="openid profile")
    first = clients.client_by_id(app.client_id)
    first.name = "changed by one request"
    first.relying_party.allowed_scopes = "openid profile email nik"
    with CaptureQueriesContext(connection) as queries:
        second = clients.client_by_id(app.client_id)
        assert second.relying_party.allowed_scopes == "openid profile"
        assert second.relying_party.application is second
    assert second is not first and second.name == app.name
    assert queries.captured_queries == []


def test_client_without_relying_party_keeps_djangos_does_not_exist(make_client) -> None:  # noqa: ANN001
    app = make_client(grant_type="client-credentials")
    RelyingParty.objects.filter(application=app).delete()
    found = clients.client_by_id(app.client_id)
    with pytest.raises(RelyingParty.DoesNotExist):
        found.relying_party  # noqa: B018


def test_unknown_client_id_is_not_cached(make_client) -> None:  # noqa: ANN001
    make_client(grant_type="client-credentials")
    assert clients.client_by_id("belum-ada") is None
    # bulk_create sends no post_save, so only an uncached miss lets the next lookup find the client.
    late, = Application.objects.bulk_create([Application(
        name="late", client_id="belum-ada", client_type="confidential",
        authorization_grant_type="client-credentials", client_secret="x" * 40)])
    found = clients.client_by_id("belum-ada")
    assert found is not None and found.name == "late"
