"""The supervision home page: warnings before a deadline is missed, and after; bursts of complaints
before any rule of Art. 43–48 is reached; this week's on-site inspections against the minimum of
Art. 29, so a district behind sees it before the week ends."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from bot.inspections import weekly_compliance
from bot.supervision import deadline_alerts
from bot.supervision.bursts import burst_panel
from bot.web.console.deps import SupervisorUser
from bot.web.console.routes.supervision.common import PREFIX, page, scope_of, today_of
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, SessionDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@router.get("")
def overview(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep, now: NowDep,
             user: SupervisorUser) -> Response:
    alerts = deadline_alerts(session, scope=scope_of(user), now=now, calendar=calendar, knowledge=knowledge)
    compliance = weekly_compliance(session, scope=scope_of(user), today=today_of(now), knowledge=knowledge, weeks=0)
    return page(request, "supervision/overview.html", "overview", user, {
        "alerts": alerts, "list_link": lambda query: f"{PREFIX}/tickets?{urlencode(query)}",
        "bursts": burst_panel(session, now=now, knowledge=knowledge, scope=scope_of(user)),
        "compliance": compliance, "limit": knowledge.rules.deadlines.district_inspection,
    })
