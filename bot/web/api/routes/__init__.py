"""Routers of the bank API, one per resource, gathered under ``api_router`` (prefix /api/bank)."""

from typing import Any

from fastapi import APIRouter

from bot.web.api.models import ErrorPublic
from bot.web.api.routes import self_inspections, tickets

# Every operation takes the bank's key, and so may meet its rate limit (bot/web/api/rate_limit/).
RATE_LIMITED: dict[int | str, dict[str, Any]] = {429: {
    "model": ErrorPublic,
    "description": "本行的请求超过了频率上限；Retry-After 头给出再次调用前须等待的秒数",
    "headers": {"Retry-After": {"description": "再次调用前须等待的秒数（整数）", "schema": {"type": "integer"}}},
}}

api_router = APIRouter()
api_router.include_router(tickets.router, responses=RATE_LIMITED)
api_router.include_router(self_inspections.router, responses=RATE_LIMITED)

__all__ = ["api_router"]
