"""Path normalisation for access checks and forwarding.

The access check and the forwarded request use the *same* normalised path, so a client cannot
make the gateway authorise one path and the provider serve another. Steps:

1. percent-decode repeatedly until stable (at most 3 rounds; ``%252e`` → ``%2e`` → ``.``), so
   encoded dots and encoded slashes become real ones *before* the check;
2. refuse NUL, other control characters and backslashes (Windows/IIS separators);
3. treat ``..;x`` and ``.;x`` (Tomcat path parameters) as ``..`` and ``.``;
4. collapse empty segments (``//``) and remove dot-segments (RFC 3986 §5.2.4).

The result starts with ``/`` and is forwarded re-encoded (RFC 3986 §3.3 ``pchar``).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

_BAD = re.compile(r"[\x00-\x1f\x7f\\]")
_SAFE = "/:@!$&'()*+,;=-._~"


class BadPath(ValueError):
    """The path cannot be normalised safely (control characters, backslash, endless encoding)."""


def normalise(raw: str) -> str:
    """Return the normalised absolute path for ``raw`` (may be empty); raise :class:`BadPath`."""
    path = raw
    for _round in range(4):
        try:
            decoded = unquote(path, errors="strict")
        except UnicodeDecodeError:
            raise BadPath("the path is not valid UTF-8 after percent-decoding") from None
        if decoded == path:
            break
        path = decoded
    else:
        raise BadPath("too many levels of percent-encoding")
    if _BAD.search(path):
        raise BadPath("control characters or backslashes are not allowed in the path")
    out: list[str] = []
    for segment in path.split("/"):
        base = segment.split(";", 1)[0]
        if segment == "" or base == ".":
            continue
        if base == "..":
            if out:
                out.pop()
            continue
        out.append(segment)
    normalised = "/" + "/".join(out)
    if path.endswith("/") and out:
        normalised += "/"
    return normalised


def encode(path: str) -> str:
    """Percent-encode a normalised path for the request line."""
    return quote(path, safe=_SAFE)


def covered(path: str, prefix: str) -> bool:
    """True when ``path`` is ``prefix`` or below it; ``/a`` covers ``/a`` and ``/a/b``, not ``/ab``."""
    if prefix in ("", "/"):
        return True
    if prefix.endswith("/"):
        return path.startswith(prefix) or path == prefix[:-1]
    return path == prefix or path.startswith(prefix + "/")
