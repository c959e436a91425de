"""Bearer tokens checked by RFC 7662 introspection at the platform's own OAuth provider
(django-oauth-toolkit ``/o/introspect/``, served by the live server): the client subsystem gets a
real client-credentials token from ``/o/token/`` and the gateway introspects it with its own
resource-server credentials. Only an introspection endpoint that is down is outside the machine."""

from __future__ import annotations

import httpx
import pytest
from django.core.cache import cache

from tests.exchange.conftest import CLIENT_ID, SERVICE_PATH, Directory, oauth_client

pytestmark = pytest.mark.django_db(transaction=True)


def _get(live_server, token: str) -> httpx.Response:  # noqa: ANN001
    return httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/1",
                     headers={"X-Road-Client": CLIENT_ID, "Authorization": f"Bearer {token}"})


def test_active_token_of_the_bound_client_is_accepted_and_cached(directory: Directory, live_server,
                                                                  provider_introspection) -> None:  # noqa: ANN001
    token = oauth_client(directory.client.oauth_client_id).token(live_server.url)
    assert _get(live_server, token).status_code == 200
    assert _get(live_server, token).status_code == 200
    assert len(provider_introspection) == 1  # the second call used the cached introspection result


@pytest.mark.parametrize("case", ["other-client", "revoked", "unknown"])
def test_token_not_bound_to_the_subsystem_is_401(directory: Directory, live_server, provider_introspection,
                                                 case: str) -> None:  # noqa: ANN001
    bound = oauth_client(directory.client.oauth_client_id)
    if case == "other-client":
        token = oauth_client("someone-else").token(live_server.url)
    elif case == "revoked":
        token = bound.token(live_server.url)
        bound.revoke(live_server.url, token)
    else:
        token = "unknown-token"  # noqa: S105
    response = _get(live_server, token)
    assert response.status_code == 401
    assert response.headers["X-Road-Error"] == "Server.ClientProxy.AuthenticationFailed"
    assert len(provider_introspection) == 1


def test_a_revoked_token_is_refused_at_once_despite_the_introspection_cache(directory: Directory, live_server,
                                                                            provider_introspection) -> None:  # noqa: ANN001
    client = oauth_client(directory.client.oauth_client_id)
    token = client.token(live_server.url)
    assert _get(live_server, token).status_code == 200
    assert _get(live_server, token).status_code == 200
    assert len(provider_introspection) == 1  # cached
    client.revoke(live_server.url, token)  # RFC 7009 at the platform's provider
    response = _get(live_server, token)
    assert response.status_code == 401, response.text
    assert len(provider_introspection) == 2  # the cached "active" answer was dropped, so it asked again


def test_a_disabled_clients_token_is_refused_at_once_despite_the_introspection_cache(
        directory: Directory, live_server, provider_introspection) -> None:  # noqa: ANN001
    from oauth2_provider.models import Application

    from satupintu.core.principal import Principal
    from satupintu.identity.actions import oidc_client_set_active

    token = oauth_client(directory.client.oauth_client_id).token(live_server.url)
    assert _get(live_server, token).status_code == 200
    assert len(provider_introspection) == 1
    application = Application.objects.get(client_id=directory.client.oauth_client_id)
    assert oidc_client_set_active(application=application, active=False, acting=Principal.platform())
    response = _get(live_server, token)
    assert response.status_code == 401, response.text
    assert len(provider_introspection) == 2  # asked again: the provider now says inactive


def test_wrong_gateway_credentials_make_introspection_fail_closed(directory: Directory, live_server,
                                                                  provider_introspection, settings) -> None:  # noqa: ANN001
    token = oauth_client(directory.client.oauth_client_id).token(live_server.url)
    settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET = "wrong"  # noqa: S105
    response = _get(live_server, token)
    assert response.status_code == 503
    assert response.headers["X-Road-Error"] == "Server.ClientProxy.TokenIntrospectionFailed"


def test_introspection_endpoint_down_fails_closed(directory: Directory, live_server,
                                                  provider_introspection, settings) -> None:  # noqa: ANN001
    token = oauth_client(directory.client.oauth_client_id).token(live_server.url)
    settings.SATUPINTU_EXCHANGE_INTROSPECTION_URL = "http://127.0.0.1:9/o/introspect/"
    cache.clear()
    response = _get(live_server, token)
    assert response.status_code == 503
    assert response.headers["X-Road-Error"] == "Server.ClientProxy.TokenIntrospectionFailed"


def test_a_gateway_client_that_may_not_introspect_fails_closed_and_the_log_says_why(
        directory: Directory, live_server, provider_introspection, caplog) -> None:  # noqa: ANN001
    """ADR 0135: the provider refuses introspection (403) to a client without "may introspect tokens";
    the gateway then accepts no bearer token (503) and logs which client needs the permission."""
    from satupintu.identity.models import RelyingParty
    from tests.exchange.conftest import GATEWAY_CREDENTIALS

    token = oauth_client(directory.client.oauth_client_id).token(live_server.url)
    party = RelyingParty.objects.get(application__client_id=GATEWAY_CREDENTIALS[0])
    party.may_introspect = False
    party.save()
    response = _get(live_server, token)
    assert response.status_code == 503
    assert response.headers["X-Road-Error"] == "Server.ClientProxy.TokenIntrospectionFailed"
    assert any(f"{GATEWAY_CREDENTIALS[0]!r} may not introspect tokens" in r.getMessage() and r.levelname == "ERROR"
               for r in caplog.records)
