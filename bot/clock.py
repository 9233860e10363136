"""The one source of the current instant.

Time is an input: the ledger, thresholds, escalation, notices, supervision views, reports and
the scheduled jobs take a `Clock` (or the instant it gave) from their caller, as they take the
working-day calendar. Only `SystemClock` reads the machine's clock; a test keeps every other
product module from doing so, and tests pass a `FixedClock` to run at a chosen instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Tells the current instant, timezone-aware, in UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: tests and replays run at an instant they choose."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = _aware(at)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def as_utc(at: datetime) -> datetime:
    """`at` as an aware UTC instant; a naive value is read as UTC (SQLite hands timestamps back naive)."""
    if at.tzinfo is None or at.tzinfo.utcoffset(at) is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def local_day(at: datetime) -> date:
    """The Qingdao (Asia/Shanghai) calendar day of an instant: working days and ticket numbers count in it."""
    return as_utc(at).astimezone(SHANGHAI).date()


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("a clock needs a timezone-aware instant")
    return at.astimezone(UTC)


_SYSTEM = SystemClock()


def get_clock() -> Clock:
    """The clock of processes that have no caller to be given one by (the action server, commands)."""
    return _SYSTEM
