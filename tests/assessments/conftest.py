"""Fixtures of the assessment entry tests: the supervision tests' calendar and ledger seeding, over a
database migrated once per run and emptied per test (SQLite and PostgreSQL)."""

from tests.supervision.conftest import calendar, seed  # noqa: F401 - fixtures
from tests.web.api.support import _drop_private_postgres, db_url  # noqa: F401 - fixtures
