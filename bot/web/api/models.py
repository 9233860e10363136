"""Request and response bodies of the bank API (SQLModel families, as in the ledger).

Requests: ``ReportCreate``, ``ExtensionCreate``, ``ObjectionCreate`` (unknown fields refused).
Responses: ``BankTicketPublic`` (list item), ``BankTicketsPublic`` (a page), ``BankTicketDetail``
(one ticket with the case's masked description, and the citizen's contact only with consent),
``ErrorPublic`` (every 4xx).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import ConfigDict, field_validator
from sqlmodel import Field, SQLModel

from bot.ledger.models import TicketPublic, Verification

MAX_TEXT = 4000  # Ticket.process_report / result_report
MAX_REASON = 2000
NOT_BLANK = r"\S"  # at least one character that is not white space (unanchored, as in JSON Schema)


# --------------------------------------------------------------------------- requests


class _Request(SQLModel):
    model_config = ConfigDict(extra="forbid")


class ReportCreate(_Request):
    process: str = Field(min_length=1, max_length=MAX_TEXT, schema_extra={"pattern": NOT_BLANK}, description="处理过程（必填）")
    result: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT, schema_extra={"pattern": NOT_BLANK},
                               description="处理结果；填写即表示办结，工单进入“已反馈结果”状态")


class ExtensionCreate(_Request):
    until: date = Field(description="申请延期至（YYYY-MM-DD），须晚于当前到期日")
    reason: str = Field(min_length=1, max_length=MAX_REASON, schema_extra={"pattern": NOT_BLANK}, description="延期理由")


class ObjectionCreate(_Request):
    reason: str = Field(min_length=1, max_length=MAX_REASON, schema_extra={"pattern": NOT_BLANK},
                        description="异议理由（《办法》第五十三条）")


# --------------------------------------------------------------------------- responses


class CitizenContact(SQLModel):
    name: str | None = None
    phone: str | None = None


class BankTicketPublic(TicketPublic):
    """A ticket as its bank sees it in a list."""

    intent: str = Field(description="事项类型，如 complaint/fees")
    articles: list[int] = Field(default_factory=list, description="所依据的《办法》条款")
    acknowledged_at: datetime | None = None
    extension_requested_until: date | None = None
    result_reported_at: datetime | None = None
    escalated_at: datetime | None = None
    closed_at: datetime | None = None
    verification: Verification = Field(description="核查结论：received 未核查、found_true 查实、not_true 不实")
    verified_at: datetime | None = None

    @field_validator("*", mode="after")
    @classmethod
    def _explicit_utc(cls, value: Any) -> Any:
        # The ledger stores instants in UTC; SQLite hands them back without an offset.
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class BankTicketsPublic(SQLModel):
    data: list[BankTicketPublic]
    count: int = Field(description="符合条件的工单总数（不受分页影响）")


class BankTicketDetail(BankTicketPublic):
    """One ticket with what the bank needs to handle it; personal data masked (Art. 9, 51)."""

    channel: str = Field(description="受理渠道（《办法》第五十条）")
    received_at: datetime
    district: str | None = None
    description: str = Field(description="事情经过（身份证号、电话等个人信息已遮蔽）")
    contact: CitizenContact | None = Field(default=None, description="市民联系方式，仅在其同意被联系时提供")


class ErrorDetail(SQLModel):
    message: str = Field(description="中文说明")
    field: str | None = Field(default=None, description="出错的字段，如 reason；与字段无关时为 null")


class ErrorPublic(SQLModel):
    detail: ErrorDetail
