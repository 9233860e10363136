"""The supervision home page: warnings before a deadline is missed, and after."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from bot.supervision import deadline_alerts
from bot.web.console.deps import SupervisorUser
from bot.web.console.routes.supervision.common import PREFIX, page, scope_of
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, SessionDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("")
def overview(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep, now: NowDep,
             user: SupervisorUser) -> Response:
    alerts = deadline_alerts(session, scope=scope_of(user), now=now, calendar=calendar, knowledge=knowledge)
    return page(request, "supervision/overview.html", "overview", user, {
        "alerts": alerts, "list_link": lambda query: f"{PREFIX}/tickets?{urlencode(query)}",
    })
