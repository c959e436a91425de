"""Calling a service *through* the gateway, as a client subsystem of the platform itself (e.g. the
portal's form prefill). Every call is therefore a logged, signed exchange message, and a personal
data read lands in the citizen's data-access list.

The credential is an OAuth 2.0 access token (client credentials grant) supplied by ``token``: once
the identity branch is merged, pass a function that obtains and caches a token for the portal's
OAuth client at the platform's own provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


class ExchangeCallFailed(Exception):
    """The gateway refused or failed the call; ``status`` and ``xroad_error`` say why."""

    def __init__(self, status: int, xroad_error: str, request_id: str) -> None:
        super().__init__(f"exchange call failed: {status} {xroad_error} (request {request_id})")
        self.status, self.xroad_error, self.request_id = status, xroad_error, request_id


class TokenUnavailable(Exception):  # noqa: N818 - the X-Road-style name of the condition
    """No access token could be obtained for the calling subsystem (provider down, client refused)."""


@dataclass
class ExchangeClient:
    """``gateway_url``: base URL of the gateway; ``client_id``: this platform subsystem's
    ``INSTANCE/CLASS/MEMBER/SUBSYSTEM``; ``token``: returns a current bearer token."""

    gateway_url: str
    client_id: str
    token: Callable[[], str]
    timeout: float = 10.0

    def call(self, method: str, service: str, path: str, *, json: Any = None, user_id: str = "",
             purpose: str = "", issue: str = "") -> httpx.Response:
        """``{method} {gateway}/r1/{service}{path}``. ``service`` is
        ``INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE``. Returns the provider's response (any status
        the provider chose); raises :class:`ExchangeCallFailed` when the *gateway* answered with an
        ``X-Road-Error``, ``httpx.HTTPError`` when the gateway is unreachable, and whatever
        ``token`` raises (e.g. :class:`TokenUnavailable`)."""
        headers = {"X-Road-Client": self.client_id, "Authorization": f"Bearer {self.token()}"}
        if user_id:
            headers["X-Road-UserId"] = user_id
        if purpose:
            headers["X-Road-Purpose"] = purpose
        if issue:
            headers["X-Road-Issue"] = issue
        response = httpx.request(method, f"{self.gateway_url.rstrip('/')}/r1/{service}{path}", json=json,
                                 headers=headers, timeout=self.timeout, follow_redirects=False,
                                 trust_env=False)  # the gateway URL is configured; no proxy variables
        if response.headers.get("X-Road-Error"):
            raise ExchangeCallFailed(response.status_code, response.headers["X-Road-Error"],
                                     response.headers.get("X-Road-Request-Id", ""))
        return response
