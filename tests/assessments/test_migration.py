"""The assessment entry migration can be undone and redone on both databases."""

from __future__ import annotations

from alembic import command

from bot.db import upgrade
from bot.db.migrate import alembic_config
from tests.migrations import revision, tables

REVISION = revision("assessment entries")


def test_downgrade_and_upgrade_again(db_url):
    assert "assessment_entry" in tables(db_url)
    command.downgrade(alembic_config(db_url), str(REVISION.down_revision))
    assert "assessment_entry" not in tables(db_url)
    upgrade(db_url)
    assert "assessment_entry" in tables(db_url)
