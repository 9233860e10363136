"""The investigation report table (《卡经办服务调查报告书》, Art. 28).

Families follow the ledger's pattern: `XBase` (shared fields), `XCreate` (what a form may send,
validated), `X(table=True)` (the stored row), `XPublic` (what is shown outside).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from sqlalchemy import JSON, Column
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from bot.db.types import instant_field

TEXT_MAX = 4000
INVESTIGATOR_NAME_MAX = 32
INVESTIGATORS_MAX = 10


class Verdict(str, Enum):
    """The report's conclusion; it becomes the case's verification (Art. 28, 50)."""

    found_true = "found_true"  # 查实
    not_true = "not_true"  # 不实


class ReviewState(str, Enum):
    """The city's review of a district's report (Art. 28: the report is 上报 to the city)."""

    submitted = "submitted"  # awaiting the city
    returned = "returned"  # sent back to the district to complete; the verdict stands
    approved = "approved"


class InvestigationReportBase(SQLModel):
    investigated_on: date = Field(description="day of the on-site check (现场核查)")
    investigators: list[str] = Field(default_factory=list, description="names of the staff who made the check")
    facts: str = Field(max_length=TEXT_MAX, description="facts found (核查情况)")
    verdict: Verdict
    responsibility: str | None = Field(default=None, max_length=TEXT_MAX, description="责任认定")
    outlet_handling: str | None = Field(default=None, max_length=TEXT_MAX,
                                        description="proposed handling of the outlet (处理建议)")
    staff_handling: str | None = Field(default=None, max_length=TEXT_MAX,
                                       description="proposed handling of the staff responsible")


class InvestigationReportCreate(InvestigationReportBase):
    """A report as filed; `bot.investigations.reports.parse_report` builds it from what a form typed."""


class InvestigationReport(InvestigationReportBase, table=True):
    __tablename__ = "investigation_report"

    id: int | None = Field(default=None, primary_key=True)
    investigators: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # A type name of its own: PostgreSQL enum types share one namespace with every other type.
    verdict: Verdict = Field(sa_type=SAEnum(Verdict, name="investigation_verdict"))
    # One report per complaint: the case's finding is made once (Art. 50), and so is its report.
    case_id: int = Field(foreign_key="ledger_case.id", unique=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True, description="the ticket it was filed from")
    district: str | None = Field(default=None, max_length=16, index=True)
    filed_by: str = Field(max_length=64)
    filed_at: datetime = instant_field()
    amended_at: datetime | None = instant_field(default=None)
    revision: int = 1
    review: ReviewState = Field(default=ReviewState.submitted,
                                sa_type=SAEnum(ReviewState, name="investigation_review"), index=True)
    reviewed_by: str | None = Field(default=None, max_length=64)
    reviewed_at: datetime | None = instant_field(default=None)
    review_comment: str | None = Field(default=None, max_length=TEXT_MAX)


class InvestigationReportPublic(InvestigationReportBase):
    """A report as the console shows and prints it, with the ticket and case it belongs to."""

    ticket_number: str
    bank: str | None
    outlet: str | None
    district: str | None
    intent: str
    received_at: datetime
    filed_by: str
    filed_at: datetime
    amended_at: datetime | None
    revision: int
    review: ReviewState
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_comment: str | None
