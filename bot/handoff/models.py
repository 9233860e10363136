"""Conversations handed over to a 12333 operator, and what was said in them.

Families follow the ledger's pattern: `XBase` (shared fields), `X(table=True)` (the stored row),
`XPublic` (what is shown outside).

What the citizen wrote is stored as written, ID and phone numbers included. The operator who serves
the citizen must be able to read them (a number to call back, an ID number to look a card up): masking
them on the way in would make the handoff useless for exactly the matters that need a person. Art. 51
binds the staff to confidentiality and Art. 9 asks that the citizen's information be protected, so the
numbers are masked (`bot.privacy.mask`) everywhere they need not be seen: the queue's previews, the
conversation shown to anyone but the operator serving it, and every log line (texts are never logged).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from bot.db.types import instant_field

TEXT_LIMIT = 4096  # characters of one stored message: Telegram's own limit for one message


class HandoffReason(str, Enum):
    requested = "requested"  # the citizen asked for a person
    low_confidence = "low_confidence"  # the assistant did not understand twice in a row


class HandoffState(str, Enum):
    waiting = "waiting"  # in the queue, nobody has taken it yet
    taken = "taken"  # an operator is serving the citizen
    closed = "closed"  # ended by the operator or the citizen; the assistant answers again


class MessageAuthor(str, Enum):
    citizen = "citizen"
    assistant = "assistant"
    operator = "operator"


# A citizen has at most one handoff that is not closed: the condition of the partial unique index.
OPEN_CONDITION = "state != 'closed'"


class HandoffBase(SQLModel):
    citizen_ref: str = Field(max_length=64, index=True, description="channel:identity, e.g. telegram:12345")
    channel: str = Field(max_length=32, description="the channel the citizen talks through, e.g. telegram")
    reason: HandoffReason = Field(sa_type=SAEnum(HandoffReason, name="handoff_reason"))


class Handoff(HandoffBase, table=True):
    __tablename__ = "handoff"
    __table_args__ = (
        # The queue: waiting first, oldest first.
        Index("ix_handoff_state_opened_at", "state", "opened_at"),
        Index("uq_handoff_open_citizen", "citizen_ref", unique=True,
              sqlite_where=text(OPEN_CONDITION), postgresql_where=text(OPEN_CONDITION)),
    )

    id: int | None = Field(default=None, primary_key=True)
    state: HandoffState = Field(default=HandoffState.waiting, sa_type=SAEnum(HandoffState, name="handoff_state"))
    opened_at: datetime = instant_field()
    taken_by: str | None = Field(default=None, max_length=64, description="the operator's console name")
    taken_at: datetime | None = instant_field(default=None)
    closed_at: datetime | None = instant_field(default=None)
    closed_by: str | None = Field(default=None, max_length=64,
                                  description="the operator's console name, or None when the citizen ended it")
    # Messages the citizen sent after the handoff opened: the first one gets the "an operator will reply" note.
    citizen_messages: int = 0
    last_message_at: datetime = instant_field()


class HandoffPublic(HandoffBase):
    id: int
    state: HandoffState
    opened_at: datetime
    taken_by: str | None
    taken_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    last_message_at: datetime


class HandoffMessageBase(SQLModel):
    author: MessageAuthor = Field(sa_type=SAEnum(MessageAuthor, name="handoff_author"))
    text: str = Field(max_length=TEXT_LIMIT)
    operator: str | None = Field(default=None, max_length=64, description="the operator's console name")


class HandoffMessage(HandoffMessageBase, table=True):
    __tablename__ = "handoff_message"

    id: int | None = Field(default=None, primary_key=True)
    handoff_id: int = Field(foreign_key="handoff.id", index=True)
    at: datetime = instant_field()


class HandoffMessagePublic(HandoffMessageBase):
    id: int
    handoff_id: int
    at: datetime
