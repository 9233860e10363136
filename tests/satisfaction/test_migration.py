"""Migration 0012 can be undone and redone on both databases; a message queued before it keeps its text."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, text

from bot.db import make_engine, upgrade
from bot.db.migrate import alembic_config


def _schema(url: str) -> tuple[set[str], set[str]]:
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        return set(inspector.get_table_names()), {c["name"] for c in inspector.get_columns("citizen_message")}
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again_keep_the_queued_messages(db_url):
    tables, columns = _schema(db_url)
    assert "satisfaction_callback" in tables and "buttons" in columns
    command.downgrade(alembic_config(db_url), "0008")
    tables, columns = _schema(db_url)
    assert "satisfaction_callback" not in tables and "buttons" not in columns
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:  # a notice as 0008 knew it
            conn.execute(text("INSERT INTO citizen_message (citizen_ref, text, created_at, next_attempt_at, attempts) "
                              "VALUES ('telegram:77', '您的工单已有处理结果', :at, :at, 0)"),
                         {"at": datetime(2026, 11, 27, 2, 0, tzinfo=UTC).replace(tzinfo=None)})
    finally:
        engine.dispose()
    upgrade(db_url)  # the enum types were dropped with the table: creating them again must not fail
    tables, columns = _schema(db_url)
    assert "satisfaction_callback" in tables and "buttons" in columns
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT text, buttons FROM citizen_message")).one()
    finally:
        engine.dispose()
    assert tuple(row) == ("您的工单已有处理结果", None)
