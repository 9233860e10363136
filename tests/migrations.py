"""What the migration tests share: a migration found by its description, and a database's tables."""

from __future__ import annotations

from alembic.script import Script, ScriptDirectory
from sqlalchemy import inspect

from bot.db import make_engine
from bot.db.migrate import alembic_config


def revision(description: str) -> Script:
    """The migration whose description starts with `description` (the merger gives it its final number)."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()
    return next(r for r in scripts if (r.doc or "").startswith(description))


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
