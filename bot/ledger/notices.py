"""Messages owed to citizens about their tickets, kept in an outbox their channel sends from."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.forwarding import retry_delay
from bot.knowledge import Knowledge
from bot.ledger.models import Case, CitizenNotice, Ticket

# A notice that keeps failing (Telegram unreachable, chat blocked) waits longer each time.
RETRY_BASE_SECONDS = 30.0
RETRY_MAX_SECONDS = 3600.0


def notify_citizen(session: Session, *, case: Case, ticket: Ticket, message: str, knowledge: Knowledge,
                   now: datetime, **values: object) -> CitizenNotice | None:
    """Queue reply-template `message` for the citizen behind `case`, if they came through a channel."""
    if not case.citizen_ref:
        return None
    text = knowledge.replies.render(message, number=ticket.number,
                                    service_phone=knowledge.operator.service_phone, **values)
    notice = CitizenNotice(citizen_ref=case.citizen_ref, ticket_id=ticket.id, text=text, created_at=now,
                           next_attempt_at=now)
    session.add(notice)
    return notice


def due_notices(session: Session, *, channel: str, now: datetime, limit: int = 50) -> list[CitizenNotice]:
    """Unsent notices for citizens of `channel` (the prefix of citizen_ref) whose time has come."""
    query = (select(CitizenNotice)
             .where(CitizenNotice.sent_at == None,  # noqa: E711
                    CitizenNotice.citizen_ref.startswith(f"{channel}:"),  # type: ignore[attr-defined]
                    CitizenNotice.next_attempt_at <= now)
             .order_by(CitizenNotice.id).limit(limit))
    return list(session.exec(query))


def mark_sent(session: Session, notice: CitizenNotice, *, now: datetime) -> None:
    notice.sent_at = now
    session.add(notice)


def mark_failed(session: Session, notice: CitizenNotice, *, error: str, now: datetime) -> None:
    """Keep the notice and try again later, with the same jittered back-off as bank deliveries."""
    notice.attempts += 1
    delay = retry_delay(notice.attempts, base_delay=RETRY_BASE_SECONDS, max_delay=RETRY_MAX_SECONDS)
    notice.next_attempt_at = now + timedelta(seconds=delay)
    notice.last_error = error[:500]
    session.add(notice)
