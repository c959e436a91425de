"""A minimal provider backend for the exchange bench: answers every request with small JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

BODY = b'{"nik":"3174012345670001","nama":"Budi Santoso","tanggalLahir":"1990-01-31","alamat":"Jl. Merdeka 1"}'


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]
