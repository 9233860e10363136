"""The assistant's own figures: how each conversation ended, from the events Rasa streams.

Families follow the ledger's pattern. A conversation is one Rasa session of one sender (a
``session_started`` event opens the next); its row is updated as its events arrive, so its outcome
is the one its latest event gives. No message text is stored: only counts and the outcome.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from bot.db.types import instant_field


class Outcome(str, Enum):
    answered = "answered"  # the assistant answered, nobody else was needed
    handed_off = "handed_off"  # the conversation went to the 12333 operators' queue
    not_understood = "not_understood"  # the last turn was not understood and nothing recovered it
    silent = "silent"  # the session opened but the citizen wrote nothing: not counted


class Turn(str, Enum):
    """What the assistant made of one message of the conversation."""

    none = "none"
    understood = "understood"
    unclear = "unclear"


def _varchar(enum: type[Enum], name: str) -> SAEnum:
    # A VARCHAR rather than a PostgreSQL type: a new outcome needs no type migration.
    return SAEnum(enum, name=name, native_enum=False, create_constraint=False, length=16)


class ConversationOutcomeBase(SQLModel):
    sender_id: str = Field(max_length=128, description="Rasa's conversation id, e.g. telegram:12345")
    started_at: datetime = instant_field()
    last_event_at: datetime = instant_field()
    user_turns: int = 0
    # Counts as of the latest event, the current turn included (a later event of that turn may change it).
    unclear_turns: int = Field(default=0, description="turns answered with a clarifying question or the fallback")
    recoveries: int = Field(default=0, description="unclear turns followed by an understood one")
    previous_turn: Turn = Field(default=Turn.none, sa_type=_varchar(Turn, "conversation_turn"))
    current_turn: Turn = Field(default=Turn.none, sa_type=_varchar(Turn, "conversation_turn"))
    after_clarify: bool = Field(default=False, description="action_clarify ran in the current turn")
    handed_off: bool = False
    outcome: Outcome = Field(default=Outcome.silent, sa_type=_varchar(Outcome, "conversation_outcome_kind"))


class ConversationOutcome(ConversationOutcomeBase, table=True):
    __tablename__ = "conversation_outcome"
    __table_args__ = (
        # The consumer finds a sender's latest conversation for every event.
        Index("ix_conversation_outcome_sender_started_at", "sender_id", "started_at"),
        # The board counts outcomes per month.
        Index("ix_conversation_outcome_started_at_outcome", "started_at", "outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)


class ConversationEventReceipt(SQLModel, table=True):
    """A broker message already applied: a message delivered again (its acknowledgement was lost
    after the write) is recognised by its digest and not counted twice."""

    __tablename__ = "conversation_event_receipt"

    digest: str = Field(primary_key=True, max_length=64, description="SHA-256 of the message body")
    received_at: datetime = instant_field(index=True)
