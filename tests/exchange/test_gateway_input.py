"""What the gateway does with header bytes outside ASCII and with chunked request bodies (ADR 0126),
under the servers that really serve it: Django's server (live server, the portal's WSGI
application), gunicorn (``satupintu serve``, the portal process of ``make run``) and granian
(``satupintu serve --role gateway``). A real provider on 127.0.0.1 receives what is forwarded."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest

from satupintu.exchange.models import MessageLog
from tests.exchange.conftest import CLIENT_ID, SERVICE_PATH, Directory, client_headers
from tests.exchange.servers import Provider

pytestmark = pytest.mark.django_db(transaction=True)
REPO = Path(__file__).resolve().parents[2]
LIMIT = 4096
UTF8_E = "é".encode()  # b"\xc3\xa9", as curl -H "X-Road-Purpose: é" sends it


def send(base: str, method: str, target: str, headers: dict[str, str | bytes],
         body: list[bytes] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request with header values sent byte for byte; ``body`` (if given) as chunks of
    ``Transfer-Encoding: chunked`` and no Content-Length."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    conn.putrequest(method, target, skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    if body is not None:
        conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    if body is not None:
        for chunk in body:
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def _errors(body: bytes) -> list[tuple[str, str]]:
    return [(e["field"], e["rule"]) for e in json.loads(body)["errors"]]


def _headers(d: Directory, **extra: str | bytes) -> dict[str, str | bytes]:
    return {"X-Road-Client": CLIENT_ID, "X-SSL-Client-Cert": d.cert_header, **extra}


def _received(backend: Provider, name: str) -> bytes:
    """A header value as the provider received it (http.server decodes header bytes as latin-1)."""
    return str(backend.hits[-1]["headers"][name]).encode("latin-1")


# Django's server, the portal application (as pytest-django's live server serves it).

def test_header_bytes_outside_ascii_reach_the_provider_exactly(directory: Directory, live_server,  # noqa: ANN001
                                                               backend: Provider) -> None:
    value = b"caf" + UTF8_E + b" \xe9t\xe9"  # UTF-8 and a latin-1 byte: obs-text, RFC 9110 §5.5
    status, headers, body = send(live_server.url, "GET", f"{SERVICE_PATH}/persons/3174012345670001",
                                 _headers(directory, **{"X-Custom": value}))
    assert status == 200, body
    assert _received(backend, "X-Custom") == value
    assert MessageLog.objects.get(request_id=headers["x-road-request-id"]).status == 200


@pytest.mark.parametrize("name", ["X-Road-Purpose", "X-Road-Issue", "X-Road-UserId"])
@pytest.mark.parametrize("value", [UTF8_E, b"caf\xe9", b"a\x01b"])
def test_x_road_headers_outside_printable_ascii_are_400_naming_the_header(
        directory: Directory, live_server, backend: Provider, name: str, value: bytes) -> None:  # noqa: ANN001
    status, headers, body = send(live_server.url, "GET", f"{SERVICE_PATH}/persons/3174012345670001",
                                 _headers(directory, **{name: value}))
    assert status == 400, body
    assert headers["x-road-error"] == "Client.BadRequest"
    assert headers["content-type"] == "application/problem+json"
    assert _errors(body) == [(name, "ascii")]
    assert backend.hits == []
    assert MessageLog.objects.get(request_id=headers["x-road-request-id"]).status == 400


def test_x_road_headers_sent_empty_are_400_and_all_are_named(directory: Directory, live_server,  # noqa: ANN001
                                                              backend: Provider) -> None:
    status, _headers_, body = send(live_server.url, "GET", f"{SERVICE_PATH}/persons/3174012345670001",
                                   _headers(directory, **{"X-Road-Issue": " ", "X-Road-Purpose": UTF8_E}))
    assert status == 400
    assert _errors(body) == [("X-Road-Issue", "empty"), ("X-Road-Purpose", "ascii")]
    assert backend.hits == []


def test_printable_x_road_headers_are_logged_and_passed_on(directory: Directory, live_server,  # noqa: ANN001
                                                           backend: Provider) -> None:
    status, headers, body = send(live_server.url, "GET", f"{SERVICE_PATH}/persons/3174012345670001",
                                 _headers(directory, **{"X-Road-Issue": " TIKET-7 / 2026 ",
                                                        "X-Road-Purpose": "Verifikasi (bansos)"}))
    assert status == 200, body
    assert MessageLog.objects.get(request_id=headers["x-road-request-id"]).issue == "TIKET-7 / 2026"
    assert _received(backend, "X-Road-Purpose") == b"Verifikasi (bansos)"


def test_a_chunked_body_the_server_cannot_hand_over_is_411(directory: Directory, live_server,  # noqa: ANN001
                                                           backend: Provider) -> None:
    """Django's own server does not dechunk (no ``wsgi.input_terminated``): the body never reaches
    the application, so the gateway says so instead of forwarding an empty body."""
    status, headers, body = send(live_server.url, "POST", f"{SERVICE_PATH}/persons/search",
                                 _headers(directory), body=[b'{"nik": ', b'"3174012345670001"}'])
    assert status == 411, body
    assert headers["x-road-error"] == "Server.ClientProxy.LengthRequired"
    assert _errors(body) == [("Content-Length", "required")]
    assert backend.hits == []


def test_a_header_value_outside_latin_1_from_a_test_client_is_400(directory: Directory, client,  # noqa: ANN001
                                                                  backend: Provider) -> None:
    """Only an in-process caller can hand the WSGI application such a ``str`` (PEP 3333 servers
    give latin-1): still a field-named 400, never a 500."""
    response = client.get(f"{SERVICE_PATH}/persons/3174012345670001",
                          headers={**client_headers(directory), "X-Custom": "\u20ac"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["X-Custom"]
    assert backend.hits == []


# gunicorn (the portal process) and granian (the gateway role), as real processes.

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    """The test database, for a server process of its own."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(params=["all", "gateway"], ids=["gunicorn-portal", "granian-gateway-role"])
def served(request: pytest.FixtureRequest, directory: Directory, settings) -> Iterator[tuple[str, str]]:  # noqa: ANN001, ARG001
    """``satupintu serve --role {all|gateway}`` on the test database; yields (role, base URL)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=_database_url(), SATUPINTU_VAR_DIR=str(settings.VAR_DIR), SATUPINTU_ENV="development",
               SATUPINTU_EXCHANGE_MAX_REQUEST_BYTES=str(LIMIT))
    proc = subprocess.Popen([sys.executable, "-m", "satupintu.cli", "serve", "--role", request.param, "--bind",
                             f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else proc.returncode
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"serve --role {request.param} did not come up")
        yield request.param, base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_chunked_body_reaches_the_provider_exactly_and_the_limit_holds(
        directory: Directory, served: tuple[str, str], backend: Provider) -> None:
    _role, base = served
    chunks = [b'{"nik": "3174012345670001", ', b'"note": "' + UTF8_E * 100 + b'"}']
    sent = b"".join(chunks)
    status, headers, body = send(base, "POST", f"{SERVICE_PATH}/persons/search", _headers(directory), body=chunks)
    assert status == 200, body
    hit = backend.hits[-1]
    assert hit["body"] == sent
    assert hit["headers"]["Content-Length"] == str(len(sent)) and "Transfer-Encoding" not in hit["headers"]
    entry = MessageLog.objects.get(request_id=headers["x-road-request-id"])
    assert (entry.request_size, entry.request_sha256) == (len(sent), hashlib.sha256(sent).hexdigest())

    status, headers, body = send(base, "POST", f"{SERVICE_PATH}/persons/search", _headers(directory),
                                 body=[b"a" * 1024] * 4 + [b"a"])  # LIMIT + 1 bytes
    assert status == 413, body
    assert headers["x-road-error"] == "Server.ClientProxy.RequestTooLarge"
    assert len(backend.hits) == 1
    status, _headers_, body = send(base, "POST", f"{SERVICE_PATH}/persons/search", _headers(directory),
                                   body=[b"a" * 1024] * 4)  # exactly LIMIT
    assert status == 200, body
    assert backend.hits[-1]["body"] == b"a" * LIMIT


def test_a_non_ascii_x_road_purpose_is_400_naming_it_on_either_server(
        directory: Directory, served: tuple[str, str], backend: Provider) -> None:
    role, base = served
    for name in ("X-Road-Purpose", "X-Road-Issue"):
        status, headers, body = send(base, "GET", f"{SERVICE_PATH}/persons/3174012345670001",
                                     _headers(directory, **{name: UTF8_E}))
        assert status == 400, body
        assert headers["x-road-error"] == "Client.BadRequest"
        # gunicorn hands the bytes over (latin-1); granian hands over an empty value (granian#335).
        assert _errors(body) == [(name, "ascii" if role == "all" else "empty")]
    assert backend.hits == []

    status, _headers_, body = send(base, "GET", f"{SERVICE_PATH}/persons/3174012345670001",
                                   _headers(directory, **{"X-Custom": b"caf" + UTF8_E}))
    assert status == 200, body
    # Passed on exactly where the server hands the bytes over; granian has already dropped them.
    assert _received(backend, "X-Custom") == (b"caf" + UTF8_E if role == "all" else b"")


@pytest.mark.parametrize(("name", "status"), [("X-Road-Client", 400), ("X-SSL-Client-Cert", 401),
                                               ("Authorization", 401), ("X-Road-Id", 200)])
def test_other_headers_the_gateway_reads_are_refused_or_ignored_not_500(
        directory: Directory, live_server, backend: Provider, name: str, status: int,  # noqa: ANN001
        request: pytest.FixtureRequest) -> None:
    headers = _headers(directory, **{name: b"Bearer caf" + UTF8_E if name == "Authorization" else b"caf" + UTF8_E})
    if name == "Authorization":  # checked at the platform's own introspection endpoint
        request.getfixturevalue("provider_introspection")
        del headers["X-SSL-Client-Cert"]
    got, response_headers, body = send(live_server.url, "GET", f"{SERVICE_PATH}/persons/3174012345670001", headers)
    assert got == status, body
    assert (response_headers.get("x-road-error") is None) == (status == 200)
