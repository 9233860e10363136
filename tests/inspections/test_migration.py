"""Migration 0009 can be undone and redone on both databases, the table, its index and its constraint with it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from bot.db import make_engine, upgrade
from bot.db.migrate import alembic_config


def shape(url: str) -> tuple[bool, set[str], set[str]]:
    engine = make_engine(url)
    try:
        inspector = inspect(engine)
        if not inspector.has_table("outlet_inspection"):
            return False, set(), set()
        # PostgreSQL also lists the index behind the unique constraint; it is the constraint's.
        return (True, {i["name"] for i in inspector.get_indexes("outlet_inspection")
                       if not i.get("duplicates_constraint")},
                {c["name"] for c in inspector.get_unique_constraints("outlet_inspection")})
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(db_url):
    present = (True, {"ix_outlet_inspection_district_inspected_on"}, {"uq_outlet_inspection_outlet_day"})
    assert shape(db_url) == present
    command.downgrade(alembic_config(db_url), "0008")
    assert shape(db_url) == (False, set(), set())
    upgrade(db_url)
    assert shape(db_url) == present
