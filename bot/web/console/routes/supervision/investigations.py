"""Investigation reports (《卡经办服务调查报告书》, Art. 28) from a ticket's page: filing one (its verdict
is the complaint's finding), the city's review, completing a returned one, the A4 print, and the
list of reports.

District supervisors file and complete the reports of their district; the city (city supervisors
and administrators) reviews them and may file one itself. Every change is audited; every refusal
shows the ticket's page again with the message and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from bot.investigations import (
    InvestigationError,
    ReportDraft,
    ReportInvalid,
    ReportNotFound,
    ReviewState,
    amend_report,
    file_report,
    parse_report,
    report_for_ticket,
    review_list,
    review_report,
)
from bot.knowledge import Knowledge
from bot.reports import labels
from bot.reports.periods import as_local
from bot.supervision import TicketNotVisible
from bot.supervision.tickets import visible_ticket
from bot.web.console.audit import record_audit
from bot.web.console.deps import CsrfChecked, SupervisorUser
from bot.web.console.models import ConsoleUser
from bot.web.console.routes.supervision.common import PREFIX, not_found, page, scope_of, today_of
from bot.web.console.routes.supervision.tickets import detail_page
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, ReactionsDep, SessionDep
from bot.workdays import WorkdayCalendar

router = APIRouter(prefix=PREFIX, include_in_schema=False)

TextField = Annotated[str, Form()]
DECISIONS = ("approve", "return")


def _draft(investigated_on: str, investigators: str, facts: str, verdict: str, responsibility: str,
           outlet_handling: str, staff_handling: str) -> ReportDraft:
    return ReportDraft(investigated_on=investigated_on, investigators=investigators, facts=facts, verdict=verdict,
                       responsibility=responsibility, outlet_handling=outlet_handling, staff_handling=staff_handling)


def _done(number: str, step: str) -> Response:
    return RedirectResponse(f"{PREFIX}/tickets/{number}?done={step}", status_code=303)


def _refused(request: Request, session: Session, knowledge: Knowledge, calendar: WorkdayCalendar, now: datetime,
             user: ConsoleUser, number: str, exc: InvestigationError, draft: ReportDraft | None) -> Response:
    """The ticket's page again, nothing of the attempt saved: the fields at fault, or why it cannot be done now."""
    session.rollback()
    if isinstance(exc, ReportInvalid):
        return detail_page(request, session, knowledge, calendar, now, user, number, draft=draft,
                           field_errors=exc.explain_each(knowledge.messages), status_code=422)
    field_errors = {exc.field: knowledge.messages.explain(exc)} if exc.field else None
    return detail_page(request, session, knowledge, calendar, now, user, number, draft=draft,
                       error=None if field_errors else knowledge.messages.explain(exc), field_errors=field_errors,
                       status_code=422 if field_errors else 409)


def _intent_label(knowledge: Knowledge, intent: str) -> str:
    try:
        return knowledge.intent(intent).label
    except KeyError:  # an intent retired from the taxonomy since the complaint was recorded
        return intent


def _received_on(session: Session, *, number: str, scope: str | None) -> date:
    _ticket, case = visible_ticket(session, number=number, scope=scope)
    return as_local(case.received_at).date()


@router.post("/tickets/{number}/investigation")
def file(request: Request, number: str, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep,
         now: NowDep, reactions: ReactionsDep, user: SupervisorUser, _csrf: CsrfChecked,
         investigated_on: TextField = "", investigators: TextField = "", facts: TextField = "",
         verdict: TextField = "", responsibility: TextField = "", outlet_handling: TextField = "",
         staff_handling: TextField = "") -> Response:
    """File the report of a complaint; its verdict is recorded as the finding."""
    number, scope = number[:40], scope_of(user)
    draft = _draft(investigated_on, investigators, facts, verdict, responsibility, outlet_handling, staff_handling)
    try:
        data = parse_report(draft, received_on=_received_on(session, number=number, scope=scope), today=today_of(now))
        file_report(session, number=number, data=data, by=user.name, scope=scope, knowledge=knowledge, now=now,
                    reactions=reactions)
    except TicketNotVisible as exc:
        return not_found(request, knowledge.messages.explain(exc))
    except InvestigationError as exc:
        return _refused(request, session, knowledge, calendar, now, user, number, exc, draft)
    record_audit(session, user=user, action="file_investigation", ticket_number=number, at=now,
                 detail={"verdict": data.verdict.value})
    return _done(number, "filed")


@router.post("/tickets/{number}/investigation/amend")
def amend(request: Request, number: str, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep,
          now: NowDep, user: SupervisorUser, _csrf: CsrfChecked, investigated_on: TextField = "",
          investigators: TextField = "", facts: TextField = "", responsibility: TextField = "",
          outlet_handling: TextField = "", staff_handling: TextField = "") -> Response:
    """Complete a report the city returned and submit it again (the verdict stays)."""
    number, scope = number[:40], scope_of(user)
    draft = None
    try:
        report = report_for_ticket(session, number=number, scope=scope)
        if report is None:
            raise ReportNotFound("investigation_not_found", number=number)
        draft = _draft(investigated_on, investigators, facts, report.verdict.value, responsibility, outlet_handling,
                       staff_handling)
        data = parse_report(draft, received_on=as_local(report.received_at).date(), today=today_of(now),
                            verdict=report.verdict)
        amend_report(session, number=number, data=data, by=user.name, scope=scope, now=now)
    except TicketNotVisible as exc:
        return not_found(request, knowledge.messages.explain(exc))
    except InvestigationError as exc:
        return _refused(request, session, knowledge, calendar, now, user, number, exc, draft)
    record_audit(session, user=user, action="amend_investigation", ticket_number=number, at=now)
    return _done(number, "amended")


@router.post("/tickets/{number}/investigation/review")
def review(request: Request, number: str, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep,
           now: NowDep, user: SupervisorUser, _csrf: CsrfChecked, decision: TextField = "",
           comment: TextField = "") -> Response:
    """The city approves a district's report or returns it with what is to be completed."""
    number, scope = number[:40], scope_of(user)
    try:
        visible_ticket(session, number=number, scope=scope)
    except TicketNotVisible as exc:
        return not_found(request, knowledge.messages.explain(exc))
    if scope is not None:
        return detail_page(request, session, knowledge, calendar, now, user, number, status_code=403,
                           error=knowledge.messages.render("investigation_review_city_only"))
    if decision not in DECISIONS:
        return detail_page(request, session, knowledge, calendar, now, user, number, status_code=422,
                           field_errors={"decision": knowledge.messages.render("console_investigation_decision_missing")})
    try:
        review_report(session, number=number, approve=decision == "approve", comment=comment, by=user.name, now=now)
    except InvestigationError as exc:
        return _refused(request, session, knowledge, calendar, now, user, number, exc, None)
    record_audit(session, user=user, action="review_investigation", ticket_number=number, at=now,
                 detail={"decision": decision})
    return _done(number, "approved" if decision == "approve" else "returned")


@router.get("/tickets/{number}/investigation")
def print_view(request: Request, number: str, session: SessionDep, knowledge: KnowledgeDep, now: NowDep,
               user: SupervisorUser) -> Response:
    """The report laid out on A4 for printing and signing (audited: it names staff and responsibility)."""
    number = number[:40]
    try:
        report = report_for_ticket(session, number=number, scope=scope_of(user))
    except TicketNotVisible as exc:
        return not_found(request, knowledge.messages.explain(exc))
    if report is None:
        return not_found(request, knowledge.messages.render("investigation_not_found", number=number))
    record_audit(session, user=user, action="print_investigation", ticket_number=number, at=now)
    return page(request, "supervision/investigation_print.html", "investigations", user, {
        "r": report, "verdict_label": labels.verification(knowledge, report.verdict.value),
        "intent_label": _intent_label(knowledge, report.intent),
        "review_label": labels.investigation_review(knowledge, report.review.value),
    })


@router.get("/investigations")
def report_list(request: Request, session: SessionDep, knowledge: KnowledgeDep, user: SupervisorUser,
                review: str = "") -> Response:
    """Reports newest first: the city's review queue (待市级审核) by default, a district's own reports."""
    scope = scope_of(user)
    reviews = {state.value: labels.investigation_review(knowledge, state.value) for state in ReviewState}
    if review not in reviews and review != "all":
        review = ReviewState.submitted.value if scope is None else "all"
    items = review_list(session, scope=scope, review=None if review == "all" else ReviewState(review))
    return page(request, "supervision/investigations.html", "investigations", user, {
        "items": items, "review": review, "reviews": reviews,
        "verdicts": {v: labels.verification(knowledge, v) for v in ("found_true", "not_true")},
    })
