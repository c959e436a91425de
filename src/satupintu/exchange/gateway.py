"""The exchange gateway (security server): route, authenticate, authorise, forward, log, answer.

``{METHOD} /r1/{instance}/{memberClass}/{memberCode}/{subsystem}/{serviceCode}/{path...}`` (also
without ``/r1``), X-Road message protocol for REST (PR-REST) §4. Every message — delivered or
refused — is written to the signed, chained message log *before* the answer leaves
(:func:`satupintu.exchange.messagelog.append`); if that write fails the client gets a 500 and
never the provider's response.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from satupintu.core.api import problem_response
from satupintu.core.errors import FieldError
from satupintu.exchange import clientauth, directory, messagelog, metaservices, paths
from satupintu.exchange.egress import AddressNotAllowed
from satupintu.exchange.errors import (
    GatewayError,
    access_denied,
    bad_request,
    length_required,
    request_too_large,
    unknown_client,
    unknown_service,
)
from satupintu.exchange.keys import nik_index

log = logging.getLogger(__name__)

PURPOSE_HEADER = "X-Road-Purpose"
NIK_RE = re.compile(r"^\d{16}$")
# The X-Road headers the gateway reads, stores or checks (ADR 0126): (name, WSGI key, stored length).
_TEXT_HEADERS = (("X-Road-UserId", "HTTP_X_ROAD_USERID", 100), ("X-Road-Issue", "HTTP_X_ROAD_ISSUE", 200),
                 (PURPOSE_HEADER, "HTTP_X_ROAD_PURPOSE", 500))
_PRINTABLE_ASCII = re.compile(r"[ -~]+")
# RFC 9110 §7.6.1 hop-by-hop fields, plus those the gateway owns or must not leak.
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "proxy-connection", "host", "content-length"}
# The client headers too: the gateway sets X-Road-Client and Information-Mediator-Client to the
# authenticated client; a caller's own value of any of them (e.g. another subsystem's id in
# Information-Mediator-Client, which the Registration API reads first) must not reach the provider.
_NOT_FORWARDED = _HOP_BY_HOP | {"authorization", "cookie", "x-forwarded-for", "x-forwarded-proto",
                                "x-forwarded-host", "forwarded", "x-road-id", "x-road-request-id",
                                "x-road-request-hash", "x-request-id", "x-road-client",
                                "information-mediator-client", "x-govstack-client"}
_NOT_RETURNED = _HOP_BY_HOP | {"set-cookie", "location", "x-road-request-id", "x-road-request-hash",
                               "x-road-error", "x-road-id"}
# RFC 9110 §9.2.2: requests with these methods may be sent again automatically.
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
_CHUNK = 64 * 1024
_IN_MEMORY = 1024 * 1024
_transport: httpx.HTTPTransport | None = None
_timeout: dict[str, float | None] | None = None


def backend_transport() -> tuple[httpx.HTTPTransport, dict[str, float | None]]:
    """The shared connection pool to providers (httpx's own transport, ADR 0105) and the request
    timeouts from settings. Used without ``httpx.Client`` on purpose: no cookie jar (a provider's
    ``Set-Cookie`` must never be replayed to it on another client's call), no redirect handling
    (redirects are never followed), no proxy variables, and none of the client's per-request URL
    merging."""
    global _transport, _timeout
    if _transport is None:
        _timeout = httpx.Timeout(settings.SATUPINTU_EXCHANGE_READ_TIMEOUT,
                                 connect=settings.SATUPINTU_EXCHANGE_CONNECT_TIMEOUT).as_dict()
        _transport = _BackendTransport(httpx.Limits(max_connections=100, max_keepalive_connections=20))
    assert _timeout is not None
    return _transport, _timeout


class _BackendTransport(httpx.HTTPTransport):
    """httpx's transport, its httpcore pool opening connections through
    :class:`~satupintu.exchange.egress.CheckedNetworkBackend` (httpcore's documented network
    backend hook): the backend address rule is applied to the address actually connected to, not
    only when the route was loaded (DNS rebinding, ADR 0134 addendum). The rest is httpx's own
    (request/response mapping, exception mapping); ``httpx.HTTPTransport`` takes no network
    backend, so the pool it built is replaced by an identical one that has it."""

    def __init__(self, limits: httpx.Limits) -> None:
        import httpcore

        from satupintu.exchange.egress import CheckedNetworkBackend

        super().__init__(limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
            network_backend=CheckedNetworkBackend())


def reset_backend_client() -> None:
    """Drop the pool (tests change timeouts)."""
    global _transport
    if _transport is not None:
        _transport.close()
    _transport = None


def raw_path(request: HttpRequest) -> str:
    """The request path as sent (gunicorn ``RAW_URI``), else Django's decoded path."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if raw:
        return str(raw).split("?", 1)[0]
    return request.path


class Ctx:
    """Per-message state collected for the log."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.request_id = uuid.uuid4().hex
        self.started_at: datetime = timezone.now()
        self.t0 = time.perf_counter()
        self.client = (clientauth.client_header(request) or "")[:300]
        self.service = ""
        self.path = ""
        self.user_id = ""
        self.issue = ""
        self.purpose = ""
        self.body = b""
        self.request_hash = ""
        self.authenticated = False  # True once the client's credential matched its subsystem
        self.unauthenticated_count = 0  # this message's number among its address's unauthenticated ones


def handle(request: HttpRequest) -> HttpResponse:
    """Answer one gateway request (see the module docstring); never raises."""
    ctx = Ctx(request)
    try:
        ctx.user_id, ctx.issue, ctx.purpose = xroad_text_headers(request.META)
        try:
            path = paths.normalise(raw_path(request))
        except paths.BadPath as exc:
            raise bad_request(str(exc)) from exc
        ctx.path = path
        segments = [s for s in path.split("/") if s]
        if segments and segments[0] == "r1":
            segments = segments[1:]
        if segments == ["listClients"]:
            _count_unauthenticated(ctx)
            return _answer_meta(ctx, metaservices.list_clients(request))
        if len(segments) == 5 and segments[4] in metaservices.NAMES:
            client = clientauth.authenticate(request)
            ctx.client, ctx.authenticated = client.identifier, True
            return _answer_meta(ctx, metaservices.dispatch(request, segments[4], segments[:4], client))
        if len(segments) < 5:
            raise unknown_service()
        rest = "/" + "/".join(segments[5:])
        if len(segments) > 5 and path.endswith("/"):
            rest += "/"
        ctx.service = "/".join(segments[:5])
        ctx.path = rest
        parts = clientauth.parse_client(clientauth.client_header(request))
        route = directory.route(parts, segments)
        if route is None or not clientauth.credentials_match(
                request, cert_fingerprint=route.cert_fingerprint, oauth_client_id=route.oauth_client_id):
            raise unknown_client()
        ctx.client, ctx.authenticated = route.client_id, True
        if route.service_pk is None or segments[0] != settings.SATUPINTU_EXCHANGE_INSTANCE:
            raise unknown_service()
        _authorise(route, request.method or "GET", rest)
        if route.backend_refusal is not None:
            log.warning("gateway: %s: %s", route.service_id, route.backend_refusal)
            raise _address_not_allowed()
        consent = _personal_data(ctx, route)
        ctx.body = _read_body(request)
        return _forward(ctx, route, rest, consent)
    except GatewayError as exc:
        return _fail(ctx, exc)
    except Exception:
        log.exception("gateway: unexpected error (request %s)", ctx.request_id)
        return _fail(ctx, GatewayError(500, "Server.ServerProxy.InternalError", "Internal error",
                                       "The gateway failed; the request id identifies it in the logs."))


def _address_not_allowed() -> GatewayError:
    return GatewayError(502, "Server.ServerProxy.ServiceFailed.AddressNotAllowed", "Provider address not allowed",
                        "The provider's backend address is not one this gateway may call (ADR 0134).")


def _authorise(route: directory.Route, method: str, path: str) -> None:
    """403 unless the client's right on the service covers ``method`` and the normalised ``path``."""
    if route.right_id is None:
        raise access_denied("The client has no access right to this service.")
    methods = route.methods
    if methods and method.upper() not in methods:
        raise access_denied(f"The access right does not cover the method {method.upper()}.")
    prefixes = route.path_prefixes
    if prefixes and not any(paths.covered(path, p) for p in prefixes):
        raise access_denied("The access right does not cover this path.")


def xroad_text_headers(meta: dict[str, Any]) -> tuple[str, str, str]:
    """``(X-Road-UserId, X-Road-Issue, X-Road-Purpose)`` from a WSGI environ, stripped and cut to
    the lengths stored (100, 200, 500); ``""`` for a header not sent.

    A value sent must be printable ASCII (RFC 9110 §5.5 field-vchar and spaces, without obs-text):
    granian, which serves the gateway role, hands a value holding any other byte over as an empty
    string (emmett-framework/granian#335), so the rule is the same on every server and nothing a
    client stated is silently lost (ADR 0126). Raises a 400 :class:`GatewayError` naming each
    offending header: ``empty`` (sent without a value, or with one granian dropped) or ``ascii``
    (other bytes: UTF-8, control characters; gunicorn and Django's server hand them over)."""
    values: list[str] = []
    errors: list[FieldError] = []
    for name, key, length in _TEXT_HEADERS:
        raw = meta.get(key)
        if raw is None:
            values.append("")
            continue
        value = raw.strip(" \t")
        if not value:
            errors.append(FieldError(name, "empty", f"{name} was sent empty. Send printable ASCII text or leave "
                                                    "the header out (a value with other characters arrives empty "
                                                    "on some HTTP servers)."))
        elif not _PRINTABLE_ASCII.fullmatch(value):
            errors.append(FieldError(name, "ascii", f"{name} must be printable ASCII text (no accented letters, "
                                                    "other UTF-8 characters or control characters)."))
        values.append(value[:length])
    if errors:
        raise bad_request("A header the gateway reads has a value it cannot accept: "
                          + ", ".join(e.field for e in errors) + ".", errors)
    return values[0], values[1], values[2]


def _personal_data(ctx: Ctx, service: directory.Route) -> dict[str, Any] | None:
    """For personal-data services: require ``X-Road-UserId`` (the subject's 16-digit NIK) and
    ``X-Road-Purpose`` (both already checked by :func:`xroad_text_headers`); return the
    data-access fields (subject as HMAC blind index)."""
    if not service.personal_data:
        return None
    nik = ctx.user_id
    purpose = ctx.purpose
    errors = []
    if not nik:
        errors.append(FieldError("X-Road-UserId", "required", "Name the data subject (NIK) in X-Road-UserId."))
    elif not NIK_RE.match(nik):
        errors.append(FieldError("X-Road-UserId", "format", "X-Road-UserId must be a 16-digit NIK."))
    if not purpose:
        errors.append(FieldError(PURPOSE_HEADER, "required", "State the purpose of this personal data read."))
    if errors:
        raise bad_request("This service serves personal data: the subject and the purpose are required.", errors)
    return {"subject_index": nik_index(nik), "purpose": purpose, "legal_basis": service.legal_basis,
            "data_items": service.data_items, "service": service.service_id,
            "agency_code": service.agency_code, "agency_name": service.agency_name, "client": service.client_id,
            "record": ""}


def _read_body(request: HttpRequest) -> bytes:
    """The request body, at most ``SATUPINTU_EXCHANGE_MAX_REQUEST_BYTES`` (else 413).

    With a Content-Length, Django's stream (limited to it). Without one, a chunked body
    (``Transfer-Encoding: chunked``) is read from ``wsgi.input`` itself, which Django limits to a
    length of 0: gunicorn and granian dechunk it there and say so with ``wsgi.input_terminated``
    (read to its end). A server that does not (Django's development server) cannot hand the body
    over: 411 rather than forwarding an empty body (ADR 0126)."""
    limit = settings.SATUPINTU_EXCHANGE_MAX_REQUEST_BYTES
    meta = request.META
    length = meta.get("CONTENT_LENGTH")
    if not length and "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
        if not meta.get("wsgi.input_terminated"):
            raise length_required()
        return _read_to_end(meta["wsgi.input"], limit)
    try:
        declared = int(length or 0)
    except ValueError:
        raise bad_request("Content-Length is not a number.") from None
    if declared > limit:
        raise request_too_large(limit)
    body = request.read(limit + 1)
    if len(body) > limit:
        raise request_too_large(limit)
    return body


def _read_to_end(stream: IO[bytes], limit: int) -> bytes:
    """Read a terminated WSGI input to its end; 413 once it holds more than ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    while chunk := stream.read(min(limit + 1 - size, _IN_MEMORY)):
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            raise request_too_large(limit)
    return b"".join(parts)


def _request_hash(ctx: Ctx, method: str, target: str) -> str:
    """Base64 SHA-512 of the request as forwarded (method, target, client, request id, body);
    X-Road PR-REST §4.5 ``X-Road-Request-Hash``."""
    digest = hashlib.sha512()
    digest.update(f"{method}\n{target}\n{ctx.client}\n{ctx.request_id}\n".encode())
    digest.update(ctx.body)
    return base64.b64encode(digest.digest()).decode()


def _forward(ctx: Ctx, service: directory.Route, rest: str, consent: dict[str, Any] | None) -> HttpResponse:
    request = ctx.request
    method = (request.method or "GET").upper()
    query = request.META.get("QUERY_STRING", "")
    target = paths.encode(rest) + (f"?{query}" if query else "")
    url = service.backend_url.rstrip("/") + target
    ctx.request_hash = _request_hash(ctx, method, target)
    headers = _forwarded_headers(request)
    headers[b"X-Road-Client"] = headers[b"Information-Mediator-Client"] = service.client_id.encode()
    headers[b"X-Road-Id"] = ctx.request_id.encode()
    t_backend = time.perf_counter()
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 - closed by caller
    digest = hashlib.sha256()
    size = 0
    limit = settings.SATUPINTU_EXCHANGE_MAX_RESPONSE_BYTES
    try:
        transport, timeout = backend_transport()
        outgoing = httpx.Request(method, url, headers=headers, content=ctx.body, extensions={"timeout": timeout})
        upstream = _send(transport, outgoing, method)
        upstream.request = outgoing
        try:
            for chunk in upstream.iter_raw(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise GatewayError(502, "Server.ServerProxy.ServiceFailed.ResponseTooLarge",
                                       "Provider response too large",
                                       f"The provider's response exceeds the limit of {limit} bytes.")
                digest.update(chunk)
                spool.write(chunk)
        finally:
            upstream.close()
    except (httpx.ConnectTimeout, httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout) as exc:
        spool.close()
        raise GatewayError(504, "Server.ServerProxy.ServiceFailed.Timeout", "Provider timed out",
                           "The provider did not answer in time.") from exc
    except httpx.TransportError as exc:
        spool.close()
        if isinstance(exc.__cause__, AddressNotAllowed):  # checked when the connection was opened
            log.warning("gateway: %s: %s", service.service_id, exc.__cause__)
            raise _address_not_allowed() from exc
        raise GatewayError(502, "Server.ServerProxy.NetworkError", "Provider unreachable",
                           "The provider could not be reached or broke the connection.") from exc
    except GatewayError:
        spool.close()
        raise
    backend_ms = (time.perf_counter() - t_backend) * 1000
    status = upstream.status_code
    store = service.store_bodies
    max_stored = settings.SATUPINTU_EXCHANGE_MAX_STORED_BODY_BYTES
    response_body: bytes | None = None
    if store and size <= max_stored:
        spool.seek(0)
        response_body = spool.read()
    if consent is not None and 200 <= status < 300:
        consent["record"] = rest[:2000]
    else:
        consent = None
    message = messagelog.Message(
        request_id=ctx.request_id, started_at=ctx.started_at, client=ctx.client, service=ctx.service,
        method=method, path=rest, status=status, user_id=ctx.user_id, issue=ctx.issue,
        duration_ms=(time.perf_counter() - ctx.t0) * 1000, backend_ms=backend_ms,
        request_size=len(ctx.body), response_size=size,
        request_sha256=hashlib.sha256(ctx.body).hexdigest(), response_sha256=digest.hexdigest(),
        request_body=ctx.body if store and len(ctx.body) <= max_stored else None,
        response_body=response_body, data_access=consent,
    )
    try:
        messagelog.append(message)
    except Exception:
        spool.close()
        log.exception("gateway: message log write failed; response withheld (request %s)", ctx.request_id)
        return _problem(ctx, GatewayError(500, "Server.ServerProxy.MessageLogFailed", "Message log failure",
                                          "The response could not be logged, so it was not delivered."))
    spool.seek(0)
    response: HttpResponse | StreamingHttpResponse
    if size <= _IN_MEMORY:
        response = HttpResponse(spool.read(), status=status)
        spool.close()
    else:
        response = StreamingHttpResponse(_iterate(spool), status=status)
    response.headers.pop("Content-Type", None)
    for name, value in upstream.headers.multi_items():
        if name.lower() not in _NOT_RETURNED:
            # RFC 9110 §5.3: repeated fields combine into one comma-separated list.
            response.headers[name] = f"{response.headers[name]}, {value}" if name in response.headers else value
    response["Content-Length"] = (upstream.headers.get("Content-Length", "0") if method == "HEAD" else str(size))
    _xroad_headers(response, ctx)
    return response  # type: ignore[return-value]


def _forwarded_headers(request: HttpRequest) -> dict[bytes, bytes]:
    """The client's headers to pass on, each value as the bytes received: a PEP 3333 server hands
    them over decoded as latin-1, so encoding back to latin-1 restores them exactly, obs-text
    included (RFC 9110 §5.5). httpx would encode a ``str`` as ASCII (and fail on anything else);
    given bytes it sends them as they are, so each name and value is encoded once. A value outside latin-1
    (only a test client can hand one over) is a 400 naming the header."""
    cert_header = settings.SATUPINTU_EXCHANGE_CLIENT_CERT_HEADER.lower()
    try:
        return {k.encode("latin-1"): v.encode("latin-1") for k, v in request.headers.items()
                if k.lower() not in _NOT_FORWARDED and k.lower() != cert_header}
    except UnicodeEncodeError:
        names = [k for k, v in request.headers.items() if not v.isascii() and max(v) > "\xff"]
        raise bad_request(f"Header {names[0]} is not an HTTP field value.",
                          [FieldError(names[0], "encoding", "Not an HTTP field value (PEP 3333 latin-1).")]) from None


def _send(transport: httpx.HTTPTransport, outgoing: httpx.Request, method: str) -> httpx.Response:
    """Send ``outgoing`` on the pool and return the response once its head has arrived.

    A provider may close an idle keep-alive connection just as the gateway reuses it (the race of
    RFC 9112 §9.3.1); the request then fails before any byte of a response arrived. A request with
    an idempotent method (RFC 9110 §9.2.2) is sent once more, on another connection; any other
    request is not (the provider may have acted on it) and the caller answers 502. Raises what httpx
    raised (timeouts are never retried)."""
    try:
        return transport.handle_request(outgoing)
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
        if method not in _IDEMPOTENT:
            raise
        log.info("gateway: provider connection failed before a response; sending %s once more", method)
        return transport.handle_request(outgoing)


def _iterate(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := spool.read(_CHUNK):
            yield chunk
    finally:
        spool.close()


def _xroad_headers(response: HttpResponse | StreamingHttpResponse, ctx: Ctx) -> None:
    response["X-Road-Request-Id"] = ctx.request_id
    response["X-Road-Id"] = ctx.request_id
    if ctx.request_hash:
        response["X-Road-Request-Hash"] = ctx.request_hash
    if ctx.client:
        response["X-Road-Client"] = ctx.client
    if ctx.service:
        response["X-Road-Service"] = ctx.service


def _answer_meta(ctx: Ctx, response: HttpResponse) -> HttpResponse:
    ctx.request_hash = _request_hash(ctx, (ctx.request.method or "GET").upper(), ctx.path)
    _log_quietly(ctx, response.status_code, "", len(response.content))
    _xroad_headers(response, ctx)
    return response


def _problem(ctx: Ctx, exc: GatewayError) -> HttpResponse:
    response = problem_response(ctx.request, status=exc.status, title=exc.title, detail=exc.detail,
                                type_=f"/problems/exchange/{exc.xroad_error}", errors=exc.errors,
                                headers=exc.headers)
    response["X-Road-Error"] = exc.xroad_error
    response["Cache-Control"] = "no-store"
    _xroad_headers(response, ctx)
    return response


def _fail(ctx: Ctx, exc: GatewayError) -> HttpResponse:
    if not ctx.authenticated and exc.status != 429:
        try:
            _count_unauthenticated(ctx)
        except GatewayError as limited:
            exc = limited
    response = _problem(ctx, exc)
    if exc.status != 429 or ctx.unauthenticated_count == settings.SATUPINTU_EXCHANGE_UNAUTHENTICATED_PER_MINUTE + 1:
        _log_quietly(ctx, exc.status, exc.xroad_error, len(response.content))
    return response


def caller_address(request: HttpRequest) -> str:
    """The caller's IP address: behind one of ``SATUPINTU_EXCHANGE_TRUSTED_PROXIES``, the last
    address that proxy appended to ``X-Forwarded-For`` (RFC 7239 §5.2 semantics), else the peer."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and peer in settings.SATUPINTU_EXCHANGE_TRUSTED_PROXIES:
        return str(forwarded).rsplit(",", 1)[-1].strip()[:64] or peer
    return peer


def unauthenticated_key(address: str) -> str:
    """The cache key counting one address's unauthenticated messages in the current minute."""
    return f"exchange:unauthenticated:{address}:{int(time.time() // 60)}"


def _count_unauthenticated(ctx: Ctx) -> None:
    """Count a message from a caller that has not authenticated (a refused one, or listClients)
    against ``SATUPINTU_EXCHANGE_UNAUTHENTICATED_PER_MINUTE`` per caller address and clock minute
    (in the shared cache). Over the limit raise a 429 GatewayError; the first message over it is
    still logged (so the log shows the limiting began), the following ones are not. A cache outage
    does not refuse anything."""
    limit = settings.SATUPINTU_EXCHANGE_UNAUTHENTICATED_PER_MINUTE
    if limit <= 0:
        return
    key = unauthenticated_key(caller_address(ctx.request))
    try:
        cache.add(key, 0, timeout=120)
        ctx.unauthenticated_count = cache.incr(key)
    except Exception:  # an expired key between add and incr, or no cache: let it through
        return
    if ctx.unauthenticated_count > limit:
        raise GatewayError(429, "Server.ClientProxy.TooManyRequests", "Too many requests",
                           f"More than {limit} requests without valid client credentials came from this address "
                           "in one minute; try again in a minute.", headers={"Retry-After": "60"})


def _log_quietly(ctx: Ctx, status: int, error: str, size: int) -> None:
    """Log a refused or metaservice message; a failing log write is reported, not raised."""
    try:
        messagelog.append(messagelog.Message(
            request_id=ctx.request_id, started_at=ctx.started_at, client=ctx.client, service=ctx.service,
            method=(ctx.request.method or "GET").upper()[:16], path=ctx.path, status=status, error=error,
            user_id=ctx.user_id, issue=ctx.issue, duration_ms=(time.perf_counter() - ctx.t0) * 1000,
            request_size=len(ctx.body), response_size=size, request_sha256=hashlib.sha256(ctx.body).hexdigest(),
        ))
    except Exception:
        log.exception("gateway: message log write failed for a refused message (request %s)", ctx.request_id)
