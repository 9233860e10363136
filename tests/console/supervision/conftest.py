"""Fixtures of the supervision pages' tests: the console's (tests/console/conftest.py) over a
database migrated once per run and emptied per test, and the ledger seeding of tests/supervision."""

from __future__ import annotations

import pytest

from tests.api.support import drop_private_postgres, migrated_url
from tests.supervision.conftest import Seed


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, tmp_path_factory) -> str:
    return migrated_url(request.param, tmp_path, tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session", autouse=True)
def _drop_private_postgres():
    yield
    drop_private_postgres()


@pytest.fixture
def seed(engine) -> Seed:
    return Seed(engine)
