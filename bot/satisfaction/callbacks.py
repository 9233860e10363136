"""Asking citizens whether they are satisfied with the handling of their complaint, and what follows.

- `open_callback`: when a ticket's result stands verified, a callback for a citizen who agreed to
  be contacted: a Telegram question with three buttons in the outbox, or a line on the operators'
  callback list for anyone else with a phone number;
- `answer_by_citizen`, `add_comment`: the Telegram citizen's button and optional comment;
- `record_phone_answer`, `record_phone_attempt`: what an operator heard on the phone;
- `scan_callbacks`: the reminder after some working days, then no_answer (the hourly ticket scan);
- 不满意 sends the ticket back to its bank (`bot.ledger.tickets.reopen`) as many times as
  knowledge/rules.yml allows; after that the callback waits for a supervisor's `decide`.

Everything runs in the caller's transaction: a refusal leaves nothing half-saved.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from bot.clock import local_day
from bot.knowledge import Knowledge
from bot.ledger.events import Reactions
from bot.ledger.models import Case, CaseKind, Ticket, TicketState
from bot.ledger.tickets import reopen, times_reopened
from bot.notifications import queue_message
from bot.satisfaction.errors import AlreadyAnswered, CallbackNotFound, InvalidAnswer
from bot.satisfaction.models import COMMENT_LIMIT, OPEN_STATES, Answer, CallbackState, SatisfactionCallback, Via
from bot.workdays import WorkdayCalendar

TELEGRAM_PREFIX = "telegram:"
BUTTON_KIND = "satisfaction"  # first element of the Telegram buttons' callback data
SKIP = "skip"  # the 跳过 button after an answer: no comment


def button_data(token: str, choice: str) -> tuple[str, str, str]:
    """The callback data of one button: only the token names the callback (it cannot be guessed)."""
    return (BUTTON_KIND, token, choice)


def question_buttons(knowledge: Knowledge, token: str) -> list[tuple[str, tuple[str, ...]]]:
    """满意 / 基本满意 / 不满意, one per row."""
    return [(knowledge.messages.text(f"satisfaction_answer_{answer.value}"), button_data(token, answer.value))
            for answer in Answer]


def _ask(session: Session, callback: SatisfactionCallback, *, case: Case, ticket: Ticket, knowledge: Knowledge,
         reply: str, now: datetime) -> None:
    text = knowledge.messages.render(reply, number=ticket.number, bank=ticket.bank, outlet=ticket.outlet or "",
                                     service_phone=knowledge.operator.service_phone)
    queue_message(session, citizen_ref=case.citizen_ref or "", text=text, now=now, ticket_id=ticket.id,
                  buttons=question_buttons(knowledge, callback.token))


def open_callback(session: Session, *, ticket: Ticket, case: Case, knowledge: Knowledge,
                  now: datetime) -> SatisfactionCallback | None:
    """The callback for this result of `ticket`, if its citizen may be asked; None otherwise.

    Only complaints (praise asks for nothing), only with the citizen's consent to be contacted,
    only a ticket whose result stands verified, and once per handling (idempotent).
    """
    if case.kind is not CaseKind.complaint or not case.consent_to_contact:
        return None
    if ticket.state is not TicketState.verified or not ticket.result_report:
        return None
    if (case.citizen_ref or "").startswith(TELEGRAM_PREFIX):
        via = Via.telegram
    elif case.contact_phone:
        via = Via.phone
    else:
        return None  # nobody to ask: consent without a way to reach the citizen
    round_ = times_reopened(session, ticket) + 1
    existing = session.exec(select(SatisfactionCallback).where(SatisfactionCallback.ticket_id == ticket.id,
                                                               SatisfactionCallback.round == round_)).first()
    if existing is not None:
        return existing
    callback = SatisfactionCallback(ticket_id=ticket.id, round=round_, via=via,  # type: ignore[arg-type]
                                    token=secrets.token_urlsafe(24), created_at=now)
    if via is Via.telegram:
        callback.state, callback.asked_at = CallbackState.asked, now
        _ask(session, callback, case=case, ticket=ticket, knowledge=knowledge, reply="satisfaction_question",
             now=now)
    session.add(callback)
    session.flush()
    return callback


# --------------------------------------------------------------------------- answers


@dataclass(frozen=True)
class Outcome:
    """What an answer did: the callback, and the ticket's new due date when it went back to the bank."""

    callback: SatisfactionCallback
    ticket: Ticket
    reopened_due: str | None = None
    to_supervisor: bool = False


def _ticket_and_case(session: Session, callback: SatisfactionCallback) -> tuple[Ticket, Case]:
    ticket = session.get(Ticket, callback.ticket_id)
    assert ticket is not None  # foreign key
    case = session.get(Case, ticket.case_id)
    assert case is not None
    return ticket, case


def _require_open(callback: SatisfactionCallback, number: str) -> None:
    if callback.state not in OPEN_STATES:
        raise AlreadyAnswered("callback_already_answered", number=number)


def _parse_answer(value: str) -> Answer:
    try:
        return Answer(value)
    except ValueError:
        raise InvalidAnswer("callback_answer_missing", field="answer") from None


def _clean_comment(comment: str | None) -> str | None:
    text = (comment or "").strip()
    if len(text) > COMMENT_LIMIT:
        raise InvalidAnswer("callback_comment_too_long", field="comment", limit=COMMENT_LIMIT, length=len(text))
    return text or None


def _record(session: Session, callback: SatisfactionCallback, *, ticket: Ticket, answer: Answer,
            comment: str | None, by: str | None, knowledge: Knowledge, calendar: WorkdayCalendar, now: datetime,
            reactions: Reactions) -> Outcome:
    callback.state, callback.answer, callback.answered_at = CallbackState.answered, answer, now
    callback.comment, callback.recorded_by = comment, by
    outcome = Outcome(callback=callback, ticket=ticket)
    if answer is Answer.dissatisfied:
        if times_reopened(session, ticket) < knowledge.rules.satisfaction.reopen_limit:
            reopen(session, ticket, reason=knowledge.messages.render("satisfaction_reopen_reason"),
                   actor=by or "citizen", knowledge=knowledge,
                   calendar=calendar, now=now, reactions=reactions)
            callback.reopened = True
            outcome = Outcome(callback=callback, ticket=ticket, reopened_due=ticket.due_date.isoformat())
        else:
            callback.needs_decision = True
            outcome = Outcome(callback=callback, ticket=ticket, to_supervisor=True)
    session.add(callback)
    session.flush()
    return outcome


def citizen_callback(session: Session, *, token: str, citizen_ref: str) -> SatisfactionCallback:
    """The Telegram callback behind `token` if it is `citizen_ref`'s; CallbackNotFound otherwise."""
    callback = session.exec(select(SatisfactionCallback).where(SatisfactionCallback.token == token)).first()
    if callback is None or callback.via is not Via.telegram:
        raise CallbackNotFound("callback_not_found")
    _ticket, case = _ticket_and_case(session, callback)
    # A token copied into another chat does not answer for its citizen.
    if case.citizen_ref != citizen_ref:
        raise CallbackNotFound("callback_not_found")
    return callback


def answer_by_citizen(session: Session, *, token: str, citizen_ref: str, answer: str, knowledge: Knowledge,
                      calendar: WorkdayCalendar, now: datetime, reactions: Reactions) -> Outcome:
    """The citizen pressed 满意 / 基本满意 / 不满意 under the question (or its reminder)."""
    callback = citizen_callback(session, token=token, citizen_ref=citizen_ref)
    ticket, _case = _ticket_and_case(session, callback)
    _require_open(callback, ticket.number)
    return _record(session, callback, ticket=ticket, answer=_parse_answer(answer), comment=None, by=None,
                   knowledge=knowledge, calendar=calendar, now=now, reactions=reactions)


def add_comment(session: Session, *, token: str, citizen_ref: str, text: str) -> SatisfactionCallback:
    """The citizen's optional comment after their button; once, and only after an answer."""
    callback = citizen_callback(session, token=token, citizen_ref=citizen_ref)
    if callback.state is not CallbackState.answered or callback.comment is not None:
        raise AlreadyAnswered("callback_comment_closed")
    comment = text.strip()[:COMMENT_LIMIT]
    if not comment:
        raise InvalidAnswer("callback_comment_empty", field="comment")
    callback.comment = comment
    session.add(callback)
    return callback


def get_callback(session: Session, *, callback_id: int) -> SatisfactionCallback:
    callback = session.get(SatisfactionCallback, callback_id)
    if callback is None:
        raise CallbackNotFound("callback_not_found")
    return callback


def _phone_callback(session: Session, callback_id: int) -> tuple[SatisfactionCallback, Ticket]:
    callback = get_callback(session, callback_id=callback_id)
    if callback.via is not Via.phone:
        raise CallbackNotFound("callback_not_found")
    ticket, _case = _ticket_and_case(session, callback)
    _require_open(callback, ticket.number)
    return callback, ticket


def record_phone_answer(session: Session, *, callback_id: int, answer: str, comment: str | None, operator: str,
                        knowledge: Knowledge, calendar: WorkdayCalendar, now: datetime,
                        reactions: Reactions) -> Outcome:
    """What the citizen answered on the phone, recorded by `operator`."""
    callback, ticket = _phone_callback(session, callback_id)
    parsed = _parse_answer(answer)
    return _record(session, callback, ticket=ticket, answer=parsed, comment=_clean_comment(comment), by=operator,
                   knowledge=knowledge, calendar=calendar, now=now, reactions=reactions)


def record_phone_attempt(session: Session, *, callback_id: int, operator: str, knowledge: Knowledge,
                         now: datetime) -> SatisfactionCallback:
    """A call not answered (未接通); after the configured number of them the callback ends unanswered."""
    callback, _ticket = _phone_callback(session, callback_id)
    callback.attempts += 1
    callback.recorded_by = operator
    if callback.attempts >= knowledge.rules.satisfaction.phone_attempts:
        callback.state, callback.closed_at = CallbackState.no_answer, now
    session.add(callback)
    return callback


def decide(session: Session, *, callback_id: int, decision: str, by: str, scope: str | None,
           now: datetime) -> SatisfactionCallback:
    """A supervisor's decision on a ticket the citizen is still dissatisfied with after its reopening."""
    callback = get_callback(session, callback_id=callback_id)
    _ticket, case = _ticket_and_case(session, callback)
    if scope is not None and case.district != scope:
        raise CallbackNotFound("callback_not_found")
    if not callback.needs_decision or callback.decided_at is not None:
        raise AlreadyAnswered("callback_no_decision_due")
    text = decision.strip()
    if not text:
        raise InvalidAnswer("callback_decision_missing", field="decision")
    if len(text) > COMMENT_LIMIT:
        raise InvalidAnswer("callback_comment_too_long", field="decision", limit=COMMENT_LIMIT, length=len(text))
    callback.decision, callback.decided_by, callback.decided_at = text, by, now
    session.add(callback)
    return callback


# --------------------------------------------------------------------------- the scheduled step


@dataclass
class ScanResult:
    reminded: list[str] = field(default_factory=list)  # ticket numbers
    unanswered: list[str] = field(default_factory=list)


def scan_callbacks(session: Session, *, knowledge: Knowledge, calendar: WorkdayCalendar,
                   now: datetime) -> ScanResult:
    """Remind once a Telegram question unanswered for N working days; M working days later, no_answer.

    Idempotent: a callback moves on at most one step per due day, so the hourly scan may run often.
    """
    rules = knowledge.rules.satisfaction
    today = local_day(now)
    result = ScanResult()
    query = (select(SatisfactionCallback, Ticket, Case)
             .join(Ticket, col(Ticket.id) == col(SatisfactionCallback.ticket_id))
             .join(Case, col(Case.id) == col(Ticket.case_id))
             .where(SatisfactionCallback.via == Via.telegram,
                    col(SatisfactionCallback.state).in_((CallbackState.asked, CallbackState.reminded)))
             .order_by(col(SatisfactionCallback.id)))
    for callback, ticket, case in session.exec(query).all():
        if callback.state is CallbackState.asked:
            since, wait = callback.asked_at or callback.created_at, rules.remind_after_working_days
        else:
            since, wait = callback.reminded_at or callback.created_at, rules.no_answer_after_working_days
        if today < calendar.add_working_days(local_day(since), wait).due:
            continue
        if callback.state is CallbackState.asked:
            callback.state, callback.reminded_at = CallbackState.reminded, now
            _ask(session, callback, case=case, ticket=ticket, knowledge=knowledge, reply="satisfaction_reminder",
                 now=now)
            result.reminded.append(ticket.number)
        else:
            callback.state, callback.closed_at = CallbackState.no_answer, now
            result.unanswered.append(ticket.number)
        session.add(callback)
    return result
