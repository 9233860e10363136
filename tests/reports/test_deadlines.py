"""Art. 38: self-inspection reports are due the 3rd of the following month 17:00, or the next working day."""

from __future__ import annotations

from datetime import date

import pytest

from bot.reports import parse_month, parse_year, self_inspection_due
from bot.workdays import WorkdayCalendar


@pytest.fixture(scope="module")
def calendar():
    from bot.workdays import get_calendar

    return get_calendar()


@pytest.fixture
def empty_calendar(tmp_path):
    """No configured years: 2027 is unknown (chinese_calendar stops at 2026)."""
    return WorkdayCalendar(tmp_path)


def month_due(month, knowledge, calendar):
    rows = self_inspection_due(parse_month(month), knowledge=knowledge, calendar=calendar)
    return next(r for r in rows if r.period_kind == "month")


def test_a_working_third_is_the_due_day(knowledge, calendar):
    row = month_due("2026-10", knowledge, calendar)  # 2026-11-03 is a Tuesday
    assert (row.due_date, row.due_time, row.moved, row.provisional) == (date(2026, 11, 3), "17:00", False, False)
    assert row.due_at.isoformat() == "2026-11-03T17:00:00+08:00"
    assert row.article == 38 and row.period_label == "2026年10月"


def test_a_third_on_a_holiday_moves_to_the_next_working_day(knowledge, calendar):
    # 2026-10-03 lies in the National Day holidays (Oct 1-7): due Thursday Oct 8
    row = month_due("2026-09", knowledge, calendar)
    assert (row.nominal_date, row.due_date, row.moved) == (date(2026, 10, 3), date(2026, 10, 8), True)
    # 2026-05-03 (a Sunday in the Labour Day holidays May 1-5): due Wednesday May 6
    assert month_due("2026-04", knowledge, calendar).due_date == date(2026, 5, 6)


def test_a_third_on_a_plain_weekend_moves_to_monday(knowledge, calendar):
    row = month_due("2025-07", knowledge, calendar)  # 2025-08-03 is a Sunday
    assert (row.due_date, row.moved) == (date(2025, 8, 4), True)
    assert row.due_at.isoformat() == "2025-08-04T17:00:00+08:00"


def test_a_make_up_working_sunday_is_a_working_day(knowledge, calendar):
    # 2026-01-03 (Saturday) is a New Year holiday; Sunday 2026-01-04 is a make-up working day (调休)
    assert month_due("2025-12", knowledge, calendar).due_date == date(2026, 1, 4)


def test_an_unknown_year_gives_a_provisional_due_date(knowledge, empty_calendar):
    row = month_due("2026-12", knowledge, empty_calendar)  # 2027-01-03 is a Sunday; 2027 is not known
    assert (row.due_date, row.provisional) == (date(2027, 1, 4), True)


def test_quarter_half_year_and_year_reports_end_with_their_last_month(knowledge, empty_calendar):
    kinds = [r.period_kind for r in self_inspection_due(parse_month("2026-12"), knowledge=knowledge,
                                                        calendar=empty_calendar)]
    assert kinds == ["month", "quarter", "half_year", "year"]
    assert [r.period_kind for r in self_inspection_due(parse_month("2026-06"), knowledge=knowledge,
                                                       calendar=empty_calendar)] == ["month", "quarter", "half_year"]
    assert [r.period_kind for r in self_inspection_due(parse_month("2026-11"), knowledge=knowledge,
                                                       calendar=empty_calendar)] == ["month"]
    year = self_inspection_due(parse_year(2026), knowledge=knowledge, calendar=empty_calendar)
    assert len(year) == 12 + 4 + 2 + 1
    annual = next(r for r in year if r.period_kind == "year")
    assert (annual.period_label, annual.period_kind_label, annual.due_date) == ("2026年度", "年度", date(2027, 1, 4))
