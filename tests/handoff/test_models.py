"""The handoff tables come from migration 0005, match the models, and go away again on downgrade."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import bot.handoff.models  # noqa: F401  (registers the tables)
from bot.db import make_engine, upgrade
from bot.db.migrate import alembic_config

TABLES = {"handoff", "handoff_message"}


def _handoff_diff(engine) -> list:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    return [d for d in diff if "handoff" in repr(d)]


def test_the_migration_matches_the_models_and_can_be_undone(db_url):
    engine = make_engine(db_url)
    try:
        assert TABLES <= set(inspect(engine).get_table_names())
        assert _handoff_diff(engine) == []
        unique = [i for i in inspect(engine).get_indexes("handoff") if i["name"] == "uq_handoff_open_citizen"]
        assert unique and unique[0]["unique"]

        command.downgrade(alembic_config(db_url), "0004")
        engine.dispose()
        assert not TABLES & set(inspect(engine).get_table_names())

        upgrade(db_url)  # and back, enum types included on PostgreSQL
        engine.dispose()
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
