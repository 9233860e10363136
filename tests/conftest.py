"""Shared fixtures: the real knowledge base and migrated databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.db import make_engine, upgrade
from bot.knowledge import Knowledge, get_knowledge


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return get_knowledge()


# --------------------------------------------------------------------------- databases

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
# Each test run works in a schema of its own inside the `test` database, so runs that happen
# at the same time (developers, CI) never drop each other's tables.
POSTGRES_SCHEMA = f"sbk_test_{os.getpid()}"


def _fresh_postgres() -> str:
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {POSTGRES_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {POSTGRES_SCHEMA}"))
    engine.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{POSTGRES_SCHEMA}"


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schema():
    yield
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {POSTGRES_SCHEMA} CASCADE"))
    except SQLAlchemyError:  # the database may be unreachable; the tests that needed it already failed
        return
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """A migrated, empty database: a SQLite file and the PostgreSQL `test` database in turn."""
    url = f"sqlite:///{tmp_path / 'sbk.db'}" if request.param == "sqlite" else _fresh_postgres()
    upgrade(url)
    return url


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_engine(tmp_path):
    """PostgreSQL only, for behaviour SQLite cannot even exhibit (two concurrent writers)."""
    url = _fresh_postgres()
    upgrade(url)
    eng = make_engine(url)
    yield eng
    eng.dispose()


# --------------------------------------------------------------------------- the real NLU


@pytest.fixture(scope="session")
def rasa_url(tmp_path_factory) -> str:
    """One Rasa server with the trained assistant model (HTTP API on), shared by the whole run."""
    from tests.rasa_server import missing_requirements, start_rasa

    problem = missing_requirements()
    if problem:
        pytest.fail(problem)
    with start_rasa(tmp_path_factory.mktemp("rasa")) as url:
        yield url
