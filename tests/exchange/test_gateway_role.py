"""The gateway role (ADR 0113): its own WSGI application (gateway paths and probes only) served by
``satupintu serve --role gateway`` under granian, and the host-wide queue of message-log writers."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from satupintu.exchange import keys, messagelog
from satupintu.exchange.models import MessageLog
from tests.exchange.conftest import CLIENT_ID, SERVICE_PATH, Directory

REPO = Path(__file__).resolve().parents[2]


def _wsgi_get(app: Any, path: str, headers: dict[str, str]) -> tuple[str, dict[str, str], bytes]:
    """One GET through a WSGI application, as a server would call it (PEP 3333)."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1",
               "HTTP_HOST": "127.0.0.1:8000"}
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"], seen["headers"] = status, dict(response_headers)

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):  # PEP 3333: the server calls close() when the iterable has one
            result.close()
    return seen["status"], seen["headers"], body


@pytest.mark.django_db(transaction=True)
def test_buffered_answers_leave_as_one_list_and_finish_the_request(directory: Directory) -> None:
    """A buffered answer is handed to the server as a one-item list (granian then sends it in one
    write instead of iterating a Python object from its own threads, ADR 0113). A gateway message
    skips Django's request cycle (no ``request_finished``); any other path is Django's, closed once."""
    from django.core.signals import request_finished

    from satupintu.exchange.wsgi import application

    finished: list[object] = []

    def count(**_kwargs: Any) -> None:
        finished.append(True)

    request_finished.connect(count)
    try:
        headers = {"X-Road-Client": CLIENT_ID, "X-SSL-Client-Cert": directory.cert_header}
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": f"{SERVICE_PATH}/persons/3174012345670001",
                   "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "REMOTE_ADDR": "127.0.0.1",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
                   "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1:8000",
                   **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}}
        result = application(environ, lambda status, response_headers, exc_info=None: None)
        assert isinstance(result, list) and len(result) == 1
        assert b"3174012345670001" in result[0]
        assert finished == []
        result = application({**environ, "PATH_INFO": "/healthz", "wsgi.input": io.BytesIO(b"")},
                             lambda status, response_headers, exc_info=None: None)
        assert isinstance(result, list) and len(result) == 1 and b'"ok"' in result[0]
        assert finished == [True]
    finally:
        request_finished.disconnect(count)


@pytest.mark.django_db(transaction=True)
def test_a_streamed_answer_leaves_whole_and_its_spool_is_closed(directory: Directory) -> None:
    """An answer over 1 MiB is spooled to a temporary file and streamed; the server closes it."""
    from satupintu.exchange.wsgi import application
    from tests.exchange.servers import BIG_SIZE

    headers = {"X-Road-Client": CLIENT_ID, "X-SSL-Client-Cert": directory.cert_header}
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": f"{SERVICE_PATH}/persons/big", "QUERY_STRING": "",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "SERVER_PROTOCOL": "HTTP/1.1",
               "HTTP_HOST": "127.0.0.1:8000", **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}}
    seen: dict[str, Any] = {}
    result = application(environ, lambda status, response_headers, exc_info=None: seen.update(
        status=status, headers=dict(response_headers)))
    assert not isinstance(result, list)
    size = sum(len(chunk) for chunk in result)
    result.close()
    assert seen["status"].startswith("200") and size == BIG_SIZE == int(seen["headers"]["Content-Length"])
    assert MessageLog.objects.get(request_id=seen["headers"]["X-Road-Request-Id"]).response_size == BIG_SIZE


@pytest.mark.django_db(transaction=True)
def test_gateway_application_serves_the_gateway_and_probes_only(directory: Directory) -> None:
    from satupintu.exchange.wsgi import application

    headers = {"X-Road-Client": CLIENT_ID, "X-SSL-Client-Cert": directory.cert_header}
    status, response_headers, body = _wsgi_get(application, f"{SERVICE_PATH}/persons/3174012345670001", headers)
    assert status.startswith("200"), body
    assert response_headers["X-Road-Request-Id"] and response_headers["X-Road-Request-Hash"]
    assert response_headers["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware kept
    assert "Set-Cookie" not in response_headers and "Content-Security-Policy" not in response_headers
    logged = MessageLog.objects.get(request_id=response_headers["X-Road-Request-Id"])
    assert logged.status == 200 and logged.path == "/persons/3174012345670001"

    status, response_headers, body = _wsgi_get(application, f"{SERVICE_PATH}/persons/1", {"X-Road-Client": CLIENT_ID})
    assert status.startswith("401") and response_headers["X-Road-Error"] == "Server.ClientProxy.AuthenticationFailed"

    status, _headers, body = _wsgi_get(application, "/healthz", {})
    assert status.startswith("200") and b'"ok"' in body
    status, response_headers, body = _wsgi_get(application, "/katalog/", {})
    assert status.startswith("404") and response_headers["Content-Type"] == "application/problem+json"
    assert b"gateway only" in body


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_role_gateway_runs_granian_with_the_gateway_application(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(SATUPINTU_VAR_DIR=str(tmp_path), SATUPINTU_ENV="development")
    proc = subprocess.Popen([sys.executable, "-m", "satupintu.cli", "serve", "--role", "gateway", "--bind",
                             f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else proc.returncode
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the gateway role did not come up")
        assert health.status_code == 200 and health.headers["server"] == "granian"
        other = httpx.get(f"http://127.0.0.1:{port}/akun/login/", timeout=5)
        assert other.status_code == 404 and other.headers["content-type"] == "application/problem+json"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_serve_refuses_a_bind_without_a_port(capsys: pytest.CaptureFixture[str]) -> None:
    from satupintu.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["serve", "--role", "gateway", "--bind", "127.0.0.1"])
    assert exited.value.code == 2 and "HOST:PORT" in capsys.readouterr().err


_FLOCK_PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("held")
else:
    print("free")
"""


def _probe(path: str) -> str:
    """Whether another process can take the queue's lock right now."""
    return subprocess.run([sys.executable, "-c", _FLOCK_PROBE, path], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.django_db
def test_host_queue_excludes_other_processes_and_hands_on_the_head(settings, tmp_path: Path,  # noqa: ANN001
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection

    settings.VAR_DIR = tmp_path
    if connection.vendor == "sqlite":  # the test database is in memory: give the queue a file database name
        monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "satupintu.sqlite3"))
    with messagelog._host_queue() as queue:
        lock_files = [str(p) for p in tmp_path.glob("*.lock")]
        assert len(lock_files) == 1 and _probe(lock_files[0]) == "held"
        assert queue.hint is None  # nobody wrote yet
        queue.store(41, "ab" * 32)
    assert _probe(lock_files[0]) == "free"
    with messagelog._host_queue() as queue:
        assert queue.hint == (41, "ab" * 32)


@pytest.mark.django_db(transaction=True)
def test_a_wrong_head_hint_in_the_queue_file_is_only_a_hint(directory: Directory, settings,  # noqa: ANN001
                                                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Another host (or a bad file) may leave a wrong head: the append still chains after the real one."""
    from django.db import connection
    from django.utils import timezone

    if connection.vendor == "sqlite":
        monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "satupintu.sqlite3"))

    def message(n: int) -> messagelog.Message:
        return messagelog.Message(request_id=f"hint-{n}", started_at=timezone.now(), client="c", service="s",
                                  method="GET", path=f"/{n}", status=200)

    messagelog.append(message(1))
    with messagelog._host_queue() as queue:
        queue.store(99, "cd" * 32)
    monkeypatch.setattr(messagelog, "_head_hint", None)
    messagelog.append(message(2))
    messagelog.append(message(3))
    entries = list(MessageLog.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert messagelog.verify(entries, keys.signing_key()).ok
    with messagelog._host_queue() as queue:
        assert queue.hint == (3, entries[-1].hash)


@pytest.mark.django_db
def test_a_forked_worker_opens_its_own_queue_file(settings, tmp_path: Path,  # noqa: ANN001
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """flock belongs to the open file description: a child must not reuse the parent's descriptor,
    or the parent's held lock would not exclude it."""
    from django.db import connection

    settings.VAR_DIR = tmp_path
    if connection.vendor == "sqlite":
        monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "satupintu.sqlite3"))
    with messagelog._host_queue():
        pass
    assert messagelog._queue_files  # the parent keeps its descriptor open
    read_end, write_end = os.pipe()
    with messagelog._host_queue():
        pid = os.fork()
        if pid == 0:  # child: the inherited table is empty, and taking the queue would block on the parent
            os.close(read_end)
            os.write(write_end, b"empty" if not messagelog._queue_files else b"inherited")
            os._exit(0)
        os.close(write_end)
        answer = os.read(read_end, 16)
        os.waitpid(pid, 0)
    assert answer == b"empty"


def _drop_connection() -> None:
    """End this thread's database connection behind Django's back, as a database restart would."""
    import sqlite3

    from django.db import connection

    if connection.vendor == "postgresql":
        import psycopg

        pid = connection.connection.info.backend_pid
        params = {k: v for k, v in connection.get_connection_params().items()
                  if k in {"dbname", "user", "host", "port", "password"}}
        with psycopg.connect(**params, autocommit=True) as admin:  # another session ends ours, as a restart would
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    else:  # an in-memory test database must keep one open connection: swap in a closed one instead
        dead = sqlite3.connect(":memory:")
        dead.close()
        connection.connection = dead


@pytest.mark.django_db(transaction=True)
def test_the_log_write_replaces_a_dead_database_connection(directory: Directory) -> None:  # noqa: ARG001
    """The gateway role runs without Django's per-request health check: a connection the database
    dropped must not fail the message (it is closed and the write done again on a new one)."""
    from django.utils import timezone

    def message(n: int) -> messagelog.Message:
        return messagelog.Message(request_id=f"dead-connection-{n}", started_at=timezone.now(), client="c",
                                  service="s", method="GET", path=f"/{n}", status=200)

    messagelog.append(message(1))
    _drop_connection()
    messagelog.append(message(2))
    entries = list(MessageLog.objects.order_by("seq"))
    assert [e.request_id for e in entries] == ["dead-connection-1", "dead-connection-2"]
    assert messagelog.verify(entries, keys.signing_key()).ok


@pytest.mark.django_db(transaction=True)
def test_messages_arriving_while_another_process_writes_share_one_commit(directory: Directory,  # noqa: ARG001
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    """Group commit across processes: a writer takes its batch only once its turn in the host queue
    has come, so messages queued while another process held the queue go in the same commit."""
    import fcntl
    import threading

    from django.db import connection
    from django.utils import timezone

    lock = tmp_path / "queue.lock"
    monkeypatch.setattr(messagelog, "_queue_path", lambda *_args: str(lock))
    sizes: list[int] = []
    real_write = messagelog._write_batch

    def counting_write(messages: list[messagelog.Message], queue: Any) -> list[MessageLog]:
        sizes.append(len(messages))
        return real_write(messages, queue)

    monkeypatch.setattr(messagelog, "_write_batch", counting_write)

    def send(n: int) -> None:
        try:
            messagelog.append(messagelog.Message(request_id=f"group-{n}", started_at=timezone.now(), client="c",
                                                 service="s", method="GET", path=f"/{n}", status=200))
        finally:
            connection.close()

    other_process = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(other_process, fcntl.LOCK_EX)
    threads = [threading.Thread(target=send, args=(n,)) for n in range(3)]
    try:
        for thread in threads:
            thread.start()
        for _ in range(1000):  # until all three wait (one of them for the queue); at most ~10 s
            if len(messagelog._queue) == 3:
                break
            time.sleep(0.01)
    finally:
        fcntl.flock(other_process, fcntl.LOCK_UN)
        os.close(other_process)
        for thread in threads:
            thread.join(timeout=30)
        fd = messagelog._queue_files.pop(str(lock), None)
        if fd is not None:
            os.close(fd)
    assert sizes == [3]
    entries = list(MessageLog.objects.order_by("seq"))
    assert sorted(e.request_id for e in entries) == ["group-0", "group-1", "group-2"]
    assert messagelog.verify(entries, keys.signing_key()).ok


@pytest.mark.django_db(transaction=True)
def test_a_directory_read_on_a_dead_connection_is_done_again_on_a_new_one(directory: Directory, settings) -> None:  # noqa: ANN001
    """The gateway role has no per-request connection check: the directory read (on a cache miss)
    replaces a connection the database dropped instead of answering 500."""
    from satupintu.exchange.wsgi import application

    settings.SATUPINTU_EXCHANGE_DIRECTORY_CACHE_SECONDS = 0  # every message reads the directory
    headers = {"X-Road-Client": CLIENT_ID, "X-SSL-Client-Cert": directory.cert_header}
    status, _headers, body = _wsgi_get(application, f"{SERVICE_PATH}/persons/3174012345670001", headers)
    assert status.startswith("200"), body
    _drop_connection()
    status, response_headers, body = _wsgi_get(application, f"{SERVICE_PATH}/persons/3174012345670001", headers)
    assert status.startswith("200"), body
    assert MessageLog.objects.get(request_id=response_headers["X-Road-Request-Id"]).status == 200
