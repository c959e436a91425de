"""A browser-like user agent for the OIDC tests: signs in through the real pages and
answers the consent screen. Returns the redirect URL the relying party would receive."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import httpx


class Browser:
    """An httpx client with cookies that does not follow redirects (so tests see them)."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)

    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken") or ""

    def sign_in(self, login: str, password: str) -> httpx.Response:
        self.http.get("/akun/login/")
        response = self.http.post("/akun/login/", data={"login": login, "password": password,
                                                          "csrfmiddlewaretoken": self.csrf()})
        assert response.status_code == 302, response.text[:2000]
        return response

    def authorize(self, url: str, *, allow: bool = True) -> str:
        """Open the authorization URL; consent if asked; return the final redirect Location."""
        response = self.http.get(url)
        if response.status_code == 200 and 'name="allow"' in response.text:
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text))
            fields = {k: _unescape(v) for k, v in fields.items()}
            fields["csrfmiddlewaretoken"] = self.csrf()
            if allow:
                fields["allow"] = "Authorize"
            path = urlparse(url).path
            response = self.http.post(path, data=fields)
        assert response.status_code == 302, (response.status_code, response.text[:3000])
        return response.headers["Location"]


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
