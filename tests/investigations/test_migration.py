"""The investigation report migration can be undone and redone on both databases, its enum types
included, and a complaint verified before it keeps its finding (it simply has no report)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from bot.db import make_engine, upgrade
from bot.db.migrate import alembic_config
from tests.migrations import revision, tables

REVISION = revision("investigation reports")


def test_downgrade_and_upgrade_again(db_url):
    assert "investigation_report" in tables(db_url)
    command.downgrade(alembic_config(db_url), str(REVISION.down_revision))
    assert "investigation_report" not in tables(db_url)
    upgrade(db_url)  # would fail on PostgreSQL if the downgrade had left the enum types behind
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM investigation_report")).scalar_one() == 0
    finally:
        engine.dispose()
