"""Which network addresses the gateway may forward to (ADR 0134): the one check for a service's
``backend_url``, used when the directory saves a service (:meth:`Service.clean`) and when the
gateway loads a route (:func:`satupintu.exchange.directory.route`, so at most once per directory
cache period per route, never per message).

Backend URLs come only from the directory, but agency admins write the directory: without this
check an agency admin could point "their" service at the gateway host itself (loopback: the
portal's internal endpoints, the database, Redis) or at a cloud metadata address (link-local
``169.254.169.254``) and read the answers through the gateway (server-side request forgery,
OWASP API Security Top 10 2023 API7).

Rule, per address the host name resolves to (every one must pass):

* ``SATUPINTU_EXCHANGE_BACKEND_ALLOWED_NETWORKS`` set (comma-separated CIDRs): the address must be
  in one of them; nothing else is consulted (a deployment that serves the population register from
  the platform itself over loopback lists ``127.0.0.1/32`` here, with its agencies' networks);
* otherwise the address must not be in ``SATUPINTU_EXCHANGE_BACKEND_DENIED_NETWORKS``: by default
  unspecified, link-local (cloud metadata) and multicast addresses everywhere, and loopback too in
  production. Private networks (RFC 1918) stay allowed: agencies' backends usually live there.

IPv4-mapped IPv6 addresses (``::ffff:127.0.0.1``) are checked as the IPv4 address they carry.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
from django.conf import settings
from django.utils.translation import gettext as _

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def address_allowed(address: IPAddress) -> bool:
    """Whether the gateway may connect to ``address`` under the module's rule (settings read on
    every call, so tests and a reconfigured process see the current values)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    allowed = _networks(tuple(settings.SATUPINTU_EXCHANGE_BACKEND_ALLOWED_NETWORKS))
    if allowed:
        return any(address in net for net in allowed)
    return not any(address in net for net in _networks(tuple(settings.SATUPINTU_EXCHANGE_BACKEND_DENIED_NETWORKS)))


def refusal(url: str, *, unresolvable_ok: bool = False) -> str | None:
    """Why the gateway may not forward to ``url`` (a translated sentence), or ``None`` when it may.

    The host is an IP literal, ``localhost`` (checked as ``127.0.0.1``) or a name, which is
    resolved (``getaddrinfo``) and every address it gives checked. A name that does not resolve is
    refused, unless ``unresolvable_ok`` (saving a service whose host only the gateway's network can
    resolve): the gateway checks it again when it loads the route.
    """
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return _("The backend URL is not a valid URL.")
    if not host:
        return _("The backend URL has no host.")
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        if host.rstrip(".").lower() == "localhost" or host.rstrip(".").lower().endswith(".localhost"):
            addresses = [ipaddress.ip_address("127.0.0.1")]
        else:
            try:
                infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80),
                                           type=socket.SOCK_STREAM)
            except (OSError, UnicodeError):
                return None if unresolvable_ok else _("The backend host %(host)s cannot be resolved.") % {"host": host}
            addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        if not address_allowed(address):
            return _("The gateway may not forward to %(address)s (a loopback, link-local or otherwise "
                     "reserved address, or outside the networks this platform allows for backends).") % {
                "address": str(address)}
    return None


class AddressNotAllowed(httpcore.ConnectError):
    """The backend host resolved, at connection time, to an address the gateway may not connect to."""


class CheckedNetworkBackend(httpcore.SyncBackend):
    """httpcore's synchronous network backend, with the rule of this module applied when a
    connection is opened (ADR 0134 addendum): the host name is resolved once, every address it
    gives must pass :func:`address_allowed`, and the socket connects to one of *those* addresses.
    So a name whose DNS answer changes after the route was checked (DNS rebinding) cannot lead
    the gateway elsewhere; reused keep-alive connections were checked when they were opened.
    Raises :class:`AddressNotAllowed` (an ``httpcore.ConnectError``, which httpx raises as
    ``httpx.ConnectError`` with this as its cause) when an address is refused, or what the
    connection raised."""

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
        for address in addresses:
            if not address_allowed(ipaddress.ip_address(address)):
                raise AddressNotAllowed(f"{host} resolves to {address}, which the gateway may not connect to")
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                           socket_options=socket_options)
            except httpcore.ConnectError as exc:  # the next address, as socket.create_connection does
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host}")
