"""The operators' callback list (回访, Art. 25(二), 40): complaints by 12333 phone or another channel
without Telegram, whose citizen agreed to be contacted, to be called after the finding; a callback's
page with the form for the answer heard on the phone, or a call 未接通.

The phone is masked on the list and the page; the full number is shown only after a deliberate
press of 显示完整号码 (a POST: it is audited, Art. 51). Opening a callback, revealing its phone and
every answer recorded are audited in the request's transaction.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.responses import Response

from bot.knowledge import Knowledge
from bot.satisfaction import Answer, CallbackError, CallbackNotFound, record_phone_answer, record_phone_attempt
from bot.satisfaction.models import COMMENT_LIMIT
from bot.web.console.callback_view import CallbackRow, phone_callback, phone_list, recent_phone_answers
from bot.web.console.audit import record_audit
from bot.web.console.deps import CsrfChecked, OperatorUser
from bot.web.console.templating import render
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, ReactionsDep, SessionDep

router = APIRouter(prefix="/console/callbacks", include_in_schema=False)

# ?done=… after a change → the flash's catalogue key.
_DONE = {"answered": "console_callback_done_answered", "attempt": "console_callback_done_attempt"}


def _answers(knowledge: Knowledge) -> list[tuple[str, str]]:
    return [(a.value, knowledge.messages.text(f"satisfaction_answer_{a.value}")) for a in Answer]


def _row_or_404(session: Session, knowledge: Knowledge, callback_id: int) -> tuple[CallbackRow, str | None]:
    try:
        return phone_callback(session, callback_id=callback_id, knowledge=knowledge)
    except CallbackNotFound as exc:
        raise HTTPException(status_code=404) from exc


def _page(request: Request, session: Session, knowledge: Knowledge, callback_id: int, *, phone: str | None = None,
          error: str | None = None, form: dict[str, str] | None = None, flash: str | None = None,
          status_code: int = 200) -> Response:
    row, _full = _row_or_404(session, knowledge, callback_id)
    return render(request, "callbacks/callback.html", {
        "c": row, "full_phone": phone, "answers": _answers(knowledge), "comment_limit": COMMENT_LIMIT,
        "attempts_allowed": knowledge.rules.satisfaction.phone_attempts, "error": error,
        "form": form or {"answer": "", "comment": ""}, "flash": flash, "flash_kind": "ok",
    }, status_code=status_code)


@router.get("")
def callback_list(request: Request, session: SessionDep, knowledge: KnowledgeDep, _operator: OperatorUser,
                  done: str = "") -> Response:
    key = _DONE.get(done)
    return render(request, "callbacks/list.html", {
        "waiting": phone_list(session, knowledge=knowledge),
        "recent": recent_phone_answers(session, knowledge=knowledge),
        "flash": knowledge.messages.text(key) if key else None, "flash_kind": "ok",
    })


@router.get("/{callback_id}")
def callback_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, operator: OperatorUser,
                  now: NowDep, callback_id: int) -> Response:
    row, _phone = _row_or_404(session, knowledge, callback_id)
    record_audit(session, user=operator, action="view_callback", ticket_number=row.number, at=now,
                 detail={"callback": callback_id})
    return _page(request, session, knowledge, callback_id)


@router.post("/{callback_id}/phone")
def reveal_phone(request: Request, session: SessionDep, knowledge: KnowledgeDep, operator: OperatorUser,
                 _csrf: CsrfChecked, now: NowDep, callback_id: int) -> Response:
    """The full number, to dial it: shown once on this response, never on the list."""
    row, phone = _row_or_404(session, knowledge, callback_id)
    record_audit(session, user=operator, action="reveal_phone", ticket_number=row.number, at=now,
                 detail={"callback": callback_id})
    return _page(request, session, knowledge, callback_id, phone=phone)


def _refused(request: Request, session: Session, knowledge: Knowledge, callback_id: int, exc: CallbackError,
             form: dict[str, str]) -> Response:
    # Nothing of the refused request is kept; the page is read again in a clean transaction.
    session.rollback()
    status = 422 if exc.field else 409
    return _page(request, session, knowledge, callback_id, error=knowledge.messages.explain(exc), form=form,
                 status_code=status)


def _done(done: str) -> RedirectResponse:
    return RedirectResponse(f"/console/callbacks?{urlencode({'done': done})}", status_code=303)


@router.post("/{callback_id}/answer")
def record_answer(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep,
                  reactions: ReactionsDep, operator: OperatorUser, _csrf: CsrfChecked, now: NowDep,
                  callback_id: int, answer: Annotated[str, Form()] = "",
                  comment: Annotated[str, Form()] = "") -> Response:
    row, _phone = _row_or_404(session, knowledge, callback_id)
    form = {"answer": answer[:40], "comment": comment[:COMMENT_LIMIT * 2]}
    try:
        outcome = record_phone_answer(session, callback_id=callback_id, answer=answer, comment=comment,
                                      operator=operator.name, knowledge=knowledge, calendar=calendar, now=now,
                                      reactions=reactions)
    except CallbackError as exc:
        return _refused(request, session, knowledge, callback_id, exc, form)
    record_audit(session, user=operator, action="record_callback", ticket_number=row.number, at=now,
                 detail={"callback": callback_id, "answer": answer, "reopened": outcome.reopened_due is not None,
                         "to_supervisor": outcome.to_supervisor})
    return _done("answered")


@router.post("/{callback_id}/no-answer")
def record_no_answer(request: Request, session: SessionDep, knowledge: KnowledgeDep, operator: OperatorUser,
                     _csrf: CsrfChecked, now: NowDep, callback_id: int) -> Response:
    row, _phone = _row_or_404(session, knowledge, callback_id)
    try:
        callback = record_phone_attempt(session, callback_id=callback_id, operator=operator.name,
                                        knowledge=knowledge, now=now)
    except CallbackError as exc:
        return _refused(request, session, knowledge, callback_id, exc, {"answer": "", "comment": ""})
    record_audit(session, user=operator, action="callback_attempt", ticket_number=row.number, at=now,
                 detail={"callback": callback_id, "attempts": callback.attempts})
    return _done("attempt")

