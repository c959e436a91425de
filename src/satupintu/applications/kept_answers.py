"""Answers kept across a sign-in (ADR 0139): an application form posted by a visitor whose session
has ended (expired, or signed out in another tab) is not lost.

:func:`keep` stores the posted *non-file* answers of one form in the (anonymous) session, bounded
in size, under the form's URL and posted schema version; the visitor is then sent to sign in.
:func:`take` hands them back once, to the same form page after sign-in, where they only pre-fill
the form (a partial, bound :class:`~satupintu.applications.forms_engine.SchemaForm`): nothing is
saved or submitted until the citizen presses a button again, and every rule is checked then.

What is never kept: file contents (the citizen chooses files again), references to kept uploads
(``_staged-…``), the CSRF token and the buttons that were pressed. Kept answers expire after
:data:`TTL_SECONDS`, go with the session at sign-out, and are dropped when another user signs in
on the same session (Django flushes it).

Kept answers belong to the person who opened the form: the form carries :data:`OWNER_FIELD`, a
keyed hash (``SECRET_KEY``) of the signed-in user and the page, and :func:`take` hands answers back
only to that same user on that same page. On a shared computer, answers typed by one person whose
session ended are never shown to the next person who signs in on that browser, and nobody can plant
answers for another person to send (the tag cannot be made without the server's key).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import DisallowedHost, SuspiciousOperation
from django.http import HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.datastructures import MultiValueDict

from satupintu.applications.forms_engine import ADD_PREFIX, REMOVE_PREFIX, STAGED_PREFIX, VERSION_FIELD
from satupintu.regions.forms import REFRESH_BUTTON

SESSION_KEY = "applications_kept_answers"
OWNER_FIELD = "_kept_for"
_OWNER_SALT = "satupintu.applications.kept_answers.owner"
# Together (names and values as stored in the session, JSON with escapes): a long form with a few
# long texts fits in 32 KiB; a POST that does not fit keeps what fits, in page order, and says some
# answers were not kept.
MAX_BYTES = 32 * 1024
MAX_NAME_CHARS = 100
TTL_SECONDS = 2 * 60 * 60
_BUTTONS = frozenset({"_review", "_save", "csrfmiddlewaretoken", REFRESH_BUTTON, OWNER_FIELD})
_DROPPED_PREFIXES = (STAGED_PREFIX, ADD_PREFIX, REMOVE_PREFIX)


@dataclass(frozen=True)
class KeptAnswers:
    """Answers handed back by :func:`take`: ``data`` (input name → posted values, the form's
    ``_version`` set to the current one), ``files_dropped`` (files or kept uploads were posted
    and must be chosen again), ``incomplete`` (some answers did not fit and were not kept),
    ``form_changed`` (they were typed into another version of the form than the one shown now)."""

    data: MultiValueDict[str, str]
    files_dropped: bool
    incomplete: bool
    form_changed: bool


def owner_tag(user_pk: object, path: str) -> str:
    """The value of the form's hidden :data:`OWNER_FIELD` for the signed-in user ``user_pk`` on the
    form page ``path``: HMAC-SHA256 (Django's ``salted_hmac``, keyed by ``SECRET_KEY``), hex, 64
    characters. Only the server can make it; it names nobody to whoever reads the page."""
    return salted_hmac(_OWNER_SALT, f"{user_pk}:{path}", algorithm="sha256").hexdigest()


def keep(request: HttpRequest) -> bool:
    """Keep the non-file answers of ``request`` (a POST of an application form by an anonymous
    visitor) in its session under ``request.path``, replacing any answers kept before.

    Only a POST carrying the form's :data:`OWNER_FIELD` is kept (the tag is kept with the answers
    and checked by :func:`take`); without it nothing is kept.

    Bounds: names longer than :data:`MAX_NAME_CHARS` are skipped; entries are kept in posted order
    while names and values together, counted as stored (JSON, with its escapes), stay within
    :data:`MAX_BYTES`; a value that does not fit
    is left out whole, never cut, and the answers are marked incomplete. NUL characters are removed.
    Never raises on odd input: a POST that cannot be read keeps nothing. ``True`` when something
    was kept (answers, or the fact that files must be chosen again)."""
    try:
        posted = request.POST
        files_posted = bool(request.FILES)
    except (MultiPartParserError, SuspiciousOperation, UnreadablePostError):  # an unreadable body keeps nothing
        return False
    owner = str(posted.get(OWNER_FIELD, ""))
    if len(owner) != 64:  # noqa: PLR2004 - a hex SHA-256
        return False
    data: list[list[Any]] = []
    used = 0
    incomplete = False
    staged = False
    for name in posted:
        if name.startswith(STAGED_PREFIX):
            staged = staged or any(posted.getlist(name))
            continue
        if name in _BUTTONS or name.startswith(_DROPPED_PREFIXES) or len(name) > MAX_NAME_CHARS:
            continue
        values = []
        for value in posted.getlist(name):
            clean = str(value).replace("\x00", "")
            size = len(json.dumps(name)) + len(json.dumps(clean))
            if used + size > MAX_BYTES:
                incomplete = True
                continue
            used += size
            values.append(clean)
        if values:
            data.append([name.replace("\x00", ""), values])
    if not data and not files_posted and not staged:
        return False
    request.session[SESSION_KEY] = {
        "path": request.path, "owner": owner, "version": str(posted.get(VERSION_FIELD, ""))[:12].replace("\x00", ""),
        "at": int(time.time()), "data": data, "files": files_posted or staged, "incomplete": incomplete}
    return True


def from_this_site(request: HttpRequest) -> bool:
    """Whether the browser says ``request`` was sent by a page of this site: its ``Origin`` header
    (set by the browser, not by a page's script) is this site's own scheme and host. A missing
    ``Origin``, ``null`` or another site's origin is ``False``."""
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return False
    return request.META.get("HTTP_ORIGIN") == own


def take(request: HttpRequest, *, version: int) -> KeptAnswers | None:
    """The answers kept for this page (``request.path``), removed from the session: they are shown
    once. ``None`` when there are none for this page, when they are older than :data:`TTL_SECONDS`,
    or when the form they were typed into was opened by another user than ``request.user`` (both
    of these: they are removed too). Answers kept for another page stay for that page.

    ``version``: the schema version the page shows; the answers are handed back for it (their
    ``_version`` replaced), so a form changed in between does not refuse them as stale: the notice
    asks the citizen to check every answer anyway, and every rule is checked again on save."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict):
        return None
    if not isinstance(kept.get("at"), int) or time.time() - kept["at"] > TTL_SECONDS:
        del request.session[SESSION_KEY]
        return None
    if kept.get("path") != request.path:
        return None
    del request.session[SESSION_KEY]
    owner = kept.get("owner")
    if not isinstance(owner, str) or not constant_time_compare(owner, owner_tag(request.user.pk, request.path)):
        return None
    data: MultiValueDict[str, str] = MultiValueDict()
    for entry in kept.get("data") or []:
        if (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                and isinstance(entry[1], list) and all(isinstance(v, str) for v in entry[1])):
            data.setlist(entry[0], entry[1])
    data[VERSION_FIELD] = str(version)
    return KeptAnswers(data=data, files_dropped=bool(kept.get("files")), incomplete=bool(kept.get("incomplete")),
                       form_changed=kept.get("version") != str(version))
