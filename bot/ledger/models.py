"""Ledger tables: complaints and praise (cases), transfer and supervision tickets, their history,
threshold firings, registered banks and the delivery outbox.

Families follow one pattern: `XBase` (shared fields), `XCreate` (what a caller may send),
`X(table=True)` (the stored row), `XPublic` (what is shown outside).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import UTCDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class CaseKind(str, Enum):
    complaint = "complaint"
    praise = "praise"


class Verification(str, Enum):
    """Art. 50: only cases found true count toward the thresholds."""

    received = "received"
    found_true = "found_true"
    not_true = "not_true"


class TicketKind(str, Enum):
    transfer = "transfer"  # 转办单 (Art. 27)
    supervision = "supervision"  # 督办单 (Art. 27, 48)


class TicketState(str, Enum):
    created = "created"
    delivered = "delivered"
    acknowledged = "acknowledged"
    extended = "extended"
    result_reported = "result_reported"
    verified = "verified"
    closed = "closed"


# --------------------------------------------------------------------------- cases


class CaseBase(SQLModel):
    kind: CaseKind
    intent: str = Field(max_length=64, description="taxonomy intent, e.g. complaint/fees or praise")
    bank: str | None = Field(default=None, max_length=32, index=True)
    outlet: str | None = Field(default=None, max_length=64)
    district: str | None = Field(default=None, max_length=16)
    channel: str = Field(max_length=32, description="source channel code (Art. 50)")
    description: str = Field(min_length=1, max_length=4000)
    contact_name: str | None = Field(default=None, max_length=64)
    contact_phone: str | None = Field(default=None, max_length=32)
    consent_to_contact: bool = False
    citizen_ref: str | None = Field(default=None, max_length=64, index=True,
                                    description="channel identity of the citizen, e.g. telegram:12345")


class CaseCreate(CaseBase):
    pass


class Case(CaseBase, table=True):
    __tablename__ = "ledger_case"
    # Threshold counts and reports ask "this bank, this month" all the time.
    __table_args__ = (
        Index("ix_ledger_case_bank_received_at", "bank", "received_at"),
        # Praise and complaint rules count one kind of case per bank and period.
        Index("ix_ledger_case_bank_kind_received_at", "bank", "kind", "received_at"),
        # The console's caller lookup: a phone's earlier complaints and praise (migration 0004).
        Index("ix_ledger_case_contact_phone", "contact_phone"),
    )

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = _ts(index=True)
    verification: Verification = Field(default=Verification.received, index=True)
    verified_at: datetime | None = _ts(default=None)
    verified_by: str | None = Field(default=None, max_length=64)


class CasePublic(CaseBase):
    id: int
    received_at: datetime
    verification: Verification


# --------------------------------------------------------------------------- tickets


class TicketBase(SQLModel):
    kind: TicketKind
    bank: str = Field(max_length=32, index=True)
    outlet: str | None = Field(default=None, max_length=64)
    due_date: date = Field(index=True)
    due_provisional: bool = False


class Ticket(TicketBase, table=True):
    __tablename__ = "ticket"
    __table_args__ = (Index("ix_ticket_bank_due_date", "bank", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    case_id: int = Field(foreign_key="ledger_case.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="ticket.id")
    state: TicketState = Field(default=TicketState.created, index=True)
    created_at: datetime = _ts()
    acknowledged_at: datetime | None = _ts(default=None)
    extension_requested_until: date | None = None
    process_report: str | None = Field(default=None, max_length=4000)
    result_report: str | None = Field(default=None, max_length=4000)
    result_reported_at: datetime | None = _ts(default=None)
    escalated_at: datetime | None = _ts(default=None)
    closed_at: datetime | None = _ts(default=None)


class TicketPublic(TicketBase):
    number: str
    state: TicketState
    created_at: datetime
    process_report: str | None
    result_report: str | None


class TicketEvent(SQLModel, table=True):
    """Everything that happened to a ticket, in order: its audit trail."""

    __tablename__ = "ticket_event"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    at: datetime = _ts()
    type: str = Field(max_length=32)
    actor: str = Field(max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TicketSequence(SQLModel, table=True):
    """Last number handed out per prefix and Asia/Shanghai day (ZB-20261127-0001, …)."""

    __tablename__ = "ticket_sequence"

    prefix: str = Field(primary_key=True, max_length=4)
    day: date = Field(primary_key=True)
    last: int = 0


# --------------------------------------------------------------------------- thresholds


class ThresholdFiring(SQLModel, table=True):
    """One rule fired once for one subject and period (Art. 43–48), official or early warning."""

    __tablename__ = "threshold_firing"
    __table_args__ = (UniqueConstraint("rule_id", "level", "subject", "period", name="uq_firing_once"),)

    id: int | None = Field(default=None, primary_key=True)
    rule_id: str = Field(max_length=48)
    level: str = Field(max_length=16, description="official (found true) or warning (received)")
    subject: str = Field(max_length=128, description="bank, or bank + outlet")
    bank: str = Field(max_length=32, index=True)
    period: str = Field(max_length=32, description="2026, 2026-11, or month/case id for per-case rules")
    fired_at: datetime = _ts()
    count: int
    articles: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    case_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    consequence: str = Field(max_length=1000)
    next_steps: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


# --------------------------------------------------------------------------- banks and deliveries


class BankAccount(SQLModel, table=True):
    """A partner bank's endpoint and credentials (registered with `sbk bank register`)."""

    __tablename__ = "bank_account"

    id: int | None = Field(default=None, primary_key=True)
    bank: str = Field(max_length=32, unique=True)
    webhook_url: str = Field(max_length=500)
    api_key_hash: str = Field(max_length=200)
    api_key_prefix: str = Field(max_length=16, index=True)
    # Needed in clear to sign every delivery, as with any webhook provider; never logged.
    webhook_secret: str = Field(max_length=128)
    updated_at: datetime = _ts()


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
    next_attempt_at: datetime = _ts(index=True)
    last_error: str | None = Field(default=None, max_length=1000)
    locked_by: str | None = Field(default=None, max_length=64)
    locked_until: datetime | None = _ts(default=None)
    created_at: datetime = _ts()
    delivered_at: datetime | None = _ts(default=None)


# --------------------------------------------------------------------------- citizen notices


class CitizenNotice(SQLModel, table=True):
    """A message owed to a citizen about their ticket (result reported, escalated, verified).

    An outbox like `Delivery`: written in the transaction that changed the ticket, sent by the
    citizen's channel (the Telegram bot), so a restart or an unreachable Telegram loses nothing.
    """

    __tablename__ = "citizen_notice"

    id: int | None = Field(default=None, primary_key=True)
    citizen_ref: str = Field(max_length=64, index=True, description="channel:identity, e.g. telegram:12345")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    text: str = Field(max_length=4000)
    created_at: datetime = _ts()
    next_attempt_at: datetime = _ts(index=True)
    attempts: int = 0
    sent_at: datetime | None = _ts(default=None, index=True)
    last_error: str | None = Field(default=None, max_length=500)
