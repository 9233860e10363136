"""Ledger tables: complaints and praise (cases), transfer and supervision tickets, their history and
the numbering of tickets. The tables that react to the ledger live with their packages: threshold
firings in bot.thresholds, bank accounts in bot.banks, deliveries in bot.forwarding and the
citizens' message outbox in bot.notifications.

Families follow one pattern: `XBase` (shared fields), `XCreate` (what a caller may send),
`X(table=True)` (the stored row), `XPublic` (what is shown outside).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from bot.db.types import instant_field


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
    received_at: datetime = instant_field(index=True)
    verification: Verification = Field(default=Verification.received, index=True)
    verified_at: datetime | None = instant_field(default=None)
    verified_by: str | None = Field(default=None, max_length=64)
    # A duplicate (bot.ledger.duplicates): the first case of the matter, whose open ticket it joined.
    duplicate_of: int | None = Field(default=None, foreign_key="ledger_case.id", index=True)


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
    created_at: datetime = instant_field()
    acknowledged_at: datetime | None = instant_field(default=None)
    extension_requested_until: date | None = None
    process_report: str | None = Field(default=None, max_length=4000)
    result_report: str | None = Field(default=None, max_length=4000)
    result_reported_at: datetime | None = instant_field(default=None)
    escalated_at: datetime | None = instant_field(default=None)
    closed_at: datetime | None = instant_field(default=None)


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
    at: datetime = instant_field()
    type: str = Field(max_length=32)
    actor: str = Field(max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TicketSequence(SQLModel, table=True):
    """Last number handed out per prefix and Asia/Shanghai day (ZB-20261127-0001, …)."""

    __tablename__ = "ticket_sequence"

    prefix: str = Field(primary_key=True, max_length=4)
    day: date = Field(primary_key=True)
    last: int = 0
