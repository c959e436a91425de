"""A real HTTP server on 127.0.0.1 for the exchange tests: the provider backend (an agency's
system, outside the machine). It runs in a daemon thread on a free port. Token introspection uses
the platform's own provider (``/o/introspect/``), not a stand-in."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BIG_SIZE = 50 * 1024 * 1024


class Provider(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[dict[str, Any]]
    hang_seconds = 5.0
    # Close a kept-alive connection when a second request arrives on it, without answering (a
    # provider whose idle timeout fired just as the gateway reused the connection).
    drop_reused = False


class ProviderHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Provider

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.hits.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                 "body": body})
        if self.server.drop_reused and getattr(self, "answered", False):
            self.close_connection = True
            return
        self.answered = True
        if self.path.endswith("/hang"):
            time.sleep(self.server.hang_seconds)
            return
        if self.path.endswith("/big"):
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(BIG_SIZE))
            self.end_headers()
            chunk = b"x" * (1024 * 1024)
            for _ in range(BIG_SIZE // len(chunk)):
                self.wfile.write(chunk)
            return
        if self.path.endswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = json.dumps({"method": self.command, "path": self.path, "body": body.decode("utf-8", "replace"),
                              "client": self.headers.get("X-Road-Client"),
                              "authorization": self.headers.get("Authorization")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "keep-alive")
        self.send_header("Set-Cookie", "backend=1")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle  # noqa: N815


@contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def provider() -> Provider:
    server = Provider(("127.0.0.1", 0), ProviderHandler)
    server.hits = []
    return server
