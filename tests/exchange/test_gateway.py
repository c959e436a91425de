"""The gateway end to end: a real provider on 127.0.0.1, the gateway in the live server."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
from urllib.parse import urlsplit

import httpx
import pytest

from satupintu.exchange import keys
from satupintu.exchange.messagelog import verify
from satupintu.exchange.models import MessageLog
from tests.exchange.conftest import CLIENT_ID, INSTANCE, SERVICE_PATH, Directory, client_headers

pytestmark = pytest.mark.django_db(transaction=True)


def raw_get(base: str, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """Send ``target`` byte for byte (no client-side normalisation of dots or escapes)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    conn.putrequest("GET", target, skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_allowed_call_reaches_the_provider_and_is_logged_and_signed(directory: Directory, live_server,
                                                                    backend) -> None:  # noqa: ANN001
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/3174012345670001?x=1",
                         headers=client_headers(directory, **{"X-Road-Issue": "TICKET-7",
                                                              "Authorization": "Bearer secret-not-forwarded"}))
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "/persons/3174012345670001?x=1"
    assert response.json()["client"] == CLIENT_ID
    assert response.json()["authorization"] is None  # the client's credential never reaches the provider
    assert "set-cookie" not in response.headers
    request_id = response.headers["X-Road-Request-Id"]
    assert len(base64.b64decode(response.headers["X-Road-Request-Hash"])) == 64  # SHA-512
    hit = backend.hits[-1]
    assert hit["headers"]["X-Road-Id"] == request_id
    assert hit["headers"]["X-Road-Issue"] == "TICKET-7"
    entry = MessageLog.objects.get(request_id=request_id)
    assert (entry.client, entry.status, entry.method, entry.issue) == (CLIENT_ID, 200, "GET", "TICKET-7")
    assert entry.service == f"{INSTANCE}/GOV/DUKCAPIL/kependudukan/penduduk"
    assert entry.response_sha256 == hashlib.sha256(response.content).hexdigest()
    assert entry.response_body is None  # the service does not store bodies
    result = verify(MessageLog.objects.order_by("seq"), keys.signing_key())
    assert result.ok, result.problems


@pytest.mark.parametrize("header", ["Information-Mediator-Client", "X-GovStack-Client"])
def test_provider_learns_only_the_authenticated_client_whatever_other_client_headers_say(
        directory: Directory, live_server, backend, header: str) -> None:  # noqa: ANN001
    """A provider may read the caller from any of the client headers (the Registration API reads
    ``Information-Mediator-Client`` first, from the gateway's addresses): a client must not be able
    to name another subsystem there while authenticating as itself in ``X-Road-Client``."""
    other = f"{INSTANCE}/GOV/DUKCAPIL/kependudukan"
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/1",
                         headers=client_headers(directory, **{header: other}))
    assert response.status_code == 200, response.text
    seen = {name.lower(): value for name, value in backend.hits[-1]["headers"].items()}
    assert seen["x-road-client"] == CLIENT_ID
    assert seen["information-mediator-client"] == CLIENT_ID
    assert "x-govstack-client" not in seen


def test_route_aliases_and_client_header_names(directory: Directory, live_server) -> None:  # noqa: ANN001
    alias = SERVICE_PATH.removeprefix("/r1")
    for header in ("X-GovStack-Client", "Information-Mediator-Client"):
        headers = {header: CLIENT_ID, "X-SSL-Client-Cert": directory.cert_header}
        response = httpx.get(f"{live_server.url}{alias}/persons/1", headers=headers)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("headers", "status", "error"),
    [
        ({"X-Road-Client": CLIENT_ID}, 401, "Server.ClientProxy.AuthenticationFailed"),  # no credential
        ({"X-Road-Client": f"{INSTANCE}/GOV/NOBODY/x"}, 401, "Server.ClientProxy.AuthenticationFailed"),
        ({}, 400, "Client.BadRequest"),
        ({"X-Road-Client": "not-an-id"}, 400, "Client.BadRequest"),
    ],
)
def test_unknown_or_unproven_client_is_refused(directory: Directory, live_server, headers, status,
                                               error) -> None:  # noqa: ANN001
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/1", headers=headers)
    assert response.status_code == status
    assert response.headers["X-Road-Error"] == error
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status
    assert MessageLog.objects.get(request_id=response.headers["X-Road-Request-Id"]).status == status


def test_certificate_of_another_subsystem_does_not_authenticate(directory: Directory, live_server) -> None:  # noqa: ANN001
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/1",
                         headers={"X-Road-Client": CLIENT_ID, "X-SSL-Client-Cert": directory.other_cert_header})
    assert response.status_code == 401


def test_certificate_header_from_an_untrusted_address_is_ignored(directory: Directory, live_server,
                                                                settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_EXCHANGE_TRUSTED_PROXIES = ["10.0.0.1"]
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/1", headers=client_headers(directory))
    assert response.status_code == 401


def test_unknown_service_is_404(directory: Directory, live_server) -> None:  # noqa: ANN001
    response = httpx.get(f"{live_server.url}/r1/{INSTANCE}/GOV/DUKCAPIL/kependudukan/nothing/x",
                         headers=client_headers(directory))
    assert response.status_code == 404
    assert response.headers["X-Road-Error"] == "Server.ServerProxy.UnknownService"


def test_no_right_is_403_and_provider_not_called(directory: Directory, live_server, backend) -> None:  # noqa: ANN001
    directory.right.delete()
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/1", headers=client_headers(directory))
    assert response.status_code == 403
    assert response.headers["X-Road-Error"] == "Server.ServerProxy.AccessDenied"
    assert backend.hits == []


def test_method_outside_the_right_is_403(directory: Directory, live_server) -> None:  # noqa: ANN001
    response = httpx.delete(f"{live_server.url}{SERVICE_PATH}/persons/1", headers=client_headers(directory))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "target",
    [
        "/persons/%2e%2e/admin",
        "/persons/%2E%2E/admin",
        "/persons/..;/admin",
        "/persons/../admin",
        "/persons/%252e%252e/admin",
        "/persons%2F..%2Fadmin",
        "/persons/.%2e/admin",
        "//admin",
        "/public/..//admin",
        "/personsX",
    ],
)
def test_path_tricks_cannot_reach_an_uncovered_path(directory: Directory, live_server, backend,
                                                    target: str) -> None:  # noqa: ANN001
    status, headers, _body = raw_get(live_server.url, SERVICE_PATH + target, client_headers(directory))
    assert status == 403, target
    assert headers["x-road-error"] == "Server.ServerProxy.AccessDenied"
    assert backend.hits == []


def test_covered_path_is_forwarded_normalised(directory: Directory, live_server, backend) -> None:  # noqa: ANN001
    status, _headers, body = raw_get(live_server.url, SERVICE_PATH + "/admin/%2e%2e/persons//7",
                                     client_headers(directory))
    assert status == 200
    assert backend.hits[-1]["path"] == "/persons/7"  # the provider sees exactly the path that was checked


def test_provider_down_is_502(directory: Directory, live_server) -> None:  # noqa: ANN001
    directory.service.backend_url = "http://127.0.0.1:9"  # discard port: nothing listens
    directory.service.save()
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/1", headers=client_headers(directory))
    assert response.status_code == 502
    assert response.headers["X-Road-Error"] == "Server.ServerProxy.NetworkError"


def test_idempotent_call_is_resent_when_the_provider_drops_a_reused_connection(
        directory: Directory, live_server, backend) -> None:  # noqa: ANN001
    backend.drop_reused = True
    url = f"{live_server.url}{SERVICE_PATH}/persons/3174012345670001"
    assert httpx.get(url, headers=client_headers(directory)).status_code == 200  # opens the kept-alive connection
    response = httpx.get(url, headers=client_headers(directory))
    assert response.status_code == 200, response.text
    assert [h["method"] for h in backend.hits] == ["GET", "GET", "GET"]  # the dropped send, then the resend
    assert backend.hits[1]["headers"]["X-Road-Id"] == backend.hits[2]["headers"]["X-Road-Id"]
    assert MessageLog.objects.filter(request_id=response.headers["X-Road-Request-Id"], status=200).count() == 1


def test_post_is_not_resent_when_the_provider_drops_a_reused_connection(
        directory: Directory, live_server, backend) -> None:  # noqa: ANN001
    backend.drop_reused = True
    url = f"{live_server.url}{SERVICE_PATH}/persons/search"
    assert httpx.post(url, content=b"{}", headers=client_headers(directory)).status_code == 200
    response = httpx.post(url, content=b"{}", headers=client_headers(directory))
    assert response.status_code == 502, response.text
    assert response.headers["X-Road-Error"] == "Server.ServerProxy.NetworkError"
    assert [h["method"] for h in backend.hits] == ["POST", "POST"]  # the provider may have acted: not sent again
    assert MessageLog.objects.get(request_id=response.headers["X-Road-Request-Id"]).status == 502


def test_provider_that_hangs_is_504(directory: Directory, live_server, backend, settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_EXCHANGE_READ_TIMEOUT = 0.3
    backend.hang_seconds = 1.5
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/hang", headers=client_headers(directory),
                         timeout=10)
    assert response.status_code == 504, response.text
    assert response.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.Timeout"
    assert MessageLog.objects.get(request_id=response.headers["X-Road-Request-Id"]).status == 504


def test_request_body_over_the_limit_is_413(directory: Directory, live_server, backend, settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_EXCHANGE_MAX_REQUEST_BYTES = 1000
    response = httpx.post(f"{live_server.url}{SERVICE_PATH}/persons/search", content=b"a" * 1001,
                          headers=client_headers(directory))
    assert response.status_code == 413
    assert response.headers["X-Road-Error"] == "Server.ClientProxy.RequestTooLarge"
    assert backend.hits == []
    ok = httpx.post(f"{live_server.url}{SERVICE_PATH}/persons/search", content=b"a" * 1000,
                    headers=client_headers(directory))
    assert ok.status_code == 200 and ok.json()["body"] == "a" * 1000


def test_redirects_are_not_followed_and_location_not_leaked(directory: Directory, live_server,
                                                           backend) -> None:  # noqa: ANN001
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/redirect", headers=client_headers(directory))
    assert response.status_code == 302
    assert "location" not in response.headers
    assert len(backend.hits) == 1


def test_fifty_megabyte_response_is_streamed_and_hashed(directory: Directory, live_server,
                                                       settings) -> None:  # noqa: ANN001
    import tracemalloc

    from tests.exchange.servers import BIG_SIZE

    tracemalloc.start()
    digest = hashlib.sha256()
    size = 0
    with httpx.stream("GET", f"{live_server.url}{SERVICE_PATH}/persons/big", headers=client_headers(directory),
                      timeout=60) as response:
        assert response.status_code == 200
        for chunk in response.iter_raw(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
        request_id = response.headers["X-Road-Request-Id"]
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert size == BIG_SIZE
    assert peak < 16 * 1024 * 1024, f"peak {peak} bytes: the body was held in memory"
    entry = MessageLog.objects.get(request_id=request_id)
    assert entry.response_size == BIG_SIZE
    assert entry.response_sha256 == digest.hexdigest()


def test_response_over_the_limit_is_502(directory: Directory, live_server, settings) -> None:  # noqa: ANN001
    settings.SATUPINTU_EXCHANGE_MAX_RESPONSE_BYTES = 1024 * 1024
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/big", headers=client_headers(directory),
                         timeout=60)
    assert response.status_code == 502
    assert response.headers["X-Road-Error"] == "Server.ServerProxy.ServiceFailed.ResponseTooLarge"


def test_log_failure_after_forwarding_withholds_the_response(directory: Directory, live_server, backend,
                                                            settings, tmp_path) -> None:  # noqa: ANN001
    broken = tmp_path / "broken-signing-key.pem"
    broken.write_text("this is not a key")
    settings.SATUPINTU_EXCHANGE_SIGNING_KEY_FILE = str(broken)
    keys.reset_caches()
    response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/3174012345670001",
                         headers=client_headers(directory))
    assert len(backend.hits) == 1  # the provider answered ...
    assert response.status_code == 500  # ... but the client never receives an unlogged response
    assert response.headers["X-Road-Error"] == "Server.ServerProxy.MessageLogFailed"
    assert response.json()["title"] == "Message log failure"
    assert "client" not in response.json()  # none of the provider's echo body
    assert MessageLog.objects.count() == 0


def test_stored_bodies_are_encrypted_and_decryptable(directory: Directory, live_server) -> None:  # noqa: ANN001
    directory.service.store_bodies = True
    directory.service.save()
    response = httpx.post(f"{live_server.url}{SERVICE_PATH}/persons/search", content=b'{"nik": "x"}',
                          headers=client_headers(directory))
    entry = MessageLog.objects.get(request_id=response.headers["X-Road-Request-Id"])
    assert entry.request_body is not None and b'{"nik"' not in bytes(entry.request_body)
    aad = entry.request_id.encode()
    assert keys.decrypt_body(bytes(entry.request_body), aad=aad) == b'{"nik": "x"}'
    assert json.loads(keys.decrypt_body(bytes(entry.response_body), aad=aad)) == response.json()


def test_head_keeps_the_providers_length_and_sends_no_body(directory: Directory, live_server) -> None:  # noqa: ANN001
    response = httpx.head(f"{live_server.url}{SERVICE_PATH}/persons/1", headers=client_headers(directory))
    assert response.status_code == 403  # HEAD is not in the right (GET,POST)
    directory.right.methods = ""
    directory.right.save()
    response = httpx.head(f"{live_server.url}{SERVICE_PATH}/persons/1", headers=client_headers(directory))
    assert response.status_code == 200 and response.content == b""


def test_a_providers_cookie_is_never_replayed_on_later_calls(directory: Directory, live_server,
                                                             backend) -> None:  # noqa: ANN001
    # The provider answers every call with Set-Cookie: the gateway keeps no cookie jar, so the next
    # call (possibly another client's) does not carry it back.
    for _ in range(2):
        response = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/3174012345670001",
                             headers=client_headers(directory))
        assert response.status_code == 200
    assert [hit["headers"].get("Cookie") for hit in backend.hits] == [None, None]


def test_unauthenticated_messages_are_limited_per_address_and_minute(directory: Directory, live_server, backend,
                                                                     settings) -> None:  # noqa: ANN001
    """Anyone can send refused requests, and each is a signed log record: past the per-minute limit for
    an address the gateway answers 429 and logs only the first of those; clients with credentials pass."""
    from django.core.cache import cache

    from satupintu.exchange.gateway import unauthenticated_key

    settings.SATUPINTU_EXCHANGE_UNAUTHENTICATED_PER_MINUTE = 3
    for address in ("127.0.0.1", "203.0.113.9"):
        cache.delete(unauthenticated_key(address))
    anonymous = {"X-Road-Client": f"{INSTANCE}/GOV/NOBODY/x"}
    before = MessageLog.objects.count()
    statuses = [httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/{n}", headers=anonymous).status_code
                for n in range(3)]
    assert statuses == [401, 401, 401]
    limited = httpx.get(f"{live_server.url}/listClients")
    assert limited.status_code == 429
    assert limited.headers["X-Road-Error"] == "Server.ClientProxy.TooManyRequests"
    assert limited.headers["Retry-After"] == "60" and limited.json()["status"] == 429
    assert httpx.get(f"{live_server.url}/r1/ANON/GOV/X/y/junk/z", headers=anonymous).status_code == 429
    assert MessageLog.objects.count() == before + 4  # three refusals and the first 429; not the second
    assert list(MessageLog.objects.order_by("-seq").values_list("status", flat=True)[:2]) == [429, 401]
    # behind a trusted proxy the caller is the address the proxy appended
    forwarded = {**anonymous, "X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    assert httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/1", headers=forwarded).status_code == 401
    # an authenticated client is not limited
    ok = httpx.get(f"{live_server.url}{SERVICE_PATH}/persons/1", headers=client_headers(directory))
    assert ok.status_code == 200, ok.text
    assert verify(MessageLog.objects.order_by("seq"), keys.signing_key()).ok
