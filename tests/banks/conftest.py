"""Bank registration tests run on both databases, prepared as in tests/api (see tests/web/api/support.py)."""

from __future__ import annotations

import pytest

import bot.banks.keys
from tests.web.api.support import _drop_private_postgres, db_url, fast_hasher  # noqa: F401 - fixtures

REAL_HASHER = bot.banks.keys._hasher


@pytest.fixture(autouse=True)
def _fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters (the real ones cost 0.3 s a check); `real_hasher` restores them."""
    monkeypatch.setattr(bot.banks.keys, "_hasher", fast_hasher)
    monkeypatch.setattr(bot.banks.keys, "_verified", {})


@pytest.fixture
def real_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.banks.keys, "_hasher", REAL_HASHER)
