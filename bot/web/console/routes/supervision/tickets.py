"""The ticket list (a bookmarkable GET form), its CSV download, a ticket's page and the finding
(查实 / 不实) on a praise. A complaint's finding is its investigation report's verdict
(routes/supervision/investigations.py), filed from the same page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from sqlmodel import Session, select
from starlette.responses import Response

from bot.investigations import ReportDraft, ReviewState, report_for_ticket
from bot.knowledge import Knowledge
from bot.ledger.models import Ticket
from bot.reports import labels
from bot.web.console.callback_view import ticket_callbacks
from bot.supervision import (
    SORTS,
    InvalidFilters,
    TicketNotVisible,
    VerificationRefused,
    iter_tickets,
    parse_filters,
    search_tickets,
    ticket_detail,
    verify_praise,
)
from bot.supervision.filters import MAX_DUE_WITHIN
from bot.web.console.audit import record_audit
from bot.web.console.deps import CsrfChecked, SupervisorUser
from bot.web.console.models import ConsoleUser
from bot.web.console.routes.supervision.common import PREFIX, not_found, page, scope_of, today_of
from bot.web.deps import CalendarDep, EngineDep, KnowledgeDep, NowDep, ReactionsDep, SessionDep
from bot.workdays import WorkdayCalendar

router = APIRouter(prefix=f"{PREFIX}/tickets", include_in_schema=False)

# A finding's label is finding_<finding>, the flash after recording it console_verify_done_<finding>.
FINDINGS = ("found_true", "not_true")
# The flash after a step on the investigation report is console_investigation_done_<step>.
REPORT_STEPS = ("filed", "amended", "approved", "returned")
# The CSV's columns: console_csv_<column> of the catalogue.
CSV_COLUMNS = ("number", "kind", "bank", "outlet", "district", "intent", "verification", "state", "created", "due",
               "overdue")
_RAW_FIELDS = ("bank", "outlet", "district", "state", "kind", "overdue", "due_within", "number", "sort")


def _form_values(request: Request) -> dict[str, str]:
    """What was typed into the filter form, to show it again (escaped by the template)."""
    return {name: request.query_params.get(name, "")[:100] for name in _RAW_FIELDS}


def _choices(knowledge: Knowledge) -> dict[str, object]:
    return {
        "banks": [b.name for b in knowledge.banks],
        "districts": [d.name for d in knowledge.districts],
        "states": list(labels.ticket_states(knowledge).items()),
        "kinds": list(labels.ticket_kinds(knowledge).items()),
        "sorts": [(sort, labels.ticket_sort(knowledge, sort)) for sort in SORTS],
        "outlets": sorted({o.name for o in knowledge.outlets}),
        "max_due_within": MAX_DUE_WITHIN,
    }


@router.get("")
def ticket_list(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep, now: NowDep,
                user: SupervisorUser) -> Response:
    scope = scope_of(user)
    context: dict[str, object] = {"form": _form_values(request), **_choices(knowledge)}
    try:
        filters = parse_filters(request.query_params, knowledge=knowledge, scope=scope)
    except InvalidFilters as exc:
        return page(request, "supervision/tickets.html", "tickets", user,
                    {**context, "errors": exc.explain_each(knowledge.messages), "result": None, "filters": None},
                    status_code=400)
    result = search_tickets(session, filters=filters, scope=scope, today=today_of(now), calendar=calendar,
                            knowledge=knowledge)
    return page(request, "supervision/tickets.html", "tickets", user, {
        **context, "errors": {}, "result": result, "filters": filters,
        "page_link": lambda n: "?" + urlencode(filters.query(page=n)),
        "csv_link": "tickets.csv?" + urlencode(filters.query(page=1)),
    })


@router.get(".csv")
def ticket_csv(request: Request, session: SessionDep, engine: EngineDep, knowledge: KnowledgeDep,
               calendar: CalendarDep, now: NowDep, user: SupervisorUser) -> Response:
    """Every ticket the list shows (all pages), within the user's district: a CSV Excel opens."""
    scope = scope_of(user)
    try:
        filters = parse_filters(request.query_params, knowledge=knowledge, scope=scope)
    except InvalidFilters as exc:
        return page(request, "supervision/tickets.html", "tickets", user, {
            "form": _form_values(request), **_choices(knowledge), "errors": exc.explain_each(knowledge.messages),
            "result": None,
            "filters": None}, status_code=400)
    record_audit(session, user=user, action="export_csv", at=now,
                 detail={"filters": filters.query(), "scope": scope})
    today = today_of(now)

    def rows() -> Iterator[str]:
        # The request's transaction (and its audit entry) is committed before the body is sent;
        # the rows are read in a session of their own, in batches.
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush() -> str:
            chunk = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return chunk

        writer.writerow([knowledge.messages.text(f"console_csv_{column}") for column in CSV_COLUMNS])
        yield "\ufeff" + flush()  # the BOM lets Excel read the file as UTF-8
        with Session(engine) as reader:
            for n, row in enumerate(iter_tickets(reader, filters=filters, scope=scope, today=today,
                                                 calendar=calendar, knowledge=knowledge), start=1):
                writer.writerow((row.number, row.kind_label, row.bank, row.outlet or "", row.district or "",
                                 row.intent_label, row.verification_label, row.state_label,
                                 row.created_at.strftime("%Y-%m-%d %H:%M"), row.due_date.isoformat(),
                                 row.days_overdue or ""))
                if n % 500 == 0:
                    yield flush()
        yield flush()

    name = f"tickets-{today.isoformat()}.csv"
    return StreamingResponse(_csv_stream(rows()), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv_stream(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        if chunk:
            yield chunk.encode("utf-8")


def detail_page(request: Request, session: Session, knowledge: Knowledge, calendar: WorkdayCalendar, now: datetime,
                user: ConsoleUser, number: str, *, error: str | None = None, flash: str | None = None,
                draft: ReportDraft | None = None, field_errors: dict[str, str] | None = None,
                status_code: int = 200) -> Response:
    """The ticket's page (audited as view_ticket), or the 404 page outside the user's scope.

    `draft` and `field_errors` show the investigation report's form again as it was typed, with
    what is wrong next to each field."""
    scope = scope_of(user)
    try:
        detail = ticket_detail(session, number=number, scope=scope, today=today_of(now), calendar=calendar,
                               knowledge=knowledge)
        report = report_for_ticket(session, number=detail.number, scope=scope)
    except TicketNotVisible as exc:
        return not_found(request, knowledge.messages.explain(exc))
    record_audit(session, user=user, action="view_ticket", ticket_number=detail.number, at=now)
    findings = {finding: knowledge.messages.text(f"finding_{finding}") for finding in FINDINGS}
    if draft is None and report is not None and report.review is ReviewState.returned:
        draft = ReportDraft.of(report)
    ticket_id = session.exec(select(Ticket.id).where(Ticket.number == detail.number)).one()
    return page(request, "supervision/ticket.html", "tickets", user, {
        "t": detail, "findings": findings, "error": error, "flash": flash, "flash_kind": "ok",
        "callbacks": ticket_callbacks(session, ticket_id=ticket_id, knowledge=knowledge),
        "report": report, "draft": draft or ReportDraft(), "field_errors": field_errors or {},
        "review_label": labels.investigation_review(knowledge, report.review.value) if report else None,
        "may_review": scope is None and report is not None and report.review is ReviewState.submitted,
        "today": today_of(now).isoformat(),
    }, status_code=status_code)


@router.get("/{number}")
def ticket_page(request: Request, number: str, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep,
                now: NowDep, user: SupervisorUser, done: str = "") -> Response:
    flash = knowledge.messages.text(f"console_verify_done_{done}") if done in FINDINGS \
        else knowledge.messages.text(f"console_investigation_done_{done}") if done in REPORT_STEPS else None
    return detail_page(request, session, knowledge, calendar, now, user, number[:40], flash=flash)


@router.post("/{number}/verify")
def verify(request: Request, number: str, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep,
           now: NowDep, reactions: ReactionsDep, user: SupervisorUser, _csrf: CsrfChecked,
           finding: Annotated[str, Form()] = "") -> Response:
    number = number[:40]
    if finding not in FINDINGS:
        return detail_page(request, session, knowledge, calendar, now, user, number,
                            error=knowledge.messages.render("console_verify_finding_missing"), status_code=422)
    try:
        verify_praise(session, number=number, found_true=finding == "found_true", by=user.name,
                      scope=scope_of(user), knowledge=knowledge, now=now, reactions=reactions)
    except TicketNotVisible as exc:
        return not_found(request, knowledge.messages.explain(exc))
    except VerificationRefused as exc:
        session.rollback()
        return detail_page(request, session, knowledge, calendar, now, user, number,
                            error=knowledge.messages.explain(exc), status_code=409)
    record_audit(session, user=user, action="verify_case", ticket_number=number, at=now,
                 detail={"finding": finding})
    return RedirectResponse(f"{PREFIX}/tickets/{number}?done={finding}", status_code=303)
