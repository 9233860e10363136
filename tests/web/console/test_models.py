"""The console's tables come from migration 0003 and match the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import bot.ledger.models  # noqa: F401
import bot.web.console.models  # noqa: F401
from bot.db.migrate import alembic_config

CONSOLE_TABLES = {"console_user", "console_session", "console_audit"}


def _console_diff(engine) -> list:
    def concerns_console(item) -> bool:  # type: ignore[no-untyped-def]
        entry = item[0] if isinstance(item, list) else item
        for part in entry[1:]:
            table = getattr(part, "table", None)
            name = getattr(table, "name", None) or getattr(part, "name", None)
            if name in CONSOLE_TABLES or (isinstance(part, str) and part in CONSOLE_TABLES):
                return True
        return False

    with engine.connect() as conn:
        return [d for d in compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
                if concerns_console(d)]


def test_the_migration_creates_exactly_the_console_models(engine):
    assert CONSOLE_TABLES <= set(inspect(engine).get_table_names())
    assert _console_diff(engine) == []


def test_the_migration_goes_down_and_up_again(db_url, engine):
    config = alembic_config(db_url)
    command.downgrade(config, "0002")
    assert not CONSOLE_TABLES & set(inspect(engine).get_table_names())
    command.upgrade(config, "head")
    assert CONSOLE_TABLES <= set(inspect(engine).get_table_names())
