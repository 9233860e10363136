"""A caller's earlier complaints, praise, tickets and one-time notices, found by phone number.

Both lookups are indexed (ledger_case.contact_phone; one_time_notice.contact_phone with the issue
time) and bounded, so they cost the same with 100k tickets as with ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, func, select

from bot.ledger.models import Case, Ticket
from bot.ledger.phones import normalize_phone
from bot.one_time_notices import OneTimeNotice, notices_for_phone

LIMIT = 20


@dataclass(frozen=True)
class EarlierCase:
    received_at: datetime
    kind: str
    intent: str
    bank: str | None
    outlet: str | None
    ticket_number: str | None
    ticket_kind: str | None
    state: str | None
    due_date: date | None
    due_provisional: bool


@dataclass(frozen=True)
class CallerHistory:
    phone: str  # normalised
    cases: list[EarlierCase]
    notices: list[OneTimeNotice]

    @property
    def ticket_numbers(self) -> list[str]:
        return [c.ticket_number for c in self.cases if c.ticket_number]


def cases_query(phone: str, *, limit: int = LIMIT):  # type: ignore[no-untyped-def]
    """A stored phone's cases with their tickets, newest first (ix_ledger_case_contact_phone).

    A duplicate shows the ticket of the first case it joined (bot.ledger.duplicates).
    """
    ticket_case = func.coalesce(Case.duplicate_of, Case.id)
    return (select(Case, Ticket).join(Ticket, Ticket.case_id == ticket_case, isouter=True)  # type: ignore[arg-type]
            .where(Case.contact_phone == phone)
            .order_by(Case.received_at.desc(), Ticket.id)  # type: ignore[attr-defined]
            .limit(limit))


def caller_history(session: Session, *, phone: str, limit: int = LIMIT) -> CallerHistory:
    """The latest cases (with their tickets) and notices of `phone`; InvalidInput(field="phone")
    for something that is not a phone number."""
    number = normalize_phone(phone, field="phone")
    cases = [EarlierCase(received_at=case.received_at, kind=case.kind.value, intent=case.intent, bank=case.bank,
                         outlet=case.outlet, ticket_number=ticket.number if ticket else None,
                         ticket_kind=ticket.kind.value if ticket else None,
                         state=ticket.state.value if ticket else None,
                         due_date=ticket.due_date if ticket else None,
                         due_provisional=bool(ticket and ticket.due_provisional))
             for case, ticket in session.exec(cases_query(number, limit=limit))]
    return CallerHistory(phone=number, cases=cases, notices=notices_for_phone(session, phone=number, limit=limit))
