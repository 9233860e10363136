"""Scheduled ticket upkeep: provisional due dates made official, overdue tickets escalated (Art. 27, 48)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.knowledge import Knowledge
from bot.ledger.events import BankCountsChanged, Reactions, TicketEscalated
from bot.ledger.locks import lock_bank
from bot.ledger.models import Case, Ticket, TicketKind
from bot.ledger.tickets import OPEN_STATES, due_days, local_day, open_ticket, overdue, record_event
from bot.workdays import WorkdayCalendar


def recompute_provisional_due_dates(session: Session, *, knowledge: Knowledge, calendar: WorkdayCalendar,
                                    now: datetime) -> list[Ticket]:
    """Recount due dates that crossed into a year the calendar did not know when they were set.

    Once an operator configures that year (knowledge/workdays/), the official date replaces
    the weekends-only one. Extended tickets keep the date the extension named.
    """
    changed: list[Ticket] = []
    query = select(Ticket).where(Ticket.due_provisional == True, Ticket.state.in_(OPEN_STATES),  # noqa: E712
                                 Ticket.extension_requested_until == None)  # type: ignore[attr-defined]  # noqa: E711
    for ticket in session.exec(query):
        due = calendar.add_working_days(local_day(ticket.created_at), due_days(ticket.kind, knowledge))
        if due.provisional and due.due == ticket.due_date:
            continue
        record_event(session, ticket, type="due_recomputed", actor="system", now=now,
                     previous_due=ticket.due_date.isoformat(), due=due.due.isoformat(), provisional=due.provisional)
        ticket.due_date, ticket.due_provisional = due.due, due.provisional
        session.add(ticket)
        changed.append(ticket)
    return changed


def escalate_overdue(session: Session, *, knowledge: Knowledge, calendar: WorkdayCalendar,
                     now: datetime, reactions: Reactions) -> list[Ticket]:
    """Open a supervision ticket for every overdue transfer ticket not yet escalated.

    Idempotent: a transfer ticket is escalated once (its escalated_at is set in the same
    transaction), so the scan can run on a schedule and on demand without duplicates.
    Overdue tickets also count toward the Art. 48 rule of their bank.
    """
    late = overdue(session, today=local_day(now))
    escalated: list[Ticket] = []
    for bank in sorted({t.bank for t in late}):
        lock_bank(session, bank)
    for ticket in late:
        if ticket.kind is not TicketKind.transfer or ticket.escalated_at is not None:
            continue
        case = session.get(Case, ticket.case_id)
        assert case is not None  # a ticket always has its case (foreign key)
        supervision = open_ticket(session, case=case, kind=TicketKind.supervision, knowledge=knowledge,
                                  calendar=calendar, now=now, parent=ticket)
        ticket.escalated_at = now
        session.add(ticket)
        record_event(session, ticket, type="escalated", actor="system", now=now,
                     supervision_ticket=supervision.number)
        reactions.publish(session, TicketEscalated(ticket=ticket, supervision=supervision, case=case, at=now),
                          knowledge=knowledge)
        escalated.append(supervision)
    for bank in sorted({t.bank for t in late}):
        reactions.publish(session, BankCountsChanged(bank=bank, period_at=now, at=now), knowledge=knowledge)
    return escalated
