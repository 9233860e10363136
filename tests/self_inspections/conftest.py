"""Self-inspection tests on both databases, prepared as the bank API's (tests/web/api/support.py)."""

from __future__ import annotations

from tests.web.api.support import _drop_private_postgres, db_url  # noqa: F401 - fixtures
