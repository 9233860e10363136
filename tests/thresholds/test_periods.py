"""Calendar months and years in Asia/Shanghai, whatever the UTC date says."""

from datetime import date, datetime, timedelta, timezone

from bot.thresholds import month_of, year_of
from bot.thresholds.periods import as_utc, local_day

from .conftest import sh

UTC = timezone.utc


def test_late_evening_of_the_last_day_is_still_that_month():
    at = sh(2026, 11, 30, 23, 30)
    assert at == datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    assert month_of(at).key == "2026-11"


def test_just_after_midnight_in_shanghai_is_the_next_month_though_utc_is_still_the_old_one():
    at = datetime(2026, 11, 30, 16, 10, tzinfo=UTC)  # 2026-12-01 00:10 in Shanghai
    assert month_of(at).key == "2026-12"
    assert year_of(datetime(2026, 12, 31, 16, 1, tzinfo=UTC)).key == "2027"
    assert year_of(datetime(2026, 12, 31, 15, 59, tzinfo=UTC)).key == "2026"


def test_period_bounds_are_shanghai_midnights():
    month = month_of(sh(2026, 12, 15, 12, 0))
    assert (month.start, month.end) == (datetime(2026, 11, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC))
    assert (month.first_day, month.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    year = year_of(sh(2026, 6, 1, 0, 0))
    assert (year.start, year.end) == (datetime(2025, 12, 31, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC))
    assert month_of(sh(2027, 2, 1, 0, 0)).last_day == date(2027, 2, 28)
    assert sh(2026, 12, 1, 0, 0) in month and sh(2026, 11, 30, 23, 59) not in month


def test_naive_instants_are_utc_as_sqlite_returns_them():
    naive = datetime(2026, 11, 30, 16, 10)
    assert as_utc(naive) == datetime(2026, 11, 30, 16, 10, tzinfo=UTC)
    assert month_of(naive).key == "2026-12"
    assert local_day(datetime(2026, 11, 30, 16, 10, tzinfo=timezone(timedelta(hours=-5)))) == date(2026, 12, 1)
