"""The citizen-message outbox: queued in the transaction that caused it, sent by the citizen's channel."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.forwarding import retry_delay
from bot.notifications.models import CitizenMessage

# A message that keeps failing (Telegram unreachable, chat blocked) waits longer each time.
RETRY_BASE_SECONDS = 30.0
RETRY_MAX_SECONDS = 3600.0


def queue_message(session: Session, *, citizen_ref: str, text: str, now: datetime, ticket_id: int | None = None,
                  send_at: datetime | None = None,
                  buttons: list[tuple[str, tuple[str, ...]]] | None = None) -> CitizenMessage:
    """Add a message for `citizen_ref` to the caller's transaction, to be sent at `send_at` (default: now).

    `buttons` are (title, callback data) pairs the channel shows under the text, one per row.
    """
    message = CitizenMessage(citizen_ref=citizen_ref, ticket_id=ticket_id, text=text, created_at=now,
                             next_attempt_at=max(send_at, now) if send_at is not None else now,
                             buttons=[[title, list(data)] for title, data in buttons] if buttons else None)
    session.add(message)
    return message


def due_messages(session: Session, *, channel: str, now: datetime, limit: int = 50) -> list[CitizenMessage]:
    """Unsent messages for citizens of `channel` (the prefix of citizen_ref) whose time has come."""
    query = (select(CitizenMessage)
             .where(CitizenMessage.sent_at == None,  # noqa: E711
                    CitizenMessage.citizen_ref.startswith(f"{channel}:"),  # type: ignore[attr-defined]
                    CitizenMessage.next_attempt_at <= now)
             .order_by(CitizenMessage.id).limit(limit))
    return list(session.exec(query))


def mark_sent(session: Session, message: CitizenMessage, *, now: datetime) -> None:
    message.sent_at = now
    session.add(message)


def mark_failed(session: Session, message: CitizenMessage, *, error: str, now: datetime) -> None:
    """Keep the message and try again later, with the same jittered back-off as bank deliveries."""
    message.attempts += 1
    delay = retry_delay(message.attempts, base_delay=RETRY_BASE_SECONDS, max_delay=RETRY_MAX_SECONDS)
    message.next_attempt_at = now + timedelta(seconds=delay)
    message.last_error = error[:500]
    session.add(message)
