"""Where the gateway may forward to (ADR 0134): the backend URL's addresses are checked when a
service is saved and when the gateway loads the route; loopback is refused in production."""

from __future__ import annotations

import httpx
import pytest
from django.core.exceptions import ValidationError

from satupintu.audit.models import AuditEvent
from satupintu.exchange import directory as exchange_directory
from satupintu.exchange.actions import directory_save
from satupintu.exchange.egress import refusal
from satupintu.exchange.models import MessageLog, Service
from tests.exchange.conftest import SERVICE_PATH, Directory, client_headers
from tests.exchange.test_directory import PLATFORM

PRODUCTION_DENIED = ["0.0.0.0/8", "::/128", "169.254.0.0/16", "fe80::/10", "127.0.0.0/8", "::1/128"]


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/",   # cloud metadata (link-local)
    "http://[::ffff:169.254.169.254]/",           # the same, IPv4-mapped IPv6
    "http://[fe80::1]:8080/",
    "http://0.0.0.0:6379/",
    "http://100.100.100.200/latest/meta-data/",   # Alibaba Cloud metadata (shared address space)
    "http://168.63.129.16/machine?comp=goalstate",  # Azure WireServer
    "http://[fd00:ec2::254]/latest/meta-data/",   # AWS instance metadata over IPv6
])
def test_saving_a_service_that_points_at_a_reserved_address_is_a_field_error(directory: Directory, url: str) -> None:
    with pytest.raises(ValidationError) as info:
        directory_save(obj=Service(provider=directory.provider, service_code="metadata", backend_url=url),
                       acting=PLATFORM)
    assert list(info.value.message_dict) == ["backend_url"]
    assert "Gateway tidak boleh meneruskan ke" in info.value.message_dict["backend_url"][0]  # Indonesian by default
    assert not Service.objects.filter(service_code="metadata").exists()
    assert not AuditEvent.objects.exists()


def test_loopback_is_refused_where_it_is_denied_and_allowed_by_an_allow_list(settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_EXCHANGE_BACKEND_DENIED_NETWORKS = PRODUCTION_DENIED
    for url in ("http://127.0.0.1:5432/", "http://localhost:6379/", "http://LOCALHOST./", "http://[::1]/",
                "http://[::ffff:127.0.0.1]/", "http://api.localhost/"):
        assert refusal(url) is not None, url
    assert refusal("http://10.20.30.40:8080/") is None  # private networks: agencies' backends
    settings.SATUPINTU_EXCHANGE_BACKEND_ALLOWED_NETWORKS = ["10.20.0.0/16", "127.0.0.1/32"]
    assert refusal("http://127.0.0.1:8000/") is None  # the allow-list alone decides
    assert refusal("http://10.20.30.40/") is None
    assert refusal("http://10.99.0.1/") is not None
    assert refusal("http://192.168.1.1/") is not None


def test_an_unresolvable_name_is_accepted_on_save_but_refused_when_the_gateway_loads_it() -> None:
    url = "http://siak.invalid/"  # RFC 6761: .invalid never resolves
    assert refusal(url, unresolvable_ok=True) is None
    assert "siak.invalid" in (refusal(url) or "")


@pytest.mark.django_db(transaction=True)
def test_the_gateway_does_not_call_a_backend_whose_address_is_denied(directory: Directory, live_server, backend,
                                                                    settings) -> None:  # noqa: ANN001
    # The service was saved while loopback was allowed (development); the deployment now denies it.
    settings.SATUPINTU_EXCHANGE_BACKEND_DENIED_NETWORKS = PRODUCTION_DENIED
    exchange_directory.invalidate()
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/3174012345670001",
                         headers=client_headers(directory))
    assert response.status_code == 502
    assert response.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.AddressNotAllowed"
    assert "127.0.0.1" not in response.text  # the resolved address is for the gateway's log, not the caller
    assert backend.hits == []
    assert MessageLog.objects.get().status == 502  # refused messages are logged like delivered ones
    settings.SATUPINTU_EXCHANGE_BACKEND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    exchange_directory.invalidate()
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/3174012345670001",
                         headers=client_headers(directory))
    assert response.status_code == 200
    assert len(backend.hits) == 1


@pytest.mark.django_db(transaction=True)
def test_the_address_is_checked_again_when_a_connection_is_opened(directory: Directory, live_server, backend,
                                                                   settings) -> None:  # noqa: ANN001
    """DNS rebinding: the route (and its address check) is cached, but the name may resolve to
    another address by the time the gateway connects. The connection pool checks the address it
    actually connects to (ADR 0134 addendum)."""
    from satupintu.exchange.gateway import reset_backend_client

    url = f"{live_server.url}{SERVICE_PATH}/persons/3174012345670001"
    assert httpx.get(url, headers=client_headers(directory)).status_code == 200  # route checked and cached
    settings.SATUPINTU_EXCHANGE_BACKEND_DENIED_NETWORKS = PRODUCTION_DENIED  # "the name now points elsewhere"
    reset_backend_client()  # no kept-alive connection: the next message opens one (the directory cache stays)
    response = httpx.get(url, headers=client_headers(directory))
    assert response.status_code == 502, response.text
    assert response.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.AddressNotAllowed"
    assert "127.0.0.1" not in response.text
    assert len(backend.hits) == 1  # the second message never reached the backend
    assert list(MessageLog.objects.order_by("seq").values_list("status", flat=True)) == [200, 502]


def test_the_network_backend_refuses_a_name_with_any_denied_address(settings) -> None:  # noqa: ANN001
    import httpcore

    from satupintu.exchange.egress import AddressNotAllowed, CheckedNetworkBackend

    settings.SATUPINTU_EXCHANGE_BACKEND_DENIED_NETWORKS = PRODUCTION_DENIED
    with pytest.raises(AddressNotAllowed, match="localhost resolves to"):
        CheckedNetworkBackend().connect_tcp("localhost", 9)
    with pytest.raises(httpcore.ConnectError) as info:
        CheckedNetworkBackend().connect_tcp("siak.invalid", 80)
    assert not isinstance(info.value, AddressNotAllowed)
