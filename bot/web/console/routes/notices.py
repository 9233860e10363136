"""One-time notices in the console (/console/notices): issued from the assist page for a 12333
caller, printed on A4, found again by number or phone, and marked done when the matter is finished."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import select
from starlette.exceptions import HTTPException
from starlette.responses import Response

from bot.knowledge import Knowledge
from bot.ledger.errors import InvalidInput, InvalidTransition, NotFound
from bot.one_time_notices import OneTimeNotice, complete_notice, get_notice, notices_for_phone, register_notice
from bot.one_time_notices.registry import local_day
from bot.web.console.audit import record_audit
from bot.web.console.deps import CsrfChecked, OperatorUser
from bot.web.console.templating import render
from bot.web.deps import KnowledgeDep, NowDep, SessionDep

router = APIRouter(prefix="/console/notices", include_in_schema=False)

CHANNEL = "hotline_12333"
PAGE_SIZE = 50
NUMBER_PREFIX = "GZ-"


def _matter_label(knowledge: Knowledge, notice: OneTimeNotice) -> str:
    try:
        return knowledge.intent(notice.matter).label
    except KeyError:
        return notice.title


@router.get("")
def notice_list(request: Request, session: SessionDep, knowledge: KnowledgeDep, _user: OperatorUser, q: str = "",
                before: int | None = None) -> Response:
    """Latest notices (keyset pages on the primary key), or those of one number or phone."""
    query = q.strip()[:40]
    error = None
    notices: list[OneTimeNotice] = []
    more = False
    if query.upper().startswith(NUMBER_PREFIX):
        try:
            notices = [get_notice(session, number=query)]
        except NotFound as exc:
            error = knowledge.messages.explain(exc)
    elif query:
        try:
            notices = notices_for_phone(session, phone=query, limit=PAGE_SIZE)
        except InvalidInput:
            error = knowledge.messages.render("console_notice_query_invalid")
    else:
        statement = select(OneTimeNotice).order_by(OneTimeNotice.id.desc()).limit(PAGE_SIZE + 1)  # type: ignore[union-attr]
        if before is not None:
            statement = statement.where(OneTimeNotice.id < before)  # type: ignore[operator]
        notices = list(session.exec(statement))
        more = len(notices) > PAGE_SIZE
        notices = notices[:PAGE_SIZE]
    return render(request, "notices/list.html", {
        "notices": notices, "q": query, "error": error,
        "next_before": notices[-1].id if more and notices else None,
    }, status_code=422 if error else 200)


@router.post("")
def issue_notice(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep, user: OperatorUser,
                 _csrf: CsrfChecked, matter: Annotated[str, Form(max_length=64)] = "",
                 contact_name: Annotated[str, Form(max_length=200)] = "",
                 contact_phone: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:
        notice = register_notice(session, matter=matter, channel=CHANNEL, contact_name=contact_name,
                                 contact_phone=contact_phone, knowledge=knowledge, now=now)
    except InvalidInput as exc:
        session.rollback()
        return render(request, "notices/new.html", {
            "notice_cases": list(knowledge.notices.values()),
            "form": {"matter": matter, "contact_name": contact_name[:64], "contact_phone": contact_phone[:40]},
            "errors": {exc.field or "matter": knowledge.messages.explain(exc)},
        }, status_code=422)
    record_audit(session, user=user, action="issue_notice", at=now,
                 detail={"notice": notice.number, "matter": notice.matter})
    return RedirectResponse(f"/console/notices/{quote(notice.number)}", status_code=303)


def _notice_or_404(session: SessionDep, number: str) -> OneTimeNotice:
    try:
        return get_notice(session, number=number)
    except NotFound as exc:
        raise HTTPException(status_code=404) from exc


def _sheet(request: Request, knowledge: Knowledge, notice: OneTimeNotice, *, flash: str | None = None,
           flash_kind: str = "ok", status_code: int = 200) -> Response:
    return render(request, "notices/print.html", {
        "notice": notice, "matter_label": _matter_label(knowledge, notice),
        "regulation_title": knowledge.regulation_title,
        "issued_on": local_day(notice.issued_at),
        "days": (notice.follow_up_by - local_day(notice.issued_at)).days,
        "flash": flash, "flash_kind": flash_kind,
    }, status_code=status_code)


@router.get("/{number}")
def notice_sheet(request: Request, session: SessionDep, knowledge: KnowledgeDep, _user: OperatorUser,
                 number: str, done: str = "") -> Response:
    return _sheet(request, knowledge, _notice_or_404(session, number),
                  flash=knowledge.messages.render("console_notice_completed") if done == "1" else None)


@router.post("/{number}/complete")
def mark_complete(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep, user: OperatorUser,
                  _csrf: CsrfChecked, number: str) -> Response:
    notice = _notice_or_404(session, number)
    try:
        complete_notice(session, number=notice.number, now=now)
    except InvalidTransition as exc:
        session.rollback()
        return _sheet(request, knowledge, notice, flash=knowledge.messages.explain(exc), flash_kind="error", status_code=409)
    record_audit(session, user=user, action="complete_notice", at=now, detail={"notice": notice.number})
    return RedirectResponse(f"/console/notices/{quote(notice.number)}?done=1", status_code=303)

