"""The periods of Art. 38's self-inspection summaries: months, quarters, half-years and years.

Written as a bank sends them: ``2026-11`` (a month), ``2026-Q3`` (a quarter), ``2026-H2`` (a
half-year), ``2026`` (a year). A period is the calendar days from ``first_day`` to ``last_day``
in Asia/Shanghai; its summary is due the month after (``bot.self_inspections.due``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from bot.clock import SHANGHAI, as_utc

from .errors import InvalidPeriod

# A period of year 9999 never ends, so its due day (in 10000) is never computed.
MIN_YEAR, MAX_YEAR = 2000, 9999
# The forms as a JSON Schema pattern (the OpenAPI contract): a value that matches is a period that exists.
PATTERN = r"^[2-9][0-9]{3}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$"

_FORM = re.compile(r"^([0-9]{4})(?:-(?:([0-9]{2})|Q([0-9])|H([0-9])))?$")


class PeriodKind(str, Enum):
    month = "month"
    quarter = "quarter"
    half_year = "half_year"
    year = "year"

    @property
    def months(self) -> int:
        return _MONTHS[self]


_MONTHS = {PeriodKind.month: 1, PeriodKind.quarter: 3, PeriodKind.half_year: 6, PeriodKind.year: 12}
_COUNT = {PeriodKind.month: 12, PeriodKind.quarter: 4, PeriodKind.half_year: 2, PeriodKind.year: 1}


@dataclass(frozen=True, order=True)
class InspectionPeriod:
    """One period: its year, its kind and its number within the year (1 for a year)."""

    year: int
    kind: PeriodKind
    number: int

    @property
    def key(self) -> str:
        """As banks write it: 2026-11, 2026-Q3, 2026-H2, 2026."""
        if self.kind is PeriodKind.month:
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind is PeriodKind.quarter:
            return f"{self.year:04d}-Q{self.number}"
        if self.kind is PeriodKind.half_year:
            return f"{self.year:04d}-H{self.number}"
        return f"{self.year:04d}"

    @property
    def first_month(self) -> int:
        return (self.number - 1) * self.kind.months + 1

    @property
    def last_month(self) -> int:
        return self.number * self.kind.months

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def next_first_day(self) -> date:
        """The first day after the period: the month its summary is due in starts then."""
        return date(self.year + 1, 1, 1) if self.last_month == 12 else date(self.year, self.last_month + 1, 1)

    @property
    def last_day(self) -> date:
        return self.next_first_day - timedelta(days=1)

    @property
    def end(self) -> datetime:
        """The instant the period ends (local midnight after its last day), in UTC."""
        return as_utc(datetime.combine(self.next_first_day, time(0, 0), SHANGHAI))

    def has_ended(self, now: datetime) -> bool:
        return as_utc(now) >= self.end


def parse_period(text: object) -> InspectionPeriod:
    """``2026-11``, ``2026-Q3``, ``2026-H2`` or ``2026``; InvalidPeriod (field ``period``) otherwise."""
    raw = text.strip() if isinstance(text, str) else ""
    match = _FORM.match(raw.upper()) if raw else None
    if match is None:
        raise InvalidPeriod("inspection_period_format", field="period", period=str(text)[:20])
    year = int(match.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriod("inspection_period_year_range", field="period", period=raw, first=MIN_YEAR, last=MAX_YEAR)
    month, quarter, half = match.group(2), match.group(3), match.group(4)
    if month is not None:
        kind, number, code = PeriodKind.month, int(month), "inspection_period_no_month"
    elif quarter is not None:
        kind, number, code = PeriodKind.quarter, int(quarter), "inspection_period_no_quarter"
    elif half is not None:
        kind, number, code = PeriodKind.half_year, int(half), "inspection_period_no_half_year"
    else:
        return InspectionPeriod(year, PeriodKind.year, 1)
    if not 1 <= number <= _COUNT[kind]:
        raise InvalidPeriod(code, field="period", period=raw)
    return InspectionPeriod(year, kind, number)


def periods_of_year(year: int, kinds: Iterable[PeriodKind]) -> list[InspectionPeriod]:
    """Every period of `kinds` in `year`, in the order they end (a month before the quarter it closes)."""
    wanted = set(kinds)
    out = [InspectionPeriod(year, kind, n) for kind in PeriodKind if kind in wanted for n in range(1, _COUNT[kind] + 1)]
    return sorted(out, key=lambda p: (p.last_month, p.kind.months))
