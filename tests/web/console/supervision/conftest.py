"""Fixtures of the supervision pages' tests: the console's (tests/web/console/conftest.py) over a
database migrated once per run and emptied per test, and the ledger seeding of tests/supervision."""

from __future__ import annotations

import pytest

from tests.supervision.conftest import Seed
from tests.web.api.support import _drop_private_postgres, db_url  # noqa: F401 - fixtures


@pytest.fixture
def seed(engine) -> Seed:
    return Seed(engine)
