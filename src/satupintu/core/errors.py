"""One exception hierarchy for the whole platform.

Each error maps once to an HTTP problem details response (RFC 9457) for the JSON APIs
(:func:`satupintu.core.api.problem_response`) and to a friendly page for HTML views.
``type`` URIs are relative to ``/problems/`` and stable, so clients can switch on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass
class FieldError:
    """One invalid input: ``field`` is the parameter or body path (``parent``, ``body.name``),
    ``rule`` a stable machine name (``max_length``, ``format``), ``message`` human text in the
    active language."""

    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": str(self.message)}


@dataclass
class SatupintuError(Exception):
    """Base of every error we raise on purpose. ``status`` is the HTTP status."""

    detail: str = ""
    status: int = 500
    type: str = "about:blank"
    title: Any = _("Internal error")
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return str(self.detail or self.title)


class NotFound(SatupintuError):
    """The object does not exist *or* the principal may not see it (same answer for both)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail=detail, status=404, type="/problems/not-found", title=_("Not found"))


class PermissionDenied(SatupintuError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(detail=detail, status=403, type="/problems/forbidden", title=_("Forbidden"))


class InvalidInput(SatupintuError):
    """Validation failure; ``errors`` names each field and the rule it broke."""

    def __init__(self, errors: list[FieldError], detail: str = "") -> None:
        super().__init__(
            detail=detail or str(_("The request has invalid fields.")),
            status=422,
            type="/problems/invalid-input",
            title=_("Invalid input"),
            errors=errors,
        )


class BodyInvalid(SatupintuError):
    """The request body cannot be used at all: not JSON (rule ``json``), nested deeper than the
    limit (``max_depth``) or not a JSON object (``object``). 400, one error naming ``body``."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(
            detail=message,
            status=400,
            type="/problems/invalid-body",
            title=_("Invalid request body"),
            errors=[FieldError("body", rule, message)],
        )


class BodyTooLarge(SatupintuError):
    """The request body is larger than ``limit`` bytes (``DATA_UPLOAD_MAX_MEMORY_SIZE``): 413, one
    error naming ``body`` with rule ``max_size``."""

    def __init__(self, limit: int) -> None:
        message = str(_("The body is larger than the limit of %(limit)s bytes.") % {"limit": limit})
        super().__init__(
            detail=message,
            status=413,
            type="/problems/body-too-large",
            title=_("Request too large"),
            errors=[FieldError("body", "max_size", message)],
        )


class Conflict(SatupintuError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(detail=detail, status=409, type="/problems/conflict", title=_("Conflict"))


class RateLimited(SatupintuError):
    def __init__(self, detail: str = "", retry_after: int = 60) -> None:
        super().__init__(detail=detail, status=429, type="/problems/rate-limited", title=_("Too many requests"))
        self.retry_after = retry_after
