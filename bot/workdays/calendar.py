"""China's official working-day calendar, as the Measures' time limits need it.

Rules (docs/contracts.md):

* A period counted in days does not count the day it starts on (民法典 第二百零一条): a card
  accepted on Monday 2026-11-23 with 7 working days is due on Wednesday 2026-12-02.
* "Working day" is the official calendar with its make-up working days (调休), not Monday–Friday.
  chinese_calendar is the source for the years it covers; years it does not cover can be added in
  ``knowledge/workdays/YYYY.yml`` (never used for a year the library covers: the library wins).
* The product does not guess: ``is_workday`` answers ``None`` for a year nobody knows, a due date
  whose span reaches such a year is computed with the weekends-only rule and marked
  ``provisional``, and ``recompute`` gives the official date once the year is known.

Dates are calendar days in Asia/Shanghai; convert a datetime to its local date before calling
(a ``datetime`` is refused, so a UTC timestamp cannot slip in as the wrong day).
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar

from .config import YearCalendar, default_root, load_years

log = logging.getLogger(__name__)

LIBRARY = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
# A guard against runaway loops, far above any time limit of the Measures (30 working days at most).
MAX_DAYS = 10_000
_ONE_DAY = timedelta(days=1)


class UnknownYearError(LookupError):
    """The official calendar of ``year`` is known neither to chinese_calendar nor to configuration."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"the official working-day calendar of {year} is not known: add knowledge/workdays/{year}.yml "
            "(see knowledge/workdays/README.md) or update chinesecalendar"
        )


@dataclass(frozen=True)
class DueDate:
    """The result of counting working days.

    ``due`` is the ``days``-th working day after ``start`` (``start`` itself not counted; 0 days is
    ``start`` itself). With ``counts_start_day`` the count begins on ``start``: that is how
    ``next_working_day_at_or_after`` is expressed (days=1). ``provisional`` is True when a day of
    the span lies in a year whose official calendar is unknown and the weekends-only rule was used;
    ``WorkdayCalendar.recompute`` gives the official date once the year is configured.
    """

    start: date
    days: int
    due: date
    provisional: bool
    counts_start_day: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of the ``sbk workdays add`` contract (docs/contracts.md)."""
        out: dict[str, Any] = {
            "start": self.start.isoformat(),
            "days": self.days,
            "due": self.due.isoformat(),
            "provisional": self.provisional,
        }
        if self.counts_start_day:
            out["counts_start_day"] = True
        return out


@functools.cache
def _library_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _check_day(name: str, value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date (a local Asia/Shanghai day), not {type(value).__name__}")
    return value


def _check_days(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, not {type(days).__name__}")
    if days < 0:
        raise ValueError(f"days must be 0 or more, not {days}")
    if days > MAX_DAYS:
        raise ValueError(f"days must be at most {MAX_DAYS}, not {days}")
    return days


class WorkdayCalendar:
    """Working days from chinese_calendar plus the years configured in a folder of ``YYYY.yml``.

    The folder is read on the first query (not at construction) and kept for the life of the
    instance (``reload()`` reads it again). A broken file makes every query raise
    ``bot.knowledge.KnowledgeError`` naming the file and place; ``load()`` checks it eagerly.
    Instances are safe to share between threads.
    """

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else default_root()
        self._years: dict[int, YearCalendar] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WorkdayCalendar({str(self.root)!r})"

    # ------------------------------------------------------------------ configuration

    def _configured(self) -> dict[int, YearCalendar]:
        years = self._years
        if years is None:
            with self._lock:
                if self._years is None:
                    loaded = load_years(self.root)
                    for year, cal in loaded.items():
                        if _library_covers(year):
                            log.warning("%s is ignored: %s knows the official calendar of %d", cal.file, LIBRARY, year)
                    self._years = loaded
                years = self._years
        return years

    def load(self) -> WorkdayCalendar:
        """Read and validate the folder now (instead of on first use); return self."""
        self._configured()
        return self

    def reload(self) -> WorkdayCalendar:
        """Forget the cached folder; the next query reads it again. Returns self."""
        with self._lock:
            self._years = None
        return self

    def year_source(self, year: int) -> str | None:
        """Where the official calendar of ``year`` comes from, or None if it is unknown."""
        if _library_covers(year):
            return LIBRARY
        configured = self._configured().get(year)
        return f"{configured.file} ({configured.source})" if configured else None

    def configured_years(self) -> dict[int, YearCalendar]:
        """The configured years that are used (those the library does not cover)."""
        return {y: c for y, c in self._configured().items() if not _library_covers(y)}

    # ------------------------------------------------------------------ single days

    def _status(self, day: date) -> tuple[bool, bool]:
        """(is a working day, the answer is official)."""
        # The folder is read on the first query of any year, so a broken file is noticed at once
        # rather than on the first date that happens to reach an unknown year.
        years = self._configured()
        if _library_covers(day.year):
            return chinese_calendar.is_workday(day), True
        configured = years.get(day.year)
        if configured is not None:
            return configured.is_workday(day), True
        return day.weekday() < 5, False

    def is_workday(self, day: date) -> bool | None:
        """True/False on the official calendar; None when the year's calendar is unknown."""
        workday, official = self._status(_check_day("day", day))
        return workday if official else None

    # ------------------------------------------------------------------ counting

    def _count(self, start: date, days: int, counts_start_day: bool) -> DueDate:
        if days == 0:
            return DueDate(start, 0, start, False, counts_start_day)
        provisional = False
        remaining = days
        try:
            day = start if counts_start_day else start + _ONE_DAY
            while True:
                workday, official = self._status(day)
                provisional = provisional or not official
                if workday:
                    remaining -= 1
                    if remaining == 0:
                        return DueDate(start, days, day, provisional, counts_start_day)
                day += _ONE_DAY
        except OverflowError:
            raise ValueError(f"{days} working days after {start} is beyond the last representable date") from None

    def add_working_days(self, start: date, days: int) -> DueDate:
        """The ``days``-th working day after ``start``; ``start`` is not counted, 0 days gives ``start``.

        Accepted Monday 2026-11-23 + 7 → Wednesday 2026-12-02; 2026-09-28 + 7 → 2026-10-13 (the
        National Day holidays are skipped, the make-up Saturday 2026-10-10 counts).
        """
        return self._count(_check_day("start", start), _check_days(days), counts_start_day=False)

    def next_working_day_at_or_after(self, day: date) -> DueDate:
        """``day`` if it is a working day, otherwise the next one (Art. 38: a report due the 3rd
        that falls on a holiday is due the next working day). ``.due`` is the date."""
        return self._count(_check_day("day", day), 1, counts_start_day=True)

    def recompute(self, due: DueDate) -> DueDate:
        """The same count on this calendar's current knowledge (turns a provisional date official
        once its year is configured; call ``reload()`` first if the folder changed meanwhile)."""
        return self._count(_check_day("start", due.start), _check_days(due.days), due.counts_start_day)

    def working_days_between(self, a: date, b: date, *, allow_provisional: bool = False) -> int:
        """Working days in (a, b]: ``a`` not counted, ``b`` counted; negative when b < a.

        ``working_days_between(start, add_working_days(start, n).due) == n``. When the span
        reaches a year whose calendar is unknown, raises ``UnknownYearError`` unless
        ``allow_provisional`` (then that year's weekdays count, as in a provisional DueDate).
        """
        a, b = _check_day("a", a), _check_day("b", b)
        if b < a:
            return -self.working_days_between(b, a, allow_provisional=allow_provisional)
        count = 0
        day = a
        while day < b:
            day += _ONE_DAY
            workday, official = self._status(day)
            if not official and not allow_provisional:
                raise UnknownYearError(day.year)
            count += workday
        return count


@functools.cache
def get_calendar() -> WorkdayCalendar:
    """The calendar of the repository's ``knowledge/workdays/`` (one instance per process)."""
    return WorkdayCalendar()
