"""Document numbers per Asia/Shanghai day: tickets ZB-YYYYMMDD-NNNN (transfer) and DB-YYYYMMDD-NNNN
(supervision); other numbered documents (one-time notices, GZ-…) share the same counter table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.clock import SHANGHAI
from bot.ledger.models import TicketKind, TicketSequence

PREFIXES = {TicketKind.transfer: "ZB", TicketKind.supervision: "DB"}


def next_ticket_number(session: Session, *, kind: TicketKind, at: datetime) -> str:
    """Allocate the next ticket number of the day in the caller's transaction."""
    return next_number(session, prefix=PREFIXES[kind], at=at)


def next_number(session: Session, *, prefix: str, at: datetime) -> str:
    """Allocate the next `prefix` number of the day in the caller's transaction.

    One upsert both creates the day's counter and increments it, so concurrent writers
    never receive the same number, on PostgreSQL and SQLite alike.
    """
    day = at.astimezone(SHANGHAI).date()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = TicketSequence.__table__
    stmt = (
        dialect.insert(table)
        .values(prefix=prefix, day=day, last=1)
        .on_conflict_do_update(index_elements=["prefix", "day"], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    last = session.exec(stmt).scalar_one()  # type: ignore[call-overload]
    return f"{prefix}-{day:%Y%m%d}-{last:04d}"
