"""Gateway failures: an HTTP status, an X-Road error type and a problem details body (RFC 9457).

Error types follow the X-Road message protocol for REST (PR-REST §4.4: ``X-Road-Error`` header,
``Server.ClientProxy.*`` for the client side, ``Server.ServerProxy.*`` for the provider side).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from satupintu.core.errors import FieldError


@dataclass
class GatewayError(Exception):
    status: int
    xroad_error: str
    title: str
    detail: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def bad_request(detail: str, errors: list[FieldError] | None = None) -> GatewayError:
    return GatewayError(400, "Client.BadRequest", "Bad request", detail, errors or [])


def method_not_allowed(allowed: str) -> GatewayError:
    """405 with ``Allow`` (RFC 9110 §15.5.6) for a method the metaservice does not answer; the
    X-Road error type stays ``Client.BadRequest`` (the protocol has no type of its own for it)."""
    return GatewayError(405, "Client.BadRequest", "Method not allowed", f"Metaservices answer {allowed} only.",
                        [FieldError("method", "allowed", f"Use {allowed}.")], headers={"Allow": allowed})


def unknown_client(detail: str = "The client is unknown or its credentials do not match it.") -> GatewayError:
    return GatewayError(401, "Server.ClientProxy.AuthenticationFailed", "Client authentication failed", detail,
                        headers={"WWW-Authenticate": 'Bearer realm="satupintu-exchange"'})


def access_denied(detail: str) -> GatewayError:
    return GatewayError(403, "Server.ServerProxy.AccessDenied", "Access denied", detail)


def unknown_service(detail: str = "No such service in the exchange directory.") -> GatewayError:
    return GatewayError(404, "Server.ServerProxy.UnknownService", "Unknown service", detail)


def request_too_large(limit: int) -> GatewayError:
    return GatewayError(413, "Server.ClientProxy.RequestTooLarge", "Request body too large",
                        f"The request body exceeds the limit of {limit} bytes.")


def length_required() -> GatewayError:
    """411 for a chunked body the HTTP server cannot hand over (no ``wsgi.input_terminated``)."""
    return GatewayError(411, "Server.ClientProxy.LengthRequired", "Length required",
                        "This server cannot read a chunked request body: send the body with a Content-Length.",
                        [FieldError("Content-Length", "required", "Send the body with a Content-Length.")])
