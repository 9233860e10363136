"""The assessment entry table: the city's findings of one bank for one year.

Families follow the ledger's pattern: `XBase` (shared fields), `X(table=True)` (the stored row),
`XPublic` (what is shown outside).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import instant_field

NOTE_MAX = 2000


class AssessmentEntryBase(SQLModel):
    year: int = Field(ge=2000, le=2100)
    bank: str = Field(max_length=32, description="canonical bank name of knowledge/banks.yml")
    items: dict[str, float] = Field(default_factory=dict, description="percent 0–100 per Art. 40 item code")
    bonus_events: list[str] = Field(default_factory=list, description="codes of rules.yml grades.bonus_events")
    automatic_fail: list[str] = Field(default_factory=list, description="codes of rules.yml grades.automatic_fail")
    refusal_to_act: bool = False  # Art. 49
    note: str | None = Field(default=None, max_length=NOTE_MAX)


class AssessmentEntry(AssessmentEntryBase, table=True):
    __tablename__ = "assessment_entry"
    # One entry per bank and year: entering again replaces it (the audit log keeps who changed what).
    __table_args__ = (UniqueConstraint("year", "bank", name="uq_assessment_entry_year_bank"),)

    id: int | None = Field(default=None, primary_key=True)
    items: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    bonus_events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    automatic_fail: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    entered_by: str = Field(max_length=64)
    entered_at: datetime = instant_field()


class AssessmentEntryPublic(AssessmentEntryBase):
    entered_by: str
    entered_at: datetime
