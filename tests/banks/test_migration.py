"""Migration 0008 can be undone and redone on both databases; a bank registered before it keeps its secret."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

from bot.db import make_engine, upgrade
from bot.db.migrate import alembic_config

ADDED = {"previous_webhook_secret", "previous_secret_until", "endpoint_gone_at"}


def columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns("bank_account")}
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again_keep_the_bank_and_its_secret(db_url):
    assert ADDED <= columns(db_url)
    command.downgrade(alembic_config(db_url), "0007")
    assert not ADDED & columns(db_url)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:  # a bank as 0007 knew it, with an old-format secret
            conn.execute(text("INSERT INTO bank_account (bank, webhook_url, api_key_hash, api_key_prefix, "
                              "webhook_secret, updated_at) VALUES ('中国建设银行', 'https://ccb.example/', 'h', "
                              "'sbk_00000000', 'q3Vt9bZk1-Lx0pYw_7cRfH2sNd4eUa8mTg6oJiKvB5E', :at)"),
                         {"at": datetime(2026, 11, 2, 1, 0, tzinfo=UTC).replace(tzinfo=None)})
    finally:
        engine.dispose()
    upgrade(db_url)
    assert ADDED <= columns(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT webhook_secret, previous_webhook_secret, previous_secret_until, "
                                    "endpoint_gone_at FROM bank_account")).one()
    finally:
        engine.dispose()
    assert tuple(row) == ("q3Vt9bZk1-Lx0pYw_7cRfH2sNd4eUa8mTg6oJiKvB5E", None, None, None)
