"""The deliveries a bank is owed when the ledger changes one of its tickets (docs/bank-integration.md)."""

from __future__ import annotations

from sqlmodel import Session

from bot.forwarding.outbox import TICKET_CREATED, TICKET_ESCALATED, TICKET_UPDATED, enqueue
from bot.knowledge import Knowledge
from bot.ledger.events import TicketEscalated, TicketOpened, TicketReopened, TicketVerified


def forward_opened(session: Session, event: TicketOpened, knowledge: Knowledge) -> None:
    """ticket.created: the new transfer ticket, to its bank."""
    enqueue(session, ticket=event.ticket, case=event.case, event=TICKET_CREATED, knowledge=knowledge, now=event.at)


def forward_escalated(session: Session, event: TicketEscalated, knowledge: Knowledge) -> None:
    """ticket.escalated: the supervision ticket that now supervises an overdue one."""
    enqueue(session, ticket=event.supervision, case=event.case, event=TICKET_ESCALATED, knowledge=knowledge,
            now=event.at)


def forward_finding(session: Session, event: TicketVerified, knowledge: Knowledge) -> None:
    """ticket.updated: the agency's finding, which the bank may object to (Art. 53)."""
    enqueue(session, ticket=event.ticket, case=event.case, event=TICKET_UPDATED, knowledge=knowledge, now=event.at)


def forward_reopened(session: Session, event: TicketReopened, knowledge: Knowledge) -> None:
    """ticket.updated: the ticket is back with the bank (state acknowledged) with its new due date."""
    enqueue(session, ticket=event.ticket, case=event.case, event=TICKET_UPDATED, knowledge=knowledge, now=event.at)
