"""Properties of working-day arithmetic that must hold for every start day and length."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.workdays import WorkdayCalendar

from .conftest import FICTIONAL_2027, write_year

# Starts early enough that 60 working days stay inside 2026, chinese_calendar's last year.
KNOWN_STARTS = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 30))
KNOWN_DAYS = st.integers(min_value=1, max_value=60)
# Any start, including the unknown years around the library's range.
ANY_STARTS = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
ANY_DAYS = st.integers(min_value=0, max_value=120)


@pytest.fixture(scope="module")
def cal(tmp_path_factory) -> WorkdayCalendar:
    return WorkdayCalendar(tmp_path_factory.mktemp("empty")).load()


@pytest.fixture(scope="module")
def cal_2027(tmp_path_factory) -> WorkdayCalendar:
    folder = tmp_path_factory.mktemp("with2027")
    write_year(folder, "2027.yml", FICTIONAL_2027)
    return WorkdayCalendar(folder).load()


@given(start=KNOWN_STARTS, days=KNOWN_DAYS)
def test_due_is_an_official_working_day_after_the_start(cal, start, days):
    result = cal.add_working_days(start, days)
    assert result.provisional is False
    assert result.due > start
    assert cal.is_workday(result.due) is True
    assert chinese_calendar.is_workday(result.due)


@given(start=ANY_STARTS, days=st.integers(min_value=1, max_value=120))
def test_due_is_after_the_start_and_a_working_day_in_any_year(cal, start, days):
    result = cal.add_working_days(start, days)
    assert result.due > start
    official = cal.is_workday(result.due)
    if official is None:
        assert result.provisional and result.due.weekday() < 5
    else:
        assert official is True


@given(start=ANY_STARTS, a=ANY_DAYS, b=ANY_DAYS)
def test_adding_a_then_b_equals_adding_a_plus_b(cal, start, a, b):
    first = cal.add_working_days(start, a)
    second = cal.add_working_days(first.due, b)
    both = cal.add_working_days(start, a + b)
    assert second.due == both.due
    assert both.provisional == (first.provisional or second.provisional)


@given(start=ANY_STARTS, days=ANY_DAYS)
def test_working_days_between_start_and_due_is_days(cal, start, days):
    result = cal.add_working_days(start, days)
    assert cal.working_days_between(start, result.due, allow_provisional=True) == days
    assert cal.working_days_between(result.due, start, allow_provisional=True) == -days
    if not result.provisional:
        assert cal.working_days_between(start, result.due) == days


@given(start=ANY_STARTS, days=st.integers(min_value=0, max_value=119))
def test_strictly_monotonic_in_days(cal, start, days):
    assert cal.add_working_days(start, days).due < cal.add_working_days(start, days + 1).due


@given(start=KNOWN_STARTS, days=KNOWN_DAYS)
def test_no_working_day_is_skipped(cal, start, days):
    due = cal.add_working_days(start, days).due
    counted = [start + timedelta(n) for n in range(1, (due - start).days + 1)
               if chinese_calendar.is_workday(start + timedelta(n))]
    assert len(counted) == days and counted[-1] == due


@given(day=ANY_STARTS)
def test_next_working_day_at_or_after(cal, day):
    result = cal.next_working_day_at_or_after(day)
    assert result.due >= day
    assert result.due == cal.add_working_days(day - timedelta(1), 1).due
    assert cal.working_days_between(day, result.due, allow_provisional=True) <= 1
    if cal.is_workday(day):
        assert result.due == day


@given(day=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_known_years_follow_chinese_calendar(cal, day):
    assert cal.is_workday(day) is chinese_calendar.is_workday(day)


@given(day=st.one_of(st.dates(max_value=date(2003, 12, 31)), st.dates(min_value=date(2027, 1, 1))))
def test_unknown_years_are_not_guessed(cal, day):
    assert cal.is_workday(day) is None


@given(start=st.dates(min_value=date(2026, 10, 1), max_value=date(2027, 9, 30)), days=KNOWN_DAYS)
def test_a_configured_year_gives_official_working_days(cal, cal_2027, start, days):
    provisional = cal.add_working_days(start, days)
    official = cal_2027.add_working_days(start, days)
    assert official.provisional is False
    assert cal_2027.is_workday(official.due) is True
    assert cal_2027.recompute(provisional) == official
    assert provisional.provisional == (provisional.due.year >= 2027)
