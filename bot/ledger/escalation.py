"""Escalating overdue transfer tickets to supervision tickets (Art. 27, 48)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.forwarding import TICKET_ESCALATED, enqueue
from bot.knowledge import Knowledge
from bot.ledger.locks import lock_bank
from bot.ledger.models import Case, Ticket, TicketKind
from bot.ledger.tickets import local_day, open_ticket, overdue, record_event
from bot.thresholds import evaluate
from bot.workdays import WorkdayCalendar


def escalate_overdue(session: Session, *, knowledge: Knowledge, calendar: WorkdayCalendar,
                     now: datetime) -> list[Ticket]:
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
        enqueue(session, ticket=supervision, case=case, event=TICKET_ESCALATED, knowledge=knowledge, now=now)
        escalated.append(supervision)
    for bank in sorted({t.bank for t in late}):
        evaluate(session, bank=bank, at=now, knowledge=knowledge)
    return escalated
