"""On-site inspections (现场督导, Art. 29) of a bank outlet by a district agency: when, which outlet,
who inspected (two or more staff, Art. 26), the finding on each checklist item of Art. 8–19
(knowledge/inspections.yml), and the follow-up (整改要求, 复查).

An inspection is a record: the checklist's labels and articles are kept on the row as they were
when it was recorded, so an old record reads the same after knowledge/inspections.yml is reworded.
Whether it was recorded late (more than 2 working days after the inspection, Art. 29) is decided
once, at recording, on the official calendar, and stored with the last day it was due.

Families follow the ledger's pattern: `XBase` (shared fields), `XCreate` (what a caller may
send), `X(table=True)` (the stored row), `XPublic` (what is shown outside).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import UTCDateTime


class InspectionFinding(BaseModel):
    """One checklist item as found at the outlet: 符合 (compliant) or 不符合, with a note."""

    code: str
    article: int
    label: str
    compliant: bool
    note: str = ""


class OutletInspectionBase(SQLModel):
    district: str = Field(max_length=16, description="canonical district name of the outlet")
    bank: str = Field(max_length=32, description="canonical bank name (knowledge/banks.yml)")
    outlet: str = Field(max_length=64, description="outlet name as listed under its bank")
    inspected_on: date = Field(description="the day of the inspection, Asia/Shanghai")
    rectification: str | None = Field(default=None, max_length=2000, description="整改要求 given to the outlet")
    recheck_on: date | None = Field(default=None, description="复查: the day the outlet is to be inspected again")


class OutletInspectionCreate(OutletInspectionBase):
    staff: list[str]
    findings: list[InspectionFinding]


class OutletInspection(OutletInspectionBase, table=True):
    __tablename__ = "outlet_inspection"
    __table_args__ = (
        # One record per outlet and day: a second one is the same visit typed in twice.
        UniqueConstraint("bank", "outlet", "inspected_on", name="uq_outlet_inspection_outlet_day"),
        # The weekly compliance view reads one district's inspections over a span of weeks.
        Index("ix_outlet_inspection_district_inspected_on", "district", "inspected_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    staff: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    findings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    recorded_by: str = Field(max_length=64, description="console user who recorded it")
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    record_due: date = Field(description="last day to record it: 2 working days after the inspection (Art. 29)")
    late: bool = Field(description="recorded after record_due")

    @property
    def finding_items(self) -> list[InspectionFinding]:
        return [InspectionFinding.model_validate(item) for item in self.findings]

    @property
    def non_compliant(self) -> list[InspectionFinding]:
        return [item for item in self.finding_items if not item.compliant]


class OutletInspectionPublic(OutletInspectionBase):
    id: int
    staff: list[str]
    findings: list[InspectionFinding]
    recorded_by: str
    recorded_at: datetime
    record_due: date
    late: bool
