"""Console tables: users and their roles, server-side sign-in sessions, sign-in throttling, and the audit log.

Families follow the ledger's pattern: `XBase` (shared fields), `XCreate` (what a caller may send),
`X(table=True)` (the stored row), `XPublic` (what is shown outside).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from bot.db.types import instant_field

NAME_MAX = 32
PASSWORD_MIN = 10
# Argon2 hashes any length, but a megabyte "password" is only a way to burn the server's CPU.
PASSWORD_MAX = 128


class Role(str, Enum):
    operator = "operator"  # 12333 hotline operator: assist page, tickets, handoff queue
    district_supervisor = "district_supervisor"  # district agency: supervision limited to its district
    city_supervisor = "city_supervisor"  # city agency: supervision of every district
    admin = "admin"  # everything, and the users

    @property
    def label_key(self) -> str:
        """The catalogue key of the role's name as shown to people (knowledge/console.yml)."""
        return f"console_role_{self.value}"


# --------------------------------------------------------------------------- users


class ConsoleUserBase(SQLModel):
    name: str = Field(min_length=2, max_length=NAME_MAX, description="sign-in name, e.g. zhangsan or 张三")
    role: Role
    district: str | None = Field(default=None, max_length=16,
                                 description="canonical district name; only (and always) for district supervisors")


class ConsoleUserCreate(ConsoleUserBase):
    password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)


class ConsoleUser(ConsoleUserBase, table=True):
    __tablename__ = "console_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, unique=True)
    # A type name of its own: PostgreSQL enum types share one namespace with every other type.
    role: Role = Field(sa_type=SAEnum(Role, name="console_role"))
    password_hash: str = Field(max_length=200)
    active: bool = True
    created_at: datetime = instant_field()


class ConsoleUserPublic(ConsoleUserBase):
    id: int
    active: bool
    created_at: datetime


# --------------------------------------------------------------------------- sessions


class ConsoleSession(SQLModel, table=True):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    copy of the table signs nobody in."""

    __tablename__ = "console_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="console_user.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = instant_field()
    last_seen_at: datetime = instant_field()
    # The absolute end (sign-in + console_session_absolute_hours); the idle end moves with last_seen_at.
    expires_at: datetime = instant_field(index=True)


# --------------------------------------------------------------------------- sign-in throttling

# A typed name or a client address (an IPv6 address with a zone fits); longer input is cut to this.
SUBJECT_MAX = 64


class ThrottleSubject(str, Enum):
    """What a failed sign-in is counted against, and what a lockout refuses."""

    account = "account"  # the sign-in name as typed (normalised), whether or not such a user exists
    address = "address"  # the client's address, whatever names it tries


class SignInFailure(SQLModel, table=True):
    """One failed sign-in, counted against one subject: a failure writes one row for the name and
    one for the address, so either count can be cleared without touching the other."""

    __tablename__ = "console_sign_in_failure"
    __table_args__ = (Index("ix_console_sign_in_failure_subject_at", "kind", "subject", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: ThrottleSubject = Field(sa_type=SAEnum(ThrottleSubject, name="console_throttle_subject"))
    subject: str = Field(max_length=SUBJECT_MAX)
    at: datetime = instant_field(index=True)


class SignInLockout(SQLModel, table=True):
    """A name or an address refused until `until`, unless an administrator lifted it first. Rows
    stay after they end, with who lifted them early and when."""

    __tablename__ = "console_sign_in_lockout"
    __table_args__ = (Index("ix_console_sign_in_lockout_subject_until", "kind", "subject", "until"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: ThrottleSubject = Field(sa_type=SAEnum(ThrottleSubject, name="console_throttle_subject"))
    subject: str = Field(max_length=SUBJECT_MAX)
    locked_at: datetime = instant_field()
    until: datetime = instant_field()
    lifted_by: str | None = Field(default=None, max_length=64, description="the administrator, or the command")
    lifted_at: datetime | None = instant_field(default=None)


# --------------------------------------------------------------------------- audit log


class AuditEntry(SQLModel, table=True):
    """Art. 51: who viewed or changed what, and when. The name and role are copied, not linked,
    so the entry still says who it was after the user is renamed or deactivated."""

    __tablename__ = "console_audit"
    # "Who looked at this ticket" and "what did this person do" are the questions asked of it.
    __table_args__ = (
        Index("ix_console_audit_ticket_number_at", "ticket_number", "at"),
        Index("ix_console_audit_user_name_at", "user_name", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = instant_field(index=True)
    user_name: str = Field(max_length=NAME_MAX)
    role: str = Field(max_length=32)
    action: str = Field(max_length=48, description="what was done, in English: view_ticket, create_user …")
    ticket_number: str | None = Field(default=None, max_length=20)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
