"""A partner bank's registered endpoint and credentials."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.db.types import instant_field


class BankAccount(SQLModel, table=True):
    """A partner bank's endpoint and credentials (registered with `sbk bank register`)."""

    __tablename__ = "bank_account"

    id: int | None = Field(default=None, primary_key=True)
    bank: str = Field(max_length=32, unique=True)
    webhook_url: str = Field(max_length=500)
    api_key_hash: str = Field(max_length=200)
    api_key_prefix: str = Field(max_length=16, index=True)
    # Needed in clear to sign every delivery, as with any webhook provider; never logged.
    webhook_secret: str = Field(max_length=128)
    updated_at: datetime = instant_field()
