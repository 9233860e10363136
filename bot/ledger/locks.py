"""Serialising writers that change what one bank's thresholds count."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlmodel import Session


def lock_bank(session: Session, bank: str) -> None:
    """Hold a transaction-scoped lock for `bank` until commit or rollback.

    Two complaints about one bank committed at the same moment must both be counted by
    whichever transaction evaluates the thresholds last; without the lock each would count
    only itself and its predecessors, and a rule could fire twice or never. PostgreSQL gets
    an advisory lock; SQLite already serialises writers at BEGIN IMMEDIATE.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(f"bank:{bank}".encode(), digest_size=8).digest(), "big", signed=True)
    session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=key))  # type: ignore[call-overload]
