"""The outbox of messages owed to citizens in their channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from bot.db.types import instant_field


class CitizenMessage(SQLModel, table=True):
    """A message owed to a citizen about their ticket (result reported, escalated, verified).

    An outbox like `Delivery`: written in the transaction that changed the ticket, sent by the
    citizen's channel (the Telegram bot), so a restart or an unreachable Telegram loses nothing.
    """

    __tablename__ = "citizen_message"

    id: int | None = Field(default=None, primary_key=True)
    citizen_ref: str = Field(max_length=64, index=True, description="channel:identity, e.g. telegram:12345")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    text: str = Field(max_length=4000)
    created_at: datetime = instant_field()
    next_attempt_at: datetime = instant_field(index=True)
    attempts: int = 0
    sent_at: datetime | None = instant_field(default=None, index=True)
    last_error: str | None = Field(default=None, max_length=500)
    # Inline buttons under the text, one per row: [[title, [callback data…]], …] (the satisfaction question).
    buttons: list[Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
