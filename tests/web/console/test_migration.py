"""Migration 0011 (sign-in throttling) can be undone and redone on both databases, and users survive it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from bot.db import make_engine, upgrade
from bot.db.migrate import alembic_config
from tests.migrations import tables

ADDED = {"console_sign_in_failure", "console_sign_in_lockout"}


def test_downgrade_and_upgrade_again_keep_the_users_and_start_with_no_lockouts(db_url):
    assert ADDED <= tables(db_url)
    command.downgrade(alembic_config(db_url), "0008")
    assert not ADDED & tables(db_url)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO console_user (name, role, password_hash, active, created_at) "
                              "VALUES ('admin1', 'admin', 'h', true, '2026-11-27 02:00:00')"))
    finally:
        engine.dispose()
    upgrade(db_url)  # on PostgreSQL this fails if the downgrade left the enum type behind
    assert ADDED <= tables(db_url)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            assert conn.execute(text("SELECT name FROM console_user")).scalars().all() == ["admin1"]
            assert conn.execute(text("SELECT count(*) FROM console_sign_in_lockout")).scalar_one() == 0
            conn.execute(text("INSERT INTO console_sign_in_lockout (kind, subject, locked_at, until) "
                              "VALUES ('address', '10.0.0.9', '2026-11-27 02:00:00', '2026-11-27 02:15:00')"))
    finally:
        engine.dispose()
