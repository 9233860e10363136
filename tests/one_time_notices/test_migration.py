"""Migration 0004 can be undone and redone on both databases, notices and the caller index with it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from bot.db import make_engine, upgrade
from bot.db.migrate import alembic_config


def shape(url: str) -> tuple[bool, bool]:
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        has_table = inspector.has_table("one_time_notice")
        indexed = "ix_ledger_case_contact_phone" in {i["name"] for i in inspector.get_indexes("ledger_case")}
    finally:
        engine.dispose()
    return has_table, indexed


def test_downgrade_and_upgrade_again(db_url):
    assert shape(db_url) == (True, True)
    command.downgrade(alembic_config(db_url), "0003")
    assert shape(db_url) == (False, False)
    upgrade(db_url)
    assert shape(db_url) == (True, True)
