"""Shared fixtures: the real knowledge base and migrated databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.db import make_engine, upgrade
from bot.knowledge import Knowledge, get_knowledge

# --------------------------------------------------------------------------- tiers and the machine's date

TESTS = Path(__file__).resolve().parent
# Tests of code that counts days, months and years: they must pass whatever the machine's date
# (`make test` runs them again at a year end without the next year's calendar, and after it).
DATE_SENSITIVE = ("actions", "board", "web/api", "web/console/supervision", "forwarding", "handoff", "inspections", "ledger",
                  "one_time_notices", "reports", "satisfaction", "self_inspections", "supervision", "thresholds",
                  "workdays", "test_clock.py")
SERVICES = ("e2e", "conversations", "nlu_runtime", "cli", "benchmarks", "channels/test_cli.py", "test_cluster.py")


def pytest_addoption(parser):
    parser.addoption("--machine-time", metavar="ISO", default=None,
                     help="run the session as if the machine's clock read this instant (e.g. 2026-12-31T23:30+08:00)")


def pytest_configure(config):
    at = config.getoption("--machine-time")
    if at:
        import time_machine

        # tick=True: time goes on from there, as on a real machine; subprocesses keep the real clock.
        traveller = time_machine.travel(datetime.fromisoformat(at), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_collection_modifyitems(config, items):
    """Tiers by what a test needs: unit (nothing), db (SQLite and PostgreSQL), services, browser."""
    for item in items:
        where = Path(item.fspath).resolve().relative_to(TESTS).as_posix()
        if where.endswith("test_cli.py"):
            item.add_marker(pytest.mark.commands)
        # A command under test, or a peer that checks timestamps (a bank receiver, a JVM), runs in a
        # process of its own on the machine's real clock, which --machine-time cannot move: those
        # tests stay out of the runs at fixed dates.
        on_real_clock = item.get_closest_marker("commands") or item.get_closest_marker("real_clock")
        if where.startswith(DATE_SENSITIVE) and on_real_clock is None:
            item.add_marker(pytest.mark.dates)
        if where.startswith("web/console/browser"):
            item.add_marker(pytest.mark.browser)
        elif where.startswith(SERVICES) or "telegram_server" in item.fixturenames:
            item.add_marker(pytest.mark.services)
        elif "db_url" in item.fixturenames:
            item.add_marker(pytest.mark.db)
        else:
            item.add_marker(pytest.mark.unit)


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
