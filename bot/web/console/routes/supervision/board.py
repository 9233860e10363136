"""The 三率 board: response, on-time completion and satisfaction rates per bank or district for a month
(or a year), each with the counts behind it and a link to the tickets it counts; and the assistant's
own figures (bot.outcomes): conversations answered without a person, handed over, not understood.

A district supervisor's board and ticket lists hold their district's tickets and callbacks only. The
assistant's conversations belong to no district: their figures are the city's, shown to the city.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from bot.board import GROUPINGS, Grouping, Measure, TicketStanding, parse_measure, three_rates, ticket_standings
from bot.knowledge import Knowledge
from bot.outcomes import COUNTED, assistant_figures
from bot.reports import Period
from bot.supervision import InvalidFilters, parse_period
from bot.thresholds import month_of
from bot.web.console.deps import SupervisorUser
from bot.web.console.models import ConsoleUser
from bot.web.console.routes.supervision.common import PREFIX, page, period_choices, scope_of
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, SessionDep
from bot.workdays import WorkdayCalendar

router = APIRouter(prefix=f"{PREFIX}/board", include_in_schema=False)
LIST_LIMIT = 500  # tickets listed per table: a whole city's month is thousands


def _grouping(raw: str) -> Grouping:
    return raw if raw in GROUPINGS else GROUPINGS[0]  # type: ignore[return-value]


def _context(knowledge: Knowledge, now: datetime, period_raw: str, by: Grouping) -> dict[str, object]:
    return {"choices": period_choices(now, knowledge), "form": {"period": period_raw[:20], "by": by},
            "groupings": [(g, knowledge.messages.text(f"console_board_by_{g}")) for g in GROUPINGS]}


def _period(now: datetime, raw: str) -> Period:
    return parse_period(raw or month_of(now).key)


@router.get("")
def board_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep, now: NowDep,
               user: SupervisorUser, period: str = "", by: str = "") -> Response:
    grouping = _grouping(by)
    context = _context(knowledge, now, period, grouping)
    try:
        chosen = _period(now, period)
    except InvalidFilters as exc:
        return page(request, "supervision/board.html", "board", user,
                    {**context, "errors": exc.explain_each(knowledge.messages), "board": None}, status_code=400)
    board = three_rates(session, period=chosen, by=grouping, knowledge=knowledge, calendar=calendar, now=now,
                        scope=scope_of(user))
    context["form"] = {"period": chosen.key, "by": grouping}
    city = scope_of(user) is None
    assistant = assistant_figures(session, period=chosen) if city else None
    return page(request, "supervision/board.html", "board", user, {
        **context, "errors": {}, "board": board, "period": chosen,
        "ack_days": knowledge.rules.ticket_due.acknowledgement.working_days, "assistant": assistant,
        "outcomes": [(o.value, knowledge.messages.text(f"console_board_outcome_{o.value}")) for o in COUNTED],
    })


@router.get("/tickets")
def board_tickets(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep,
                  now: NowDep, user: SupervisorUser, period: str = "", by: str = "", measure: str = "",
                  key: str = "", unassigned: str = "") -> Response:
    """The transfer tickets behind one rate: those counted, in time or not, and those not counted yet."""
    grouping = _grouping(by)
    chosen_measure = parse_measure(measure) or Measure.response
    context = {**_context(knowledge, now, period, grouping), "measure": chosen_measure.value,
               "measure_label": knowledge.messages.text(f"console_board_measure_{chosen_measure.value}"),
               "key": key[:64], "unassigned": bool(unassigned)}
    try:
        chosen = _period(now, period)
    except InvalidFilters as exc:
        return page(request, "supervision/board_tickets.html", "board", user,
                    {**context, "errors": exc.explain_each(knowledge.messages), "standings": None}, status_code=400)
    standings = _standings(session, knowledge, calendar, now, user, chosen, grouping, key=key,
                           unassigned=bool(unassigned))
    return page(request, "supervision/board_tickets.html", "board", user, {
        **context, "errors": {}, "period": chosen, "standings": standings, "limit": LIST_LIMIT,
        "counted": [s for s in standings if s.counted(chosen_measure) is not None],
        "pending": [s for s in standings if s.counted(chosen_measure) is None],
    })


def _standings(session: Session, knowledge: Knowledge, calendar: WorkdayCalendar, now: datetime, user: ConsoleUser,
               period: Period, by: Grouping, *, key: str, unassigned: bool) -> list[TicketStanding]:
    standings = ticket_standings(session, period=period, knowledge=knowledge, calendar=calendar, now=now,
                                 scope=scope_of(user))
    if unassigned:
        return [s for s in standings if s.key(by) is None]
    if key:
        return [s for s in standings if s.key(by) == key]
    return standings
