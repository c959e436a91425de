"""Bearer tokens checked by RFC 7662 introspection.

The introspection endpoint here is a small RFC 7662 server on 127.0.0.1 started by the test.
After the identity branch (django-oauth-toolkit, ``/o/introspect/``) is merged, re-point this
test at the platform's own provider (issue a client-credentials token, introspect it there).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from django.core.cache import cache

from tests.exchange import servers
from tests.exchange.conftest import CLIENT_ID, SERVICE_PATH, Directory

pytestmark = pytest.mark.django_db(transaction=True)

GATEWAY_CREDENTIALS = ("exchange-gateway", "gateway-secret-for-tests")


@pytest.fixture
def introspection(settings) -> Iterator[servers.Introspection]:  # noqa: ANN001
    tokens = {
        "good-token": {"active": True, "client_id": "kemensos-bansos", "exp": int(time.time()) + 300},
        "other-client-token": {"active": True, "client_id": "someone-else"},
        "revoked-token": {"active": False},
    }
    server = servers.introspection(GATEWAY_CREDENTIALS, tokens)
    with servers.running(server) as url:
        settings.SATUPINTU_EXCHANGE_INTROSPECTION_URL = f"{url}/o/introspect/"
        settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID = GATEWAY_CREDENTIALS[0]
        settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET = GATEWAY_CREDENTIALS[1]
        cache.clear()
        yield server
        cache.clear()


def _get(live_server, token: str) -> httpx.Response:  # noqa: ANN001
    return httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/1",
                     headers={"X-Road-Client": CLIENT_ID, "Authorization": f"Bearer {token}"})


def test_active_token_of_the_bound_client_is_accepted_and_cached(directory: Directory, live_server,
                                                                  introspection) -> None:  # noqa: ANN001
    assert _get(live_server, "good-token").status_code == 200
    assert _get(live_server, "good-token").status_code == 200
    assert introspection.calls == 1  # the second call used the cached introspection result


@pytest.mark.parametrize("token", ["other-client-token", "revoked-token", "unknown-token"])
def test_token_not_bound_to_the_subsystem_is_401(directory: Directory, live_server, introspection,
                                                 token: str) -> None:  # noqa: ANN001
    response = _get(live_server, token)
    assert response.status_code == 401
    assert response.headers["X-Road-Error"] == "Server.ClientProxy.AuthenticationFailed"


def test_wrong_gateway_credentials_make_introspection_fail_closed(directory: Directory, live_server,
                                                                  introspection, settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_SECRET = "wrong"
    response = _get(live_server, "good-token")
    assert response.status_code == 503
    assert response.headers["X-Road-Error"] == "Server.ClientProxy.TokenIntrospectionFailed"
