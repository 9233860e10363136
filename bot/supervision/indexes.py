"""Indexes the supervision views need on the ledger's tables (migration 0006), declared on the
tables' metadata so that the models and the migrations stay equal.

Each one was added because `sbk bench console` showed a page reading whole tables without it
(100k tickets, SQLite and PostgreSQL):

- ticket (created_at): the ticket list's default order, newest first; without it every page of the
  list sorted all tickets (about 200–300 ms, 10 ms with it);
- ledger_case (district, received_at): a district supervisor's lists, counts and figures, which
  join each ticket's case and keep their district's (and its period's) cases;
- ledger_case (verified_at): findings still open to the banks' objections (Art. 53);
- ticket_event (type, at): the objections the banks raised lately.
"""

from __future__ import annotations

from sqlalchemy import Index

from bot.ledger.models import Case, Ticket, TicketEvent

_ticket, _case, _event = Ticket.__table__, Case.__table__, TicketEvent.__table__  # type: ignore[attr-defined]

INDEXES = (
    Index("ix_ticket_created_at", _ticket.c.created_at),
    Index("ix_ledger_case_district_received_at", _case.c.district, _case.c.received_at),
    Index("ix_ledger_case_verified_at", _case.c.verified_at),
    Index("ix_ticket_event_type_at", _event.c.type, _event.c.at),
)
