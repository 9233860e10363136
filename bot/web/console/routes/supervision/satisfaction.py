"""Satisfaction rates per bank, outlet and district for a month or a year (Art. 25(二), 40), and the
tickets still 不满意 after their reopening, waiting for a supervisor's decision.

A district supervisor's rates and decision list hold their district only, and they may decide only
on its tickets (another district's callback is "not found").
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from bot.knowledge import Knowledge
from bot.ledger.models import Ticket
from bot.reports import Period
from bot.satisfaction import GROUPINGS, CallbackError, CallbackNotFound, decide, overall, satisfaction_rates
from bot.web.console.callback_view import decision_list
from bot.supervision import InvalidFilters, parse_period
from bot.thresholds import month_of
from bot.web.console.audit import record_audit
from bot.web.console.deps import CsrfChecked, SupervisorUser
from bot.web.console.models import ConsoleUser
from bot.web.console.routes.supervision.common import PREFIX, not_found, page, period_choices, scope_of
from bot.web.deps import KnowledgeDep, NowDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/satisfaction", include_in_schema=False)


def _grouping(raw: str) -> str:
    return raw if raw in GROUPINGS else GROUPINGS[0]


def _page(request: Request, session: Session, knowledge: Knowledge, user: ConsoleUser, now: datetime, *,
          period_raw: str, by: str, error: str | None = None, flash: str | None = None,
          status_code: int = 200) -> Response:
    scope = scope_of(user)
    context: dict[str, object] = {
        "choices": period_choices(now, knowledge), "form": {"period": period_raw[:20], "by": by},
        "groupings": [(g, knowledge.messages.text(f"console_satisfaction_by_{g}")) for g in GROUPINGS],
        "decisions": decision_list(session, scope=scope, knowledge=knowledge), "error": error,
        "flash": flash, "flash_kind": "ok",
    }
    try:
        period: Period = parse_period(period_raw or month_of(now).key)
    except InvalidFilters as exc:
        return page(request, "supervision/satisfaction.html", "satisfaction", user,
                    {**context, "errors": exc.explain_each(knowledge.messages), "rates": None}, status_code=400)
    rates = satisfaction_rates(session, period=period, by=by, scope=scope)  # type: ignore[arg-type]
    context["form"] = {"period": period.key, "by": by}
    return page(request, "supervision/satisfaction.html", "satisfaction", user, {
        **context, "errors": {}, "rates": rates, "total": overall(rates), "period": period,
    }, status_code=status_code)


@router.get("")
def satisfaction_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep,
                      user: SupervisorUser, period: str = "", by: str = "") -> Response:
    done = knowledge.messages.text("console_satisfaction_decided") if request.query_params.get("done") else None
    return _page(request, session, knowledge, user, now, period_raw=period, by=_grouping(by), flash=done)


@router.post("/{callback_id}/decide")
def decide_callback(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep,
                    user: SupervisorUser, _csrf: CsrfChecked, callback_id: int,
                    decision: Annotated[str, Form()] = "") -> Response:
    try:
        callback = decide(session, callback_id=callback_id, decision=decision, by=user.name, scope=scope_of(user),
                          now=now)
    except CallbackNotFound as exc:
        return not_found(request, knowledge.messages.explain(exc))
    except CallbackError as exc:
        session.rollback()
        return _page(request, session, knowledge, user, now, period_raw="", by=GROUPINGS[0],
                     error=knowledge.messages.explain(exc), status_code=422 if exc.field else 409)
    ticket = session.get(Ticket, callback.ticket_id)
    record_audit(session, user=user, action="decide_callback", at=now,
                 ticket_number=ticket.number if ticket else None, detail={"callback": callback.id})
    return RedirectResponse(f"{PREFIX}/satisfaction?done=1", status_code=303)
