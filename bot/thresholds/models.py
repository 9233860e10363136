"""The record of threshold firings: each rule fired once per subject and period (Art. 43–48)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import instant_field


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
    fired_at: datetime = instant_field()
    count: int
    articles: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    case_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    consequence: str = Field(max_length=1000)
    next_steps: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
