"""One-time notices (一次性告知单, Art. 19): the numbered document a citizen is given when a matter
cannot be handled on the spot, and its registration (time, matter, contact, phone).

A notice is a document: what it said when it was issued (reason, missing items, procedure,
service phone) is kept on the row, so a reprint next month shows the same text even if
knowledge/notices.yml has been reworded since.

Families follow the ledger's pattern: `XBase` (shared fields), `XCreate` (what a caller may
send), `X(table=True)` (the stored row), `XPublic` (what is shown outside).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from bot.db.types import UTCDateTime


class NoticeItem(BaseModel):
    """One missing item or procedure step, with where it comes from (regulation or operator)."""

    text: str
    source: str
    articles: list[int] = []

    @property
    def is_operator(self) -> bool:
        return self.source == "operator"


class OneTimeNoticeBase(SQLModel):
    matter: str = Field(max_length=64, description="受理事项: taxonomy intent, e.g. inquiry/photo")
    channel: str = Field(max_length=32, description="channel code from knowledge/channels.yml")
    contact_name: str | None = Field(default=None, max_length=64)
    contact_phone: str | None = Field(default=None, max_length=32, description="digits only (bot.ledger.phones)")
    citizen_ref: str | None = Field(default=None, max_length=64, index=True,
                                    description="channel identity of the citizen, e.g. telegram:12345")


class OneTimeNoticeCreate(OneTimeNoticeBase):
    pass


class OneTimeNotice(OneTimeNoticeBase, table=True):
    __tablename__ = "one_time_notice"
    # The console's caller lookup lists a phone's notices newest first.
    __table_args__ = (Index("ix_one_time_notice_contact_phone_issued_at", "contact_phone", "issued_at"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    notice_case: str = Field(max_length=32, description="key in knowledge/notices.yml")
    title: str = Field(max_length=200)
    citation: str = Field(max_length=64)
    reason: str = Field(max_length=2000)
    handled_at: str = Field(max_length=200)
    missing: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    procedure: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    service_phone: str = Field(max_length=32)
    # Art. 19: "主动协助服务对象在7日内办结相关事务". The Measures write 工作日 whenever they mean
    # working days (Art. 17 "7个工作日", Art. 9 "1个工作日", Art. 29 "2个工作日") and plain 日 here,
    # as in Art. 53's "5日内" (rules.yml objection: day_kind calendar), so these are calendar days.
    # As everywhere in the product (docs/contracts.md, 民法典 第二百零一条) the day of issue is not counted:
    # issued on 2026-11-27, the matter is to be finished by 2026-12-04.
    follow_up_by: date = Field(index=True)
    reminder_requested: bool = False
    # The queued push (the citizen-message outbox), withdrawn while unsent if the matter is completed.
    reminder_message_id: int | None = Field(default=None, foreign_key="citizen_message.id")
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def missing_items(self) -> list[NoticeItem]:
        return [NoticeItem.model_validate(item) for item in self.missing]

    @property
    def procedure_steps(self) -> list[NoticeItem]:
        return [NoticeItem.model_validate(item) for item in self.procedure]


class OneTimeNoticePublic(OneTimeNoticeBase):
    number: str
    issued_at: datetime
    notice_case: str
    title: str
    citation: str
    reason: str
    handled_at: str
    missing: list[NoticeItem]
    procedure: list[NoticeItem]
    service_phone: str
    follow_up_by: date
    reminder_requested: bool
    completed_at: datetime | None

