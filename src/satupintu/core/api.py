"""The platform's JSON API (django-ninja), mounted at ``/api/v1/``.

Every error leaves as ``application/problem+json`` (RFC 9457) with ``type``, ``title``,
``status``, ``detail`` and, for validation failures, ``errors: [{field, rule, message}]``.
Apps add their routers with :func:`register_router` from their ``AppConfig.ready``-free
``api`` modules imported below, so the OpenAPI document lists every operation.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from pydantic import ValidationInfo, model_validator
from pydantic_core import PydanticKnownError

from satupintu.core.errors import BodyInvalid, BodyTooLarge, FieldError, SatupintuError

MAX_JSON_DEPTH = 32

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "rule", "message"],
                "properties": {
                    "field": {"type": "string"},
                    "rule": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    detail: str = "",
    type_: str = "about:blank",
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """Build an RFC 9457 problem details response (``application/problem+json``)."""
    body: dict[str, Any] = {"type": type_, "title": str(title), "status": status}
    if detail:
        body["detail"] = str(detail)
    body["instance"] = request.path
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json"
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _not_json_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity, -Infinity: accepted by Python's json, not JSON (RFC 8259 §6)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999 would become Infinity, which JSON columns refuse
        raise ValueError(text)
    return number


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """``raw`` (a request body) as a JSON object (RFC 8259), else :class:`BodyInvalid` (400) with a
    translated message that never carries the parser's own text: rule ``json`` (not JSON, with the
    line and column when known; also ``NaN``/``Infinity``, numbers beyond a double's range and text
    with a lone surrogate escape, which no database column can store), ``max_depth`` (objects and
    arrays nested more than :data:`MAX_JSON_DEPTH` levels: no form of the platform needs more, and
    the standard parser would fail with a recursion error far below the request size limit) or
    ``object`` (valid JSON that is not an object, e.g. ``[]``). Used by every :class:`ProblemAwareNinjaAPI` and by views
    that read JSON bodies themselves (e.g. the population register)."""
    too_deep = BodyInvalid("max_depth", _("The body is nested too deeply (at most %(limit)d levels).")
                           % {"limit": MAX_JSON_DEPTH})
    try:
        data = json.loads(raw, parse_constant=_not_json_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise BodyInvalid("json", _("The body is not valid JSON (line %(line)d, column %(column)d).")
                          % {"line": exc.lineno, "column": exc.colno}) from None
    except RecursionError:
        raise too_deep from None
    except ValueError:  # not UTF-8/16/32, a NaN or Infinity, an integer of more than 4,300 digits
        raise BodyInvalid("json", _("The body is not valid JSON.")) from None
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise too_deep
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise BodyInvalid("json", _("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BodyInvalid("object", _("The body must be a JSON object."))
    return data


class ObjectSchema(Schema):
    """Base of request-body schemas: the value must be a JSON object. (A plain ninja ``Schema``
    reads attributes, so a nested ``3``, ``"x"`` or ``[]`` would silently become an object with
    every default.) A non-object is the pydantic error ``dict_type``, named by its field."""

    @model_validator(mode="wrap")
    @classmethod
    def _only_objects(cls, values: Any, handler: Any, info: ValidationInfo) -> Any:
        if not isinstance(values, dict | Schema):
            raise PydanticKnownError("dict_type")
        return handler(values)


def _field_path(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja locations look like ("query", "parent"), ("file", "file") or ("body", "payload", "name").
    parts = [str(p) for p in loc]
    if len(parts) >= 2 and parts[0] in {"query", "path", "header", "cookie", "file", "form"}:
        return ".".join(parts[1:])
    if len(parts) >= 2 and parts[0] == "body":
        return ".".join(parts[2:] if len(parts) > 2 else parts[1:])
    return ".".join(parts)


def _pydantic_message(kind: str, ctx: dict[str, Any], fallback: str) -> str:
    """A translated message for a pydantic error type (the user's language), else pydantic's text."""
    messages: dict[str, str] = {
        "missing": _("This field is required."),
        "string_too_long": _("At most %(max_length)s characters."),
        "string_too_short": _("At least %(min_length)s characters."),
        "string_pattern_mismatch": _("Does not have the required format."),
        "string_type": _("Must be text."),
        "int_parsing": _("Must be a whole number."),
        "int_type": _("Must be a whole number."),
        "int_from_float": _("Must be a whole number."),
        "float_parsing": _("Must be a number."),
        "decimal_parsing": _("Must be a number."),
        "bool_parsing": _("Must be true or false."),
        "greater_than_equal": _("Must be at least %(ge)s."),
        "less_than_equal": _("Must be at most %(le)s."),
        "greater_than": _("Must be more than %(gt)s."),
        "less_than": _("Must be less than %(lt)s."),
        "date_parsing": _("Must be a date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Must be a date (YYYY-MM-DD)."),
        "datetime_parsing": _("Must be a date and time (ISO 8601)."),
        "json_invalid": _("The body is not valid JSON."),
        "dict_type": _("Must be a JSON object."),
        "list_type": _("Must be a list."),
        "bool_type": _("Must be true or false."),
        "float_type": _("Must be a number."),
        "too_long": _("At most %(max_length)s items."),
        "too_short": _("At least %(min_length)s items."),
        "literal_error": _("Must be one of: %(expected)s."),
        "enum": _("Must be one of: %(expected)s."),
        "value_error": fallback,
    }
    template = messages.get(kind)
    if template is None:
        return fallback
    try:
        return template % {k: str(v) for k, v in ctx.items()} if "%(" in template else template
    except (KeyError, TypeError, ValueError):
        return template


_RULES = {
    "missing": "required",
    "string_too_long": "max_length",
    "string_too_short": "min_length",
    "string_pattern_mismatch": "pattern",
    "int_parsing": "integer",
    "greater_than_equal": "min_value",
    "less_than_equal": "max_value",
    "greater_than": "min_value",
    "less_than": "max_value",
    "json_invalid": "json",
}


def _on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        kind = str(err.get("type", "invalid"))
        errors.append(
            FieldError(
                field=_field_path(err.get("loc", ())),
                rule=_RULES.get(kind, kind),
                message=_pydantic_message(kind, dict(err.get("ctx") or {}), str(err.get("msg", ""))),
            )
        )
    return problem_response(
        request,
        status=422,
        title=_("Invalid input"),
        detail=_("The request has invalid fields."),
        type_="/problems/invalid-input",
        errors=errors,
    )


def error_response(request: HttpRequest, exc: SatupintuError) -> HttpResponse:
    """The problem response (RFC 9457) of one of our errors, as every ninja API answers it; for
    plain Django views that speak JSON (e.g. the population register)."""
    return _on_platform_error(request, exc)


def _on_platform_error(request: HttpRequest, exc: SatupintuError) -> HttpResponse:
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    return problem_response(
        request,
        status=exc.status,
        title=str(exc.title),
        detail=str(exc.detail),
        type_=exc.type,
        errors=exc.errors,
        headers=headers,
    )


def _on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        status=401,
        title=_("Unauthorized"),
        type_="/problems/unauthorized",
        headers={"WWW-Authenticate": "Bearer"},
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps any failure of the body parser in HttpError(400, "Cannot parse request body",
    # with the parser's own text under DEBUG): answer the parser's BodyInvalid instead, and never
    # that text.
    if isinstance(exc.__cause__, SatupintuError):
        return _on_platform_error(request, exc.__cause__)
    if exc.__cause__ is not None:
        return _on_platform_error(request, BodyInvalid("json", _("The body is not valid JSON.")))
    return problem_response(request, status=exc.status_code, title=str(exc.message))


def _on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django raises it on the first read of request.body, which ninja does outside its own error
    # handling: without this it would be a 500.
    return _on_platform_error(request, BodyTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))


def _on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # Django raises it on the first read of request.POST/FILES of a broken multipart body (e.g. no
    # boundary): the client's mistake, not a 500.
    return _on_platform_error(request, BodyInvalid("multipart", _("The request body cannot be read (malformed "
                                                                  "multipart).")))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    import logging

    logging.getLogger("satupintu.api").exception("Unhandled API error")
    return problem_response(request, status=500, title=_("Internal error"))


def install_problem_handlers(target: NinjaAPI) -> None:
    """Give another NinjaAPI (e.g. the GovStack Registration API) the same RFC 9457 error handling."""
    for exc_class, handler in ((NinjaValidationError, _on_validation_error), (SatupintuError, _on_platform_error),
                               (AuthenticationError, _on_auth_error), (HttpError, _on_http_error),
                               (RequestDataTooBig, _on_too_large), (MultiPartParserError, _on_bad_multipart),
                               (Exception, _on_unexpected)):
        target.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]


class JsonObjectParser(Parser):
    """The body parser of every :class:`ProblemAwareNinjaAPI`: :func:`parse_json_object`, so a
    body that is not a JSON object gets a clear, translated 400 instead of the parser's own text."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return parse_json_object(request.body)


class ProblemAwareNinjaAPI(NinjaAPI):
    """NinjaAPI of the platform: every error is an RFC 9457 problem (the handlers below), JSON
    bodies are read by :class:`JsonObjectParser`, and the OpenAPI document declares the problem
    responses every operation can give: ``4XX`` as ``application/problem+json``, unless the
    operation documents its own."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parser", JsonObjectParser())
        super().__init__(**kwargs)
        install_problem_handlers(self)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        problem = {"description": "Problem details (RFC 9457)",
                   "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("4XX", problem)
        return schema


api = ProblemAwareNinjaAPI(
    title="satupintu API",
    version="1",
    description="One portal, one login, one data exchange. Errors are RFC 9457 problem details.",
    urls_namespace="api",
    docs_url="/docs",
)


def _mount_routers() -> None:
    from satupintu.catalog.api import router as catalog_router
    from satupintu.documents.api import router as documents_router
    from satupintu.exchange.api import router as exchange_data_router
    from satupintu.regions.api import router as regions_router

    api.add_router("/regions", regions_router, tags=["regions"])
    api.add_router("/services", catalog_router, tags=["services"])
    api.add_router("/documents", documents_router, tags=["documents"])
    api.add_router("/data", exchange_data_router, tags=["data tracker"])


_mount_routers()
