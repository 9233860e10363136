"""Calendar periods of the thresholds: months and years in Asia/Shanghai time.

A period is a half-open interval [start, end) of instants, given in UTC so that it compares
correctly with the ledger's timestamps on both databases (PostgreSQL stores instants; SQLite
stores the UTC wall-clock time the ledger writes and gives it back without a zone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from bot.clock import SHANGHAI, as_utc, local_day


def day_start(day: date) -> datetime:
    """Midnight at the start of the Shanghai day `day`, as a UTC instant."""
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).astimezone(timezone.utc)


@dataclass(frozen=True)
class Period:
    """One calendar month or year: `key` is "2026-11" or "2026"; days are Shanghai days."""

    key: str
    first_day: date
    next_first_day: date

    @property
    def start(self) -> datetime:
        return day_start(self.first_day)

    @property
    def end(self) -> datetime:
        """Start of the next period (exclusive)."""
        return day_start(self.next_first_day)

    @property
    def last_day(self) -> date:
        return self.next_first_day - timedelta(days=1)

    def __contains__(self, at: datetime) -> bool:
        return self.start <= as_utc(at) < self.end


def month_of(at: datetime) -> Period:
    day = local_day(at)
    first = day.replace(day=1)
    following = date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    return Period(key=f"{first:%Y-%m}", first_day=first, next_first_day=following)


def year_of(at: datetime) -> Period:
    day = local_day(at)
    return Period(key=f"{day.year:04d}", first_day=date(day.year, 1, 1), next_first_day=date(day.year + 1, 1, 1))


def period_of(kind: str, at: datetime) -> Period:
    """The calendar period of kind "month" or "year" containing `at`.

    Per-case rules ("case") are scanned month by month: their cases are looked for in the
    month containing `at`, and each firing's period names the month and the case.
    """
    if kind == "year":
        return year_of(at)
    if kind in ("month", "case"):
        return month_of(at)
    raise ValueError(f"unknown period kind {kind!r}")


def case_period(month: Period, case_id: int) -> str:
    """Period key of a per-case firing: "2026-11/123" (the case's month, then its id)."""
    return f"{month.key}/{case_id}"
