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
    # The secret a rotation replaced: it still signs (next to the new one) until `previous_secret_until`,
    # so the bank can switch without refusing a single delivery. Never logged either.
    previous_webhook_secret: str | None = Field(default=None, max_length=128)
    previous_secret_until: datetime | None = instant_field(default=None)
    # When the endpoint answered 410 Gone: nothing is sent to it any more (deliveries wait, pending)
    # until an operator registers a URL again.
    endpoint_gone_at: datetime | None = instant_field(default=None)
    updated_at: datetime = instant_field()
