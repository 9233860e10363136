"""Every refusal of the bank API has one shape: ``{"detail": {"message": <sentence>, "field": <name or null>}}``.

Ledger errors map to statuses by kind; request validation errors (pydantic) name the first
field at fault; plain HTTP errors (401, 404 of an unknown path, 405 …) keep their status. The sentences are the
catalogue's (knowledge/bank_api.yml, knowledge/errors.yml), in the application's knowledge.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from bot.knowledge.catalogue import Catalogue
from bot.ledger.errors import (
    ExtensionRefused,
    InvalidInput,
    InvalidTransition,
    LedgerError,
    NotFound,
    ObjectionRefused,
)
from bot.self_inspections import (
    DocumentRefused,
    DocumentTooLarge,
    EmptyDocument,
    InvalidPeriod,
    PeriodNotEnded,
    SelfInspectionError,
    SubmissionConflict,
    SubmissionNotFound,
)
from bot.web.api.rate_limit import RateLimited
from bot.workdays import UnknownYearError

# A refused extension or objection is a well-formed request that conflicts with the ticket's
# timing (like a step in the wrong state), not a malformed one: 409, as InvalidTransition.
LEDGER_STATUS: dict[type[LedgerError], int] = {
    NotFound: status.HTTP_404_NOT_FOUND,
    InvalidInput: status.HTTP_422_UNPROCESSABLE_CONTENT,
    InvalidTransition: status.HTTP_409_CONFLICT,
    ExtensionRefused: status.HTTP_409_CONFLICT,
    ObjectionRefused: status.HTTP_409_CONFLICT,
}

# A summary for a period still running is well-formed but early (409, like a step in the wrong
# state); a file that is no PDF/DOCX/XLSX is an unsupported media type whatever it was labelled.
SELF_INSPECTION_STATUS: dict[type[SelfInspectionError], int] = {
    InvalidPeriod: status.HTTP_422_UNPROCESSABLE_CONTENT,
    EmptyDocument: status.HTTP_422_UNPROCESSABLE_CONTENT,
    PeriodNotEnded: status.HTTP_409_CONFLICT,
    DocumentRefused: status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    DocumentTooLarge: status.HTTP_413_CONTENT_TOO_LARGE,
    SubmissionNotFound: status.HTTP_404_NOT_FOUND,
    SubmissionConflict: status.HTTP_409_CONFLICT,
}

# Catalogue keys (knowledge/bank_api.yml) of the statuses raised without a message of their own.
HTTP_MESSAGES = {
    400: "api_bad_request",
    401: "api_unauthorized",
    404: "api_not_found",
    405: "api_method_not_allowed",
    413: "api_too_large",
    415: "api_unsupported_media_type",
    429: "api_too_many_requests",
}
# pydantic error types whose sentence needs only the field's name.
_FIELD_MESSAGES = {
    "string_too_short": "api_field_empty",
    "extra_forbidden": "api_field_unknown",
    "string_type": "api_field_not_text",
    "model_attributes_type": "api_field_not_object",
    "dict_type": "api_field_not_object",
    "model_type": "api_field_not_object",
    "int_type": "api_field_not_integer",
    "int_parsing": "api_field_not_integer",
    "int_from_float": "api_field_not_integer",
}
_BOUND_MESSAGES = {
    "greater_than_equal": "api_field_at_least",
    "less_than_equal": "api_field_at_most",
    "greater_than": "api_field_above",
    "less_than": "api_field_below",
}


def allowed_methods(app: FastAPI, path: str) -> set[str]:
    """Every method some route serves at `path`. Starlette's 405 names only the first route that
    matched the path, and a resource listed with GET and created with POST is two routes."""
    methods: set[str] = set()
    for route in iter_route_contexts(app.routes):
        if route.path and route.methods and compile_path(route.path)[0].match(path):
            methods |= set(route.methods)
    return methods


def error_body(message: str, field: str | None = None) -> dict[str, Any]:
    return {"detail": {"message": message, "field": field}}


def ledger_status(exc: LedgerError) -> int:
    for cls in type(exc).__mro__:
        if cls in LEDGER_STATUS:
            return LEDGER_STATUS[cls]  # type: ignore[index]
    return status.HTTP_400_BAD_REQUEST


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else \
        [str(p) for p in loc]
    return ".".join(parts) or None


def validation_message(error: dict[str, Any], messages: Catalogue) -> tuple[str, str | None]:
    """The sentence for one pydantic error, and the field it concerns."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    field = _field_of(tuple(error.get("loc", ())))
    if kind == "json_invalid":
        return messages.render("api_json_invalid"), None
    if kind == "missing":
        return (messages.render("api_field_missing", field=field) if field
                else messages.render("api_body_missing")), field
    # An error of the body as a whole names the body where a field's name would stand.
    name = field or messages.text("api_the_body")
    if kind == "string_too_long":
        return messages.render("api_field_too_long", field=name, max_length=ctx.get("max_length")), field
    if kind.startswith(("date", "datetime")):
        return messages.render("api_field_not_date", field=name), field
    if kind in _FIELD_MESSAGES:
        return messages.render(_FIELD_MESSAGES[kind], field=name), field
    if kind in _BOUND_MESSAGES:
        return messages.render(_BOUND_MESSAGES[kind], field=name, bound=next(iter(ctx.values()), "")), field
    if kind == "enum":
        return messages.render("api_field_not_one_of", field=name, expected=ctx.get("expected", "")), field
    if kind == "string_pattern_mismatch":
        # \S is the contract's "not blank" pattern (bot/web/api/models.py); any other is a format.
        key = "api_field_blank" if ctx.get("pattern") == r"\S" else "api_field_bad_format"
        return messages.render(key, field=name), field
    return messages.render("api_field_invalid", field=name, reason=error.get("msg", "")), field


def _messages(request: Request) -> Catalogue:
    return request.app.state.knowledge.messages


async def _ledger_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LedgerError)
    message = _messages(request).explain(exc)
    return JSONResponse(error_body(message, exc.field), status_code=ledger_status(exc))


async def _self_inspection_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SelfInspectionError)
    code = next((SELF_INSPECTION_STATUS[cls] for cls in type(exc).__mro__ if cls in SELF_INSPECTION_STATUS),
                status.HTTP_409_CONFLICT)
    return JSONResponse(error_body(_messages(request).explain(exc), exc.field), status_code=code)


async def _unknown_year(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnknownYearError)
    return JSONResponse(error_body(_messages(request).render("api_calendar_missing", year=exc.year)),
                        status_code=status.HTTP_409_CONFLICT)


async def _rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimited)
    message = _messages(request).render("api_rate_limited", limit=exc.policy.limit,
                                        window=exc.policy.window_seconds, seconds=exc.retry_after)
    return JSONResponse(error_body(message), status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                        headers={"Retry-After": str(exc.retry_after)})


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors, messages = list(exc.errors()), _messages(request)
    message, field = validation_message(errors[0], messages) if errors else \
        (messages.render("api_request_invalid"), None)
    return JSONResponse(error_body(message, field), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    if exc.status_code == status.HTTP_400_BAD_REQUEST and multipart:
        # python-multipart could not read the form (an upload): say what the body should have been.
        return JSONResponse(error_body(_messages(request).render("api_multipart_invalid")),
                            status_code=status.HTTP_400_BAD_REQUEST)
    if exc.status_code == status.HTTP_400_BAD_REQUEST and detail == "There was an error parsing the body":
        # FastAPI's answer to a body that is not UTF-8: malformed JSON like any other.
        return JSONResponse(error_body(_messages(request).render("api_json_not_utf8")),
                            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        headers["Allow"] = ", ".join(sorted(allowed_methods(request.app, request.url.path)))
    if isinstance(detail, dict) and "message" in detail:
        body = {"detail": {"message": detail["message"], "field": detail.get("field")}}
    elif exc.status_code in HTTP_MESSAGES:
        body = error_body(_messages(request).render(HTTP_MESSAGES[exc.status_code]))
    else:  # a status the contract does not name keeps Starlette's own phrase
        body = error_body(str(detail))
    return JSONResponse(body, status_code=exc.status_code, headers=headers or None)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LedgerError, _ledger_error)
    app.add_exception_handler(SelfInspectionError, _self_inspection_error)
    app.add_exception_handler(UnknownYearError, _unknown_year)
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
