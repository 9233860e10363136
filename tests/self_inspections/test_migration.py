"""Migration 0010 can be undone and redone on both databases: the table and its enum type go and come back."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from bot.db import make_engine, upgrade
from bot.db.migrate import alembic_config
from tests.migrations import tables


def test_downgrade_drops_the_table_and_upgrade_brings_it_back(db_url):
    assert "self_inspection" in tables(db_url)
    command.downgrade(alembic_config(db_url), "0008")
    assert "self_inspection" not in tables(db_url)
    assert "bank_account" in tables(db_url)  # nothing else goes
    upgrade(db_url)  # the enum type was dropped too, or creating it again would fail on PostgreSQL
    engine = make_engine(db_url)
    at = datetime(2026, 10, 8, 9, 0, tzinfo=UTC).replace(tzinfo=None)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO self_inspection (bank, period, period_kind, filename, media_type, version, size_bytes, "
                "sha256, content, submitted_at, due_at, due_provisional, late) VALUES ('中国建设银行', '2026-09', "
                "'month', 'a.pdf', 'application/pdf', 1, 5, :sha, :content, :at, :at, false, false)"),
                {"sha": "0" * 64, "content": b"%PDF-", "at": at})
        with engine.connect() as conn:
            assert conn.execute(text("SELECT content FROM self_inspection")).scalar_one() == b"%PDF-"
    finally:
        engine.dispose()
