"""The delivery outbox's table: one row per event for one bank."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

from sqlmodel import Field, SQLModel

from bot.db.types import instant_field


class DeliveryState(str, Enum):
    pending = "pending"
    delivered = "delivered"
    parked = "parked"


class Delivery(SQLModel, table=True):
    """Outbox row: one event for one bank, delivered at least once with a stable delivery id."""

    __tablename__ = "delivery"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    bank: str = Field(max_length=32, index=True)
    event: str = Field(max_length=32)
    body: str = Field(description="the exact JSON body sent, so every retry signs the same bytes")
    state: DeliveryState = Field(default=DeliveryState.pending, index=True)
    attempts: int = 0
    next_attempt_at: datetime = instant_field(index=True)
    last_error: str | None = Field(default=None, max_length=1000)
    locked_by: str | None = Field(default=None, max_length=64)
    locked_until: datetime | None = instant_field(default=None)
    created_at: datetime = instant_field()
    delivered_at: datetime | None = instant_field(default=None)
