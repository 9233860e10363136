"""Routers of the bank API, one per resource, gathered under ``api_router`` (prefix /api/bank)."""

from fastapi import APIRouter

from bot.web.api.routes import self_inspections, tickets

api_router = APIRouter()
api_router.include_router(tickets.router)
api_router.include_router(self_inspections.router)

__all__ = ["api_router"]
