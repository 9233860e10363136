"""The rate limit's migration can be undone and redone on both databases."""

from __future__ import annotations

import pytest
from alembic import command

from bot.db import upgrade
from bot.db.migrate import alembic_config
from tests.migrations import revision, tables
from tests.conftest import _fresh_postgres

REVISION = revision("bank API rate limit")


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path) -> str:
    """A database of this test alone (migrating down must not disturb the others' shared schema)."""
    url = f"sqlite:///{tmp_path / 'sbk.db'}" if request.param == "sqlite" else _fresh_postgres()
    upgrade(url)
    return url


def test_downgrade_and_upgrade_again(fresh_url):
    assert "bank_api_rate_state" in tables(fresh_url)
    command.downgrade(alembic_config(fresh_url), str(REVISION.down_revision))
    assert "bank_api_rate_state" not in tables(fresh_url)
    upgrade(fresh_url)
    assert "bank_api_rate_state" in tables(fresh_url)
