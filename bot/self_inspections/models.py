"""The banks' self-inspection summaries (自查总结, Art. 38) as uploaded through the bank API.

A bank may send a period's summary again: each upload is a new version (1, 2, …), none is
overwritten, and punctuality is judged by the first (``first_submitted_at`` of the status query).
The document itself is kept in the row (``content``) with its SHA-256, so what the city agency
downloads is byte for byte what the bank sent.

Families follow the ledger's pattern: `XBase` (shared fields), `XCreate` (what a caller may send),
`X(table=True)` (the stored row), `XPublic` (what is shown outside: never the content).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from bot.db.types import instant_field

from .periods import PeriodKind

FILENAME_MAX = 120
MEDIA_TYPE_MAX = 100


class DocumentType(str, Enum):
    """The accepted kinds of document, recognised by their content (bot/self_inspections/documents.py)."""

    pdf = "pdf"
    docx = "docx"
    xlsx = "xlsx"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def extension(self) -> str:
        return f".{self.value}"


_MEDIA_TYPES = {
    DocumentType.pdf: "application/pdf",
    DocumentType.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentType.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class SelfInspectionBase(SQLModel):
    bank: str = Field(max_length=32, description="canonical partner bank name")
    period: str = Field(max_length=7, description="2026-11, 2026-Q3, 2026-H2 or 2026")
    period_kind: PeriodKind
    filename: str = Field(max_length=FILENAME_MAX, description="the bank's file name, sanitised")
    media_type: str = Field(max_length=MEDIA_TYPE_MAX)


class SelfInspectionCreate(SQLModel):
    """What a bank sends: the period as written and the file as uploaded."""

    period: str
    filename: str | None = None
    content: bytes


class SelfInspection(SelfInspectionBase, table=True):
    __tablename__ = "self_inspection"
    __table_args__ = (
        UniqueConstraint("bank", "period", "version", name="uq_self_inspection_version"),
        Index("ix_self_inspection_bank_period", "bank", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # A type name of its own: PostgreSQL enum types share one namespace with every other type.
    period_kind: PeriodKind = Field(sa_type=SAEnum(PeriodKind, name="self_inspection_period_kind"))
    version: int = Field(ge=1)
    size_bytes: int = Field(ge=1)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    submitted_at: datetime = instant_field()
    # As judged when it arrived, on the calendar known then (provisional if its year was not).
    due_at: datetime = instant_field()
    due_provisional: bool = False
    late: bool = False


class SelfInspectionPublic(SelfInspectionBase):
    """A submission as its bank and the console see it: everything but the document's bytes."""

    id: int
    version: int = Field(description="第几次提交（同一期间重复提交时递增，1 为首次）")
    size_bytes: int
    sha256: str = Field(description="文件内容的 SHA-256（十六进制）")
    submitted_at: datetime
    due_at: datetime = Field(description="本期自查总结的截止时间（第三十八条）")
    due_provisional: bool = Field(description="截止日所在年度的法定工作日安排尚未公布，截止时间为暂定")
    late: bool = Field(description="本次提交是否晚于截止时间")
