"""Support of the bank API and bank registration tests: fast key hashing, and databases migrated
once and emptied for each test.

tests/conftest.py resets the shared PostgreSQL `test` database and runs every migration for each
test; other suites running at the same time on the machine reset it too and drop the tables
under each other, and the migrations cost most of a test's time. These tests use instead a
schema of the PostgreSQL test database named after this process (migrated once, its tables
truncated before each test) and a copy of a migrated SQLite file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from bot.db import make_engine, upgrade
from tests.conftest import POSTGRES_URL

_state: dict[str, str] = {}


def fast_hasher() -> PasswordHash:
    """Argon2 with tiny costs: the real parameters take 0.3 s a key check."""
    return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


def _postgres_once() -> str:
    """The shared test database, in a schema named after this process: other suites reset only
    `public`, and dropping a schema at the end is cheap (dropping a database forces a checkpoint)."""
    if "postgresql" not in _state:
        schema = f"sbk_bankapi_{os.getpid()}"
        base = make_url(POSTGRES_URL)
        admin = make_engine(base.render_as_string(hide_password=False))
        try:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        finally:
            admin.dispose()
        url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
        upgrade(url)
        _state["postgresql"] = url
        _state["postgresql_schema"] = schema
    return _state["postgresql"]


def _sqlite_once(root: Path) -> Path:
    if "sqlite" not in _state:
        template = root / "migrated.db"
        upgrade(f"sqlite:///{template}")
        _state["sqlite"] = str(template)
    return Path(_state["sqlite"])


def migrated_url(kind: str, tmp_path: Path, template_root: Path) -> str:
    """An empty, migrated database of `kind` for one test."""
    if kind == "sqlite":
        target = tmp_path / "sbk.db"
        shutil.copyfile(_sqlite_once(template_root), target)
        return f"sqlite:///{target}"
    url = _postgres_once()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
            if tables:
                quote = conn.dialect.identifier_preparer.quote
                conn.execute(text(f"TRUNCATE {', '.join(quote(t) for t in tables)} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
    return url


def drop_private_postgres() -> None:
    url = _state.pop("postgresql", None)
    schema = _state.pop("postgresql_schema", None)
    _state.pop("sqlite", None)
    if url is None:
        return
    admin = make_engine(make_url(POSTGRES_URL).render_as_string(hide_password=False))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


# Fixtures for the conftest.py of every package that wants these databases: import both by name.
@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, tmp_path_factory) -> str:
    """As tests/conftest.py's (an empty migrated SQLite file, then PostgreSQL), prepared faster and
    in a PostgreSQL schema of this process (migrated once per run, emptied per test)."""
    return migrated_url(request.param, tmp_path, tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session", autouse=True)
def _drop_private_postgres():
    yield
    drop_private_postgres()
