"""``console_router``: every page of the console.

The router has no prefix: each module's router carries its own full prefix, e.g.
``router = APIRouter(prefix="/console/assist", include_in_schema=False)``, and its paths must
fall under an area of ``bot.web.console.access.AREAS`` (the role tests check every route against it).
One include line per module below.
"""

from fastapi import APIRouter

from bot.web.console.routes import assist, auth, callbacks, handoff, notices, self_inspections, supervision, users

console_router = APIRouter(include_in_schema=False)
console_router.include_router(auth.router)
console_router.include_router(users.router)
console_router.include_router(assist.router)
console_router.include_router(notices.router)
console_router.include_router(handoff.router)
console_router.include_router(callbacks.router)
console_router.include_router(supervision.router)
console_router.include_router(self_inspections.router)
