"""Satisfaction callbacks (回访, Art. 25(二), 40): one per result of a ticket the citizen may be asked about.

Families follow the ledger's pattern: `XBase` (shared fields), `X(table=True)` (the stored row),
`XPublic` (what is shown outside).

States: pending (on the operators' callback list, for a citizen reached by phone) or asked (the
Telegram question is in the outbox) → reminded (Telegram, once) → answered or no_answer.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import instant_field

COMMENT_LIMIT = 1000  # characters of a citizen's comment


class CallbackState(str, Enum):
    pending = "pending"
    asked = "asked"
    reminded = "reminded"
    answered = "answered"
    no_answer = "no_answer"


class Answer(str, Enum):
    satisfied = "satisfied"  # 满意
    basically_satisfied = "basically_satisfied"  # 基本满意
    dissatisfied = "dissatisfied"  # 不满意


class Via(str, Enum):
    telegram = "telegram"
    phone = "phone"


OPEN_STATES = (CallbackState.pending, CallbackState.asked, CallbackState.reminded)
SATISFIED = (Answer.satisfied, Answer.basically_satisfied)  # what the rate counts as satisfied


class CallbackBase(SQLModel):
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    round: int = Field(default=1, ge=1, description="1 for the first handling, 2 after one reopening, …")
    via: Via = Field(sa_type=SAEnum(Via, name="satisfaction_via"))


class SatisfactionCallback(CallbackBase, table=True):
    __tablename__ = "satisfaction_callback"
    __table_args__ = (
        UniqueConstraint("ticket_id", "round", name="uq_satisfaction_callback_ticket_round"),
        # The operators' list and the reminder scan: open callbacks by route, oldest first.
        Index("ix_satisfaction_callback_state_via_created_at", "state", "via", "created_at"),
        # The rates: answers per period.
        Index("ix_satisfaction_callback_answered_at", "answered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # What the Telegram buttons carry instead of the id, so no citizen can answer another's callback.
    token: str = Field(max_length=43, unique=True)
    state: CallbackState = Field(default=CallbackState.pending,
                                 sa_type=SAEnum(CallbackState, name="satisfaction_state"))
    created_at: datetime = instant_field()
    asked_at: datetime | None = instant_field(default=None)
    reminded_at: datetime | None = instant_field(default=None)
    answer: Answer | None = Field(default=None, sa_type=SAEnum(Answer, name="satisfaction_answer"))
    comment: str | None = Field(default=None, max_length=COMMENT_LIMIT)
    answered_at: datetime | None = instant_field(default=None)
    recorded_by: str | None = Field(default=None, max_length=64, description="the operator, for an answer by phone")
    attempts: int = Field(default=0, description="calls 未接通 before an answer")
    closed_at: datetime | None = instant_field(default=None, description="when it ended unanswered")
    reopened: bool = Field(default=False, description="this 不满意 sent the ticket back to the bank")
    needs_decision: bool = Field(default=False, index=True,
                                 description="不满意 after the reopenings allowed: a supervisor decides")
    decision: str | None = Field(default=None, max_length=COMMENT_LIMIT, description="the supervisor's decision")
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = instant_field(default=None)


class CallbackPublic(CallbackBase):
    id: int
    state: CallbackState
    created_at: datetime
    answer: Answer | None
    comment: str | None
    answered_at: datetime | None
    recorded_by: str | None
    attempts: int
    reopened: bool
    needs_decision: bool
    decision: str | None
    decided_at: datetime | None
