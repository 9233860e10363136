"""Bank registration tests run on both databases, prepared as in tests/api (see tests/api/support.py)."""

from __future__ import annotations

import pytest

import bot.banks.keys
from tests.api.support import drop_private_postgres, fast_hasher, migrated_url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, tmp_path_factory) -> str:
    return migrated_url(request.param, tmp_path, tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session", autouse=True)
def _drop_private_postgres():
    yield
    drop_private_postgres()


REAL_HASHER = bot.banks.keys._hasher


@pytest.fixture(autouse=True)
def _fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters (the real ones cost 0.3 s a check); `real_hasher` restores them."""
    monkeypatch.setattr(bot.banks.keys, "_hasher", fast_hasher)
    monkeypatch.setattr(bot.banks.keys, "_verified", {})


@pytest.fixture
def real_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.banks.keys, "_hasher", REAL_HASHER)
