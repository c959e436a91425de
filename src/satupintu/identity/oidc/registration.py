"""Checks of what a platform admin types when registering an OIDC client (back-office, ADR 0127):
the client's allowed scopes, and clear, translated messages for the redirect URIs that
django-oauth-toolkit refuses (its own messages are English-only and name an internal cause,
e.g. ``redirect uri URI Validation error. invalid_scheme``).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from oauth2_provider.scopes import get_scopes_backend

# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), i.e. printable ASCII except space,
# double quote and backslash.
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]+")


def offered_scopes() -> list[str]:
    """The scopes this provider offers (``OAUTH2_PROVIDER["SCOPES"]`` through DOT's scopes
    backend, the same list the authorization and token endpoints check requests against)."""
    return list(get_scopes_backend().get_all_scopes())


def clean_allowed_scopes(value: str) -> str:
    """Check the "allowed scopes" of a client and return them normalised.

    Input: the field as typed, scope tokens separated by white space. Output: the tokens in their
    first order, each once, joined by single spaces (RFC 6749 §3.3). Errors: one
    :class:`ValidationError` per bad token, naming it: code ``scope_syntax`` when the token has a
    character RFC 6749 §3.3 does not allow (space, ``"``, ``\\``, control or non-ASCII), code
    ``scope_unknown`` when it is not a scope this platform offers (:func:`offered_scopes`). Messages
    are in the active language (Indonesian by default)."""
    tokens = list(dict.fromkeys(value.split()))
    offered = offered_scopes()
    errors = []
    for token in tokens:
        if not SCOPE_TOKEN.fullmatch(token):
            errors.append(ValidationError(
                _("“%(scope)s” is not a valid scope: a scope may only contain printable ASCII characters "
                  "other than space, \" and \\ (RFC 6749 §3.3)."), code="scope_syntax", params={"scope": token}))
        elif token not in offered:
            errors.append(ValidationError(
                _("“%(scope)s” is not a scope this platform offers. Offered scopes: %(offered)s."),
                code="scope_unknown", params={"scope": token, "offered": ", ".join(offered)}))
    if errors:
        raise ValidationError(errors)
    return " ".join(tokens)


def friendly_uri_error(error: ValidationError, *, schemes: list[str]) -> ValidationError:
    """A clear, translated message for one redirect-URI error raised by django-oauth-toolkit's
    ``AllowedURIValidator`` (``Application.clean``); any other error is returned unchanged.

    Input: the error as DOT raised it (``params``: ``name``, ``value``, ``cause``) and the allowed
    URI schemes (``OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"]``). Output: a
    :class:`ValidationError` naming the URI and what to change (code ``redirect_uri_scheme``,
    ``redirect_uri_fragment``, ``redirect_uri_host`` or ``redirect_uri_invalid``). Rules: RFC 6749
    §3.1.2 (absolute URI, no fragment); the schemes are the provider's setting (RFC 8252 §7.3 for
    http loopback)."""
    raw = getattr(error, "params", None)
    params: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if "cause" not in params or "value" not in params:
        return error
    uri, cause = str(params["value"]), str(params["cause"])
    if cause == "invalid_scheme":
        return ValidationError(
            _("Redirect URI “%(uri)s” is not allowed: it must start with %(schemes)s."),
            code="redirect_uri_scheme", params={"uri": uri, "schemes": _(" or ").join(f"{s}://" for s in schemes)})
    if cause == "fragment not allowed":
        return ValidationError(_("Redirect URI “%(uri)s” must not contain a fragment (#)."),
                               code="redirect_uri_fragment", params={"uri": uri})
    if cause == "missing host":
        return ValidationError(_("Redirect URI “%(uri)s” has no host name."), code="redirect_uri_host",
                               params={"uri": uri})
    return ValidationError(
        _("Redirect URI “%(uri)s” is not a valid absolute URI (for example https://app.example.go.id/callback)."),
        code="redirect_uri_invalid", params={"uri": uri})
