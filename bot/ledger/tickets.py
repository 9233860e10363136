"""Transfer and supervision tickets: opening, the bank's steps, escalation when overdue.

States: created → acknowledged → (extended) → result_reported → verified → closed. Steps the
bank takes are checked against the state so a report cannot precede its ticket's existence,
and every step is kept as a TicketEvent.

A verified ticket whose citizen was dissatisfied may be reopened (`reopen`): it goes back to
acknowledged — the bank has it already, so neither created nor delivered fits — with a new due
date, and its next result report moves it straight to verified, since the case's finding stands.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Connection, insert, update
from sqlmodel import Session, col, func, or_, select

from bot.clock import local_day
from bot.knowledge import Knowledge
from bot.knowledge.catalogue import Term
from bot.ledger.errors import ExtensionRefused, InvalidInput, InvalidTransition, NotFound, ObjectionRefused
from bot.ledger.events import Reactions, ResultReported, TicketReopened
from bot.ledger.models import Case, Ticket, TicketEvent, TicketKind, TicketState, Verification
from bot.ledger.numbers import next_ticket_number
from bot.workdays import WorkdayCalendar

OPEN_STATES = (TicketState.created, TicketState.delivered, TicketState.acknowledged, TicketState.extended)


def due_days(kind: TicketKind, knowledge: Knowledge) -> int:
    due = knowledge.rules.ticket_due
    return (due.transfer if kind is TicketKind.transfer else due.supervision).working_days


def record_event(session: Session, ticket: Ticket, *, type: str, actor: str, now: datetime,
                 **detail: object) -> TicketEvent:
    """Append one step to the ticket's history."""
    event = TicketEvent(ticket_id=ticket.id, at=now, type=type, actor=actor, detail=detail)
    session.add(event)
    return event


def open_ticket(session: Session, *, case: Case, kind: TicketKind, knowledge: Knowledge,
                calendar: WorkdayCalendar, now: datetime, parent: Ticket | None = None) -> Ticket:
    """Create a numbered ticket for a case, due in working days from today (operator configuration)."""
    if not case.bank:
        raise InvalidInput("transfer_needs_bank", field="bank")
    due = calendar.add_working_days(local_day(now), due_days(kind, knowledge))
    ticket = Ticket(kind=kind, bank=case.bank, outlet=case.outlet, due_date=due.due,
                    due_provisional=due.provisional, number=next_ticket_number(session, kind=kind, at=now),
                    case_id=case.id, parent_id=parent.id if parent else None, created_at=now)
    session.add(ticket)
    session.flush()
    record_event(session, ticket, type="created", actor="system", now=now, due=due.due.isoformat(),
                 provisional=due.provisional)
    return ticket


def get_ticket(session: Session, number: str, *, bank: str | None = None) -> Ticket:
    """The ticket with this number; with `bank`, only if it belongs to that bank (else NotFound)."""
    ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
    if ticket is None or (bank is not None and ticket.bank != bank):
        raise NotFound("ticket_not_found", number=number)
    return ticket


def _require(ticket: Ticket, allowed: tuple[TicketState, ...], step: str) -> None:
    """`step` is the catalogue's name of the bank's step (step_acknowledge, step_report, …)."""
    if ticket.state not in allowed:
        raise InvalidTransition("ticket_state_forbids", number=ticket.number, state=Term(f"ticket_state_{ticket.state.value}"),
                                step=Term(f"bank_step_{step}"))


def acknowledge(session: Session, ticket: Ticket, *, actor: str, now: datetime) -> Ticket:
    """The bank confirms it has received the ticket."""
    _require(ticket, (TicketState.created, TicketState.delivered), "acknowledge")
    ticket.state, ticket.acknowledged_at = TicketState.acknowledged, now
    record_event(session, ticket, type="acknowledged", actor=actor, now=now)
    return ticket


def request_extension(session: Session, ticket: Ticket, *, until: date, reason: str, actor: str,
                      calendar: WorkdayCalendar, now: datetime) -> Ticket:
    """Art. 9: granted only if asked no later than 1 working day before the due date."""
    _require(ticket, OPEN_STATES, "extend")
    if not reason.strip():
        raise InvalidInput("extension_reason_missing", field="reason")
    if until <= ticket.due_date:
        raise InvalidInput("extension_not_later", field="until", due=ticket.due_date.isoformat())
    today = local_day(now)
    last_day = last_extension_day(ticket.due_date, calendar)
    if today > last_day:
        raise ExtensionRefused("extension_too_late", number=ticket.number, due=ticket.due_date.isoformat(),
                               last_day=last_day.isoformat(), today=today.isoformat())
    record_event(session, ticket, type="extended", actor=actor, now=now, reason=reason,
                 previous_due=ticket.due_date.isoformat(), until=until.isoformat())
    ticket.extension_requested_until, ticket.due_date, ticket.state = until, until, TicketState.extended
    return ticket


def last_extension_day(due: date, calendar: WorkdayCalendar) -> date:
    """The working day before the due date: the last day an extension may be asked for (Art. 9)."""
    day = due - timedelta(days=1)
    while True:
        workday = calendar.is_workday(day)
        # A year the calendar does not know yet falls back to the weekends-only rule, as due dates do.
        if workday or (workday is None and day.weekday() < 5):
            return day
        day -= timedelta(days=1)


def report(session: Session, ticket: Ticket, *, process: str, result: str | None, actor: str,
           now: datetime, knowledge: Knowledge, reactions: Reactions) -> Ticket:
    """The bank reports how it handled the matter and, when done, the result (Art. 9, 33)."""
    _require(ticket, OPEN_STATES, "report")
    if not process.strip():
        raise InvalidInput("process_missing", field="process")
    ticket.process_report = process
    if result is not None:
        if not result.strip():
            raise InvalidInput("result_empty", field="result")
        ticket.result_report, ticket.result_reported_at = result, now
        case = session.get(Case, ticket.case_id)
        # A reopened ticket's case keeps its finding: the second result needs no new 查实/不实.
        settled = case is not None and case.verification is not Verification.received and times_reopened(
            session, ticket) > 0
        ticket.state = TicketState.verified if settled else TicketState.result_reported
        if case is not None:
            reactions.publish(session, ResultReported(ticket=ticket, case=case, result=result, at=now),
                              knowledge=knowledge)
    record_event(session, ticket, type="reported", actor=actor, now=now, final=result is not None)
    return ticket


def times_reopened(session: Session, ticket: Ticket) -> int:
    """How many times the ticket went back to its bank for another handling."""
    return session.exec(select(func.count()).where(TicketEvent.ticket_id == ticket.id,
                                                   TicketEvent.type == "reopened")).one()


def reopen(session: Session, ticket: Ticket, *, reason: str, actor: str, knowledge: Knowledge,
           calendar: WorkdayCalendar, now: datetime, reactions: Reactions) -> Ticket:
    """Send a verified ticket back to its bank for a second handling, due in working days from today.

    The first result stays in the ticket's history (the `reopened` event); the ticket itself is
    open again, without a result, until the bank reports anew.
    """
    _require(ticket, (TicketState.verified,), "reopen")
    case = session.get(Case, ticket.case_id)
    if case is None:
        raise NotFound("case_not_found", case_id=ticket.case_id)
    due = calendar.add_working_days(local_day(now), due_days(ticket.kind, knowledge))
    record_event(session, ticket, type="reopened", actor=actor, now=now, reason=reason,
                 previous_due=ticket.due_date.isoformat(), due=due.due.isoformat(),
                 previous_result=ticket.result_report or "")
    ticket.state, ticket.due_date, ticket.due_provisional = TicketState.acknowledged, due.due, due.provisional
    ticket.extension_requested_until = None
    ticket.result_report, ticket.result_reported_at = None, None
    session.add(ticket)
    session.flush()
    reactions.publish(session, TicketReopened(ticket=ticket, case=case, at=now), knowledge=knowledge)
    return ticket


def object_to_finding(session: Session, ticket: Ticket, *, reason: str, actor: str, now: datetime,
                      knowledge: Knowledge) -> Ticket:
    """Art. 53: the bank may object in writing within 5 days of the finding."""
    case = session.get(Case, ticket.case_id)
    if case is None or case.verification is Verification.received or case.verified_at is None:
        raise InvalidTransition("objection_without_finding", number=ticket.number)
    if not reason.strip():
        raise InvalidInput("objection_reason_missing", field="reason")
    days = knowledge.rules.deadlines.objection.days
    verified_at = case.verified_at
    if local_day(now) > local_day(verified_at) + timedelta(days=days):
        raise ObjectionRefused("objection_too_late", days=days, verified=local_day(verified_at).isoformat())
    record_event(session, ticket, type="objection", actor=actor, now=now, reason=reason)
    return ticket


def citizen_tickets(session: Session, *, citizen_ref: str, limit: int) -> tuple[int, list[Ticket]]:
    """How many tickets the citizen `citizen_ref` has, and the newest `limit` of them, newest first.

    A duplicate's citizen has the ticket of the first case it joined (bot.ledger.duplicates).
    """
    own = select(Case.id).where(Case.citizen_ref == citizen_ref)
    joined = select(Case.duplicate_of).where(Case.citizen_ref == citizen_ref, col(Case.duplicate_of).is_not(None))
    query = select(Ticket).where(or_(col(Ticket.case_id).in_(own), col(Ticket.case_id).in_(joined)))
    count = session.exec(select(func.count()).select_from(query.subquery())).one()
    latest = session.exec(query.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc()).limit(limit)).all()
    return count, list(latest)


def overdue(session: Session, *, today: date, bank: str | None = None) -> list[Ticket]:
    """Open tickets whose due date has passed without a result (Art. 48)."""
    query = select(Ticket).where(Ticket.due_date < today, Ticket.state.in_(OPEN_STATES))  # type: ignore[attr-defined]
    if bank:
        query = query.where(Ticket.bank == bank)
    return list(session.exec(query.order_by(Ticket.due_date)))


def record_delivery(conn: Connection, outcome: object) -> None:
    """Dispatcher hook: the bank has accepted a new ticket, so it moves from created to delivered.

    Runs inside the dispatcher's transaction that marks the delivery delivered, so the ticket's
    state and the outbox agree even if the dispatcher dies right after.
    """
    ticket_id, at = getattr(outcome, "ticket_id"), getattr(outcome, "at")
    moved = conn.execute(update(Ticket.__table__).where(
        Ticket.__table__.c.id == ticket_id, Ticket.__table__.c.state == TicketState.created.name
    ).values(state=TicketState.delivered.name))
    if moved.rowcount:
        conn.execute(insert(TicketEvent.__table__).values(
            ticket_id=ticket_id, at=at, type="delivered", actor="dispatcher",
            detail={"delivery_id": str(getattr(outcome, "delivery_id"))}))
