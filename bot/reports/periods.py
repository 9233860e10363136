"""Report periods: calendar months and years in Asia/Shanghai time.

A period is the half-open interval [start, end) of local midnights. Queries bind its bounds in
UTC: SQLite keeps timestamps without their offset, and the ledger writes UTC (``Clock.now()``), so
UTC bounds compare correctly on both databases. A timestamp read back without an offset is
therefore taken as UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal

from bot.clock import SHANGHAI, as_utc
from bot.knowledge import Knowledge

MIN_YEAR, MAX_YEAR = 1970, 9998  # the report of December needs the 3rd of next January

_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_YEAR = re.compile(r"^[0-9]{4}$")


def as_local(moment: datetime) -> datetime:
    """The Asia/Shanghai wall time of a stored timestamp."""
    return as_utc(moment).astimezone(SHANGHAI)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), SHANGHAI)


@dataclass(frozen=True)
class Period:
    kind: Literal["month", "year"]
    year: int
    month: int | None = None

    @property
    def key(self) -> str:
        """The key threshold firings use for the period: ``2026-11`` or ``2026``."""
        return f"{self.year:04d}-{self.month:02d}" if self.month else f"{self.year:04d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month or 1, 1)

    @property
    def next_first_day(self) -> date:
        if self.month is None or self.month == 12:
            return date(self.year + 1, 1, 1)
        return date(self.year, self.month + 1, 1)

    @property
    def last_day(self) -> date:
        return self.next_first_day - timedelta(days=1)

    @cached_property  # a year's report asks for them for each of thousands of rows
    def start(self) -> datetime:
        return local_midnight(self.first_day)

    @cached_property
    def end(self) -> datetime:
        """Exclusive end: local midnight of the next period's first day."""
        return local_midnight(self.next_first_day)

    @cached_property
    def start_utc(self) -> datetime:
        return self.start.astimezone(timezone.utc)

    @cached_property
    def end_utc(self) -> datetime:
        return self.end.astimezone(timezone.utc)

    def contains(self, moment: datetime) -> bool:
        return self.start_utc <= as_utc(moment) < self.end_utc

    def months(self) -> tuple[Period, ...]:
        if self.month:
            return (self,)
        return tuple(Period("month", self.year, m) for m in range(1, 13))


def period_label(knowledge: Knowledge, period: Period) -> str:
    """How a report names its period: a month or a year, in the catalogue's words."""
    if period.month:
        return knowledge.messages.render("report_period_month", year=period.year, month=period.month)
    return knowledge.messages.render("report_period_year", year=period.year)


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"invalid year {text!r}: expected a year from {MIN_YEAR} to {MAX_YEAR}")


def parse_month(text: str) -> Period:
    """``2026-11`` → the month; anything else raises ValueError with a one-line message."""
    match = _MONTH.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"invalid month {text!r}: expected YYYY-MM, e.g. 2026-11")
    year, month = int(match.group(1)), int(match.group(2))
    _check_year(year, text)
    if not 1 <= month <= 12:
        raise ValueError(f"invalid month {text!r}: the month must be 01 to 12")
    return Period("month", year, month)


def parse_year(text: str | int) -> Period:
    """``2026`` (text or int) → the year; anything else raises ValueError."""
    if isinstance(text, bool):
        raise ValueError(f"invalid year {text!r}: expected YYYY, e.g. 2026")
    if isinstance(text, int):
        year = text
    elif isinstance(text, str) and _YEAR.match(text.strip()):
        year = int(text.strip())
    else:
        raise ValueError(f"invalid year {text!r}: expected YYYY, e.g. 2026")
    _check_year(year, str(text))
    return Period("year", year)
