"""The handoff queue (operators): conversations the Telegram bot handed over, a conversation with its
history, take, reply (the citizen receives it in Telegram through the notice outbox) and close.

Viewing a conversation and every change are audited (Art. 51) in the transaction of the request.
The conversation page polls ``/{id}/messages`` for the citizen's new messages (static/handoff.js):
the poll continues a view that was audited when the page was opened, so it is not audited again.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.responses import Response

from bot.handoff import (
    REPLY_LIMIT,
    REPLYABLE_CHANNELS,
    Handoff,
    HandoffError,
    HandoffNotFound,
    HandoffState,
    ReplyRejected,
    close,
    get_handoff,
    in_service,
    messages,
    reply,
    take,
    waiting,
)
from bot.knowledge import Knowledge
from bot.web.console.audit import record_audit
from bot.web.console.deps import CsrfChecked, OperatorUser, get_policy
from bot.web.console.handoff_view import (
    CHANNEL_LABELS,
    citizen_label,
    conversation_lines,
    queue_rows,
    reason_label,
    serves,
    state_label,
)
from bot.web.console.models import ConsoleUser, Role
from bot.web.console.templating import render
from bot.web.deps import KnowledgeDep, NowDep, SessionDep

router = APIRouter(prefix="/console/handoff", include_in_schema=False)

QUEUE_REFRESH_SECONDS = 15  # the queue page reloads itself (a meta refresh: no script needed)
POLL_SECONDS = 3  # the conversation page asks for new messages this often
# ?done=… after a change → the flash's catalogue key.
_DONE = {
    "taken": "console_handoff_done_taken",
    "sent": "console_handoff_done_sent",
    "closed": "console_handoff_done_closed",
}


def _done_message(knowledge: Knowledge, done: str) -> str | None:
    key = _DONE.get(done)
    return knowledge.messages.text(key) if key else None


def _handoff_or_404(session: Session, handoff_id: int) -> Handoff:
    try:
        return get_handoff(session, handoff_id=handoff_id)
    except HandoffNotFound as exc:
        raise HTTPException(status_code=404) from exc


def _conversation_page(request: Request, session: Session, knowledge: Knowledge, user: ConsoleUser,
                       handoff: Handoff, *, flash: str | None = None, error: str | None = None, draft: str = "",
                       status_code: int = 200) -> Response:
    history = messages(session, handoff_id=handoff.id)
    return render(request, "handoff/conversation.html", {
        "handoff": handoff,
        "citizen": citizen_label(handoff, knowledge),
        "channel": CHANNEL_LABELS.get(handoff.channel, handoff.channel),
        "reason": reason_label(handoff.reason, knowledge),
        "state": state_label(handoff.state, knowledge),
        "lines": conversation_lines(history, show_numbers=serves(user, handoff), knowledge=knowledge),
        "last_id": history[-1].id if history else 0,
        "serving": serves(user, handoff),
        "mine_to_answer": handoff.state is HandoffState.waiting or serves(user, handoff),
        "may_close": handoff.state is HandoffState.waiting or serves(user, handoff) or user.role is Role.admin,
        "replyable": handoff.channel in REPLYABLE_CHANNELS,
        "reply_limit": REPLY_LIMIT,
        "poll_seconds": POLL_SECONDS,
        # The poll stops a minute before the session's idle limit: it must not keep an unattended page signed in.
        "poll_idle_seconds": max(60, int(get_policy(request).idle.total_seconds()) - 60),
        "draft": draft,
        "error": error,
        "flash": flash,
        "flash_kind": "ok",
    }, status_code=status_code)


def _back_to(handoff_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/console/handoff/{handoff_id}?{urlencode({'done': done})}#latest", status_code=303)


@router.get("")
def queue_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep,
               _operator: OperatorUser, done: str = "") -> Response:
    return render(request, "handoff/queue.html", {
        "waiting": queue_rows(waiting(session), now=now, knowledge=knowledge),
        "in_service": queue_rows(in_service(session), now=now, knowledge=knowledge),
        "refresh_seconds": QUEUE_REFRESH_SECONDS,
        "flash": _done_message(knowledge, done), "flash_kind": "ok",
    })


@router.get("/{handoff_id}")
def conversation_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, operator: OperatorUser,
                      now: NowDep, handoff_id: int, done: str = "") -> Response:
    handoff = _handoff_or_404(session, handoff_id)
    record_audit(session, user=operator, action="view_handoff", at=now,
                 detail={"handoff": handoff.id, "citizen": handoff.citizen_ref})
    return _conversation_page(request, session, knowledge, operator, handoff, flash=_done_message(knowledge, done))


@router.get("/{handoff_id}/messages")
def new_messages(session: SessionDep, knowledge: KnowledgeDep, operator: OperatorUser, handoff_id: int,
                 after: int = 0) -> JSONResponse:
    """Messages newer than `after` and the handoff's state, for the page's poll."""
    handoff = _handoff_or_404(session, handoff_id)
    lines = conversation_lines(messages(session, handoff_id=handoff.id, after_id=max(0, after)),
                               show_numbers=serves(operator, handoff), knowledge=knowledge)
    return JSONResponse({"state": handoff.state.value, "state_label": state_label(handoff.state, knowledge),
                         "taken_by": handoff.taken_by, "messages": [line.as_json() for line in lines]})


@router.post("/{handoff_id}/take")
def take_handoff(request: Request, session: SessionDep, operator: OperatorUser, _csrf: CsrfChecked, now: NowDep,
                 knowledge: KnowledgeDep, handoff_id: int) -> Response:
    handoff = _handoff_or_404(session, handoff_id)
    try:
        take(session, handoff_id=handoff.id, operator=operator.name, now=now, knowledge=knowledge)
    except HandoffError as exc:
        return _conversation_page(request, session, knowledge, operator, handoff,
                                  error=knowledge.messages.explain(exc), status_code=409)
    record_audit(session, user=operator, action="take_handoff", at=now, detail={"handoff": handoff.id})
    return _back_to(handoff.id, "taken")


@router.post("/{handoff_id}/reply")
def reply_handoff(request: Request, session: SessionDep, operator: OperatorUser, _csrf: CsrfChecked, now: NowDep,
                  knowledge: KnowledgeDep, handoff_id: int, text: Annotated[str, Form()] = "") -> Response:
    handoff = _handoff_or_404(session, handoff_id)
    if handoff.channel not in REPLYABLE_CHANNELS:
        return _conversation_page(request, session, knowledge, operator, handoff, draft=text[:REPLY_LIMIT * 2],
                                  error=knowledge.messages.render("console_handoff_not_replyable"), status_code=422)
    try:
        sent = reply(session, handoff_id=handoff.id, operator=operator.name, text=text, now=now, knowledge=knowledge)
    except HandoffError as exc:
        # The draft is kept for the operator to correct (bounded: the page must stay small); nothing was sent.
        return _conversation_page(request, session, knowledge, operator, handoff, draft=text[:REPLY_LIMIT * 2],
                                  error=knowledge.messages.explain(exc),
                                  status_code=422 if isinstance(exc, ReplyRejected) else 409)
    record_audit(session, user=operator, action="reply_handoff", at=now,
                 detail={"handoff": handoff.id, "message": sent.id, "chars": len(sent.text)})
    return _back_to(handoff.id, "sent")


@router.post("/{handoff_id}/close")
def close_handoff(request: Request, session: SessionDep, operator: OperatorUser, _csrf: CsrfChecked, now: NowDep,
                  knowledge: KnowledgeDep, handoff_id: int) -> Response:
    handoff = _handoff_or_404(session, handoff_id)
    try:
        close(session, handoff_id=handoff.id, operator=operator.name, now=now, knowledge=knowledge,
              override=operator.role is Role.admin)
    except HandoffError as exc:
        return _conversation_page(request, session, knowledge, operator, handoff,
                                  error=knowledge.messages.explain(exc), status_code=409)
    record_audit(session, user=operator, action="close_handoff", at=now,
                 detail={"handoff": handoff.id, "taken_by": handoff.taken_by})
    return RedirectResponse(f"/console/handoff?{urlencode({'done': 'closed'})}", status_code=303)

