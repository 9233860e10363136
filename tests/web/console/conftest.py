"""Fixtures of the console tests: the back office's app over the `engine` fixture (SQLite and
PostgreSQL) with a settable clock, one user per role, and sign-in through the real form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache

import pytest
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlmodel import Session

import bot.web.console.users
from bot.web.app import create_app
from bot.web.console.models import ConsoleUser
from bot.web.console.users import create_user
from tests.web.console.support import ACCOUNTS, PASSWORDS, Browser, Clock, sign_in

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Qingdao


@cache
def _fast_hasher() -> PasswordHash:
    """Argon2 still, with tiny costs: the real parameters take about 0.3 s a password."""
    return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


@cache
def _fast_dummy() -> str:
    return _fast_hasher().hash("no password matches this")


@pytest.fixture
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters, for tests about something other than the hashing itself."""
    monkeypatch.setattr(bot.web.console.users, "_hasher", _fast_hasher)
    monkeypatch.setattr(bot.web.console.users, "_dummy_hash", _fast_dummy)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def accounts(engine, knowledge, fast_passwords) -> dict[str, ConsoleUser]:
    """One user per role (two district supervisors: 李沧区 and 市南区), committed."""
    users = {}
    with Session(engine, expire_on_commit=False) as session:
        for key, (name, role, district) in ACCOUNTS.items():
            users[key] = create_user(session, name=name, role=role, district=district, password=PASSWORDS[key],
                                     now=NOW, knowledge=knowledge)
        session.commit()
    return users


@pytest.fixture
def app(engine, clock, accounts):
    return create_app(engine=engine, clock=clock)


@pytest.fixture
def client(app) -> TestClient:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def signed_in(app) -> Callable[[str], Browser]:
    """``signed_in("admin")``: a fresh client (own cookies) signed in as that account."""
    clients: list[TestClient] = []

    def make(key: str) -> Browser:
        test_client = TestClient(app)
        clients.append(test_client)
        return sign_in(test_client, ACCOUNTS[key][0], PASSWORDS[key])

    yield make
    for test_client in clients:
        test_client.close()
