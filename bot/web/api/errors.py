"""Every refusal of the bank API has one shape: ``{"detail": {"message": <中文>, "field": <name or null>}}``.

Ledger errors map to statuses by kind; request validation errors (pydantic) name the first
field at fault; plain HTTP errors (401, 404 of an unknown path, 405 …) keep their status.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.ledger.errors import (
    ExtensionRefused,
    InvalidInput,
    InvalidTransition,
    LedgerError,
    NotFound,
    ObjectionRefused,
)
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

_HTTP_MESSAGES = {
    400: "请求有误",
    401: "缺少或无效的 API 密钥",
    404: "没有找到",
    405: "不支持的请求方法",
    413: "请求体过大",
    415: "请求体须为 application/json",
}


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


def validation_message(error: dict[str, Any]) -> tuple[str, str | None]:
    """A Chinese sentence for one pydantic error, and the field it concerns."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    field = _field_of(tuple(error.get("loc", ())))
    if kind == "json_invalid":
        return "请求体不是有效的 JSON", None
    name = field or "请求体"
    if kind == "missing":
        return (f"缺少必填字段 {name}" if field else "缺少请求体"), field
    if kind == "string_too_long":
        return f"{name} 不能超过 {ctx.get('max_length')} 个字符", field
    if kind == "string_too_short":
        return f"{name} 不能为空", field
    if kind == "extra_forbidden":
        return f"不认识的字段 {name}", field
    if kind.startswith(("date", "datetime")):
        return f"{name} 须为日期，格式 YYYY-MM-DD", field
    if kind in ("string_type", "model_attributes_type", "dict_type", "model_type"):
        expected = "文本" if kind == "string_type" else "JSON 对象"
        return f"{name} 的类型不对，应为{expected}", field
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{name} 须为整数", field
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()), "")
        op = {"greater_than_equal": "不能小于", "less_than_equal": "不能大于",
              "greater_than": "须大于", "less_than": "须小于"}[kind]
        return f"{name} {op} {bound}", field
    if kind == "enum":
        return f"{name} 须为以下之一：{ctx.get('expected', '')}", field
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == r"\S":
            return f"{name} 不能为空或只有空白", field
        return f"{name} 的格式不对", field
    return f"{name} 不合法：{error.get('msg', '')}", field


async def _ledger_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LedgerError)
    message = request.app.state.knowledge.messages.explain(exc)
    return JSONResponse(error_body(message, exc.field), status_code=ledger_status(exc))


async def _unknown_year(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnknownYearError)
    return JSONResponse(error_body(
        f"{exc.year} 年的法定工作日安排尚未配置，暂时无法按工作日计算期限；请联系社会保险经办机构。"),
        status_code=status.HTTP_409_CONFLICT)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    message, field = validation_message(errors[0]) if errors else ("请求不合法", None)
    return JSONResponse(error_body(message, field), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if exc.status_code == status.HTTP_400_BAD_REQUEST and detail == "There was an error parsing the body":
        # FastAPI's answer to a body that is not UTF-8: malformed JSON like any other.
        return JSONResponse(error_body("请求体不是有效的 JSON（须为 UTF-8 编码）"),
                            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    if isinstance(detail, dict) and "message" in detail:
        body = {"detail": {"message": detail["message"], "field": detail.get("field")}}
    else:
        body = error_body(_HTTP_MESSAGES.get(exc.status_code, str(detail)))
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LedgerError, _ledger_error)
    app.add_exception_handler(UnknownYearError, _unknown_year)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
