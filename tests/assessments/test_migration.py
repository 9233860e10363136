"""The assessment entry migration can be undone and redone on both databases."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.db import make_engine, upgrade
from bot.db.migrate import alembic_config

REVISION = next(r for r in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()
                if (r.doc or "").startswith("assessment entries"))


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(db_url):
    assert "assessment_entry" in _tables(db_url)
    command.downgrade(alembic_config(db_url), str(REVISION.down_revision))
    assert "assessment_entry" not in _tables(db_url)
    upgrade(db_url)
    assert "assessment_entry" in _tables(db_url)
