"""The stored allowance of the bank API's rate limit: one row per bank, whatever its traffic."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.db.types import instant_field

KEY_MAX = 64
STATE_MAX = 200


class ApiRateState(SQLModel, table=True):
    """What pyrate-limiter's GCRA remembers of one key: its theoretical arrival time per rate, in
    integer microseconds since the epoch, comma-separated (the algorithm decodes them itself)."""

    __tablename__ = "bank_api_rate_state"

    key: str = Field(primary_key=True, max_length=KEY_MAX)
    state: str = Field(default="", max_length=STATE_MAX)
    # The instant of the last request admitted: for an operator looking at the table, never for a decision.
    updated_at: datetime = instant_field()
