"""The rate limit's migration can be undone and redone on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.db import make_engine, upgrade
from bot.db.migrate import alembic_config
from tests.conftest import _fresh_postgres

# Found by its description: the merger gives the migration its final number.
REVISION = next(r for r in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()
                if (r.doc or "").startswith("bank API rate limit"))


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path) -> str:
    """A database of this test alone (migrating down must not disturb the others' shared schema)."""
    url = f"sqlite:///{tmp_path / 'sbk.db'}" if request.param == "sqlite" else _fresh_postgres()
    upgrade(url)
    return url


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(fresh_url):
    assert "bank_api_rate_state" in _tables(fresh_url)
    command.downgrade(alembic_config(fresh_url), str(REVISION.down_revision))
    assert "bank_api_rate_state" not in _tables(fresh_url)
    upgrade(fresh_url)
    assert "bank_api_rate_state" in _tables(fresh_url)
