"""Counting working days: the contract's examples, make-up days, unknown years and recomputation."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pytest

from bot.knowledge import KnowledgeError
from bot.workdays import MAX_DAYS, DueDate, UnknownYearError, WorkdayCalendar, get_calendar

from .conftest import FICTIONAL_2027, write_year

# --------------------------------------------------------------------------- the contract's examples


def test_spec_card_accepted_monday_is_due_wednesday_after_next(calendar):
    result = calendar.add_working_days(date(2026, 11, 23), 7)
    assert result == DueDate(date(2026, 11, 23), 7, date(2026, 12, 2), False)
    assert result.due.weekday() == 2  # Wednesday


def test_spec_national_day_holidays_and_make_up_day(calendar):
    # 09-29, 09-30, [10-01..10-07 off], 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13.
    assert calendar.add_working_days(date(2026, 9, 28), 7) == DueDate(date(2026, 9, 28), 7, date(2026, 10, 13), False)


def test_the_start_day_is_not_counted(calendar):
    # Monday 2026-11-23 is a working day; counting it would give Tuesday.
    assert calendar.add_working_days(date(2026, 11, 23), 1).due == date(2026, 11, 24)


def test_zero_days_is_the_start_day_itself_even_on_a_holiday(calendar):
    assert calendar.add_working_days(date(2026, 10, 1), 0) == DueDate(date(2026, 10, 1), 0, date(2026, 10, 1), False)


def test_repository_calendar_gives_the_spec_dates():
    cal = get_calendar()
    assert cal is get_calendar()
    assert cal.add_working_days(date(2026, 9, 28), 7).due == date(2026, 10, 13)
    assert cal.add_working_days(date(2026, 11, 23), 7).due == date(2026, 12, 2)


# --------------------------------------------------------------------------- make-up working days


@pytest.mark.parametrize("sunday", [date(2026, 1, 4), date(2026, 9, 20)])
def test_a_make_up_sunday_is_a_working_day(calendar, sunday):
    assert sunday.weekday() == 6
    assert calendar.is_workday(sunday) is True


def test_a_make_up_sunday_is_counted(calendar):
    # Friday 2026-09-18 + 1: the next working day is Sunday 2026-09-20, not Monday the 21st.
    assert calendar.add_working_days(date(2026, 9, 18), 1).due == date(2026, 9, 20)
    # New Year 2026: 01-01..01-03 off, Sunday 01-04 worked.
    assert calendar.add_working_days(date(2025, 12, 31), 1).due == date(2026, 1, 4)


def test_holiday_weekdays_are_not_working_days(calendar):
    assert calendar.is_workday(date(2026, 10, 5)) is False  # a Monday in the National Day week
    assert calendar.is_workday(date(2026, 11, 28)) is False  # an ordinary Saturday
    assert calendar.is_workday(date(2026, 11, 27)) is True


def test_spring_festival_2026(calendar):
    # Off 02-15 (Sun) .. 02-23 (Mon); Saturdays 02-14 and 02-28 are worked.
    start = date(2026, 2, 12)
    dues = [calendar.add_working_days(start, n).due for n in range(1, 8)]
    assert dues == [date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 24), date(2026, 2, 25),
                    date(2026, 2, 26), date(2026, 2, 27), date(2026, 2, 28)]
    assert calendar.add_working_days(date(2026, 2, 14), 1).due == date(2026, 2, 24)
    assert calendar.working_days_between(date(2026, 2, 14), date(2026, 2, 23)) == 0


# --------------------------------------------------------------------------- unknown years


def test_is_workday_refuses_to_guess_an_unknown_year(calendar):
    assert calendar.is_workday(date(2027, 1, 4)) is None  # a Monday
    assert calendar.is_workday(date(2003, 12, 31)) is None  # before chinese_calendar's data
    assert calendar.year_source(2027) is None
    assert calendar.year_source(2026).startswith("chinesecalendar")


def test_crossing_into_an_unknown_year_is_provisional_and_weekends_only(calendar):
    # 12-29, 12-30, 12-31 (official 2026), then 2027 weekdays: 01-01 (Fri), 01-04, 01-05, 01-06.
    result = calendar.add_working_days(date(2026, 12, 28), 7)
    assert result == DueDate(date(2026, 12, 28), 7, date(2027, 1, 6), True)


def test_provisional_only_when_a_counted_day_is_unknown(calendar):
    assert calendar.add_working_days(date(2026, 12, 30), 1) == DueDate(date(2026, 12, 30), 1, date(2026, 12, 31), False)
    assert calendar.add_working_days(date(2026, 12, 31), 1) == DueDate(date(2026, 12, 31), 1, date(2027, 1, 1), True)
    assert calendar.add_working_days(date(2027, 3, 3), 0).provisional is False  # no day was looked up


def test_a_span_inside_an_unknown_year_skips_weekends(calendar):
    assert calendar.add_working_days(date(2027, 1, 1), 5) == DueDate(date(2027, 1, 1), 5, date(2027, 1, 8), True)


# --------------------------------------------------------------------------- configured years


def test_a_configured_year_is_official(dir_2027):
    cal = WorkdayCalendar(dir_2027)
    assert cal.is_workday(date(2027, 1, 4)) is False  # configured holiday on a Monday
    assert cal.is_workday(date(2027, 1, 5)) is True
    assert cal.is_workday(date(2027, 1, 10)) is True  # configured make-up Sunday
    assert cal.is_workday(date(2027, 1, 9)) is False  # plain Saturday
    assert cal.is_workday(date(2028, 1, 3)) is None
    assert "2027.yml" in cal.year_source(2027)
    assert cal.add_working_days(date(2026, 12, 28), 7) == DueDate(date(2026, 12, 28), 7, date(2027, 1, 8), False)
    assert cal.add_working_days(date(2027, 1, 8), 1).due == date(2027, 1, 10)


def test_recompute_turns_a_provisional_date_official(empty_dir):
    cal = WorkdayCalendar(empty_dir)
    stored = cal.add_working_days(date(2026, 12, 28), 7)
    assert stored.provisional and stored.due == date(2027, 1, 6)

    write_year(empty_dir, "2027.yml", FICTIONAL_2027)
    # The folder is cached per instance: without reload nothing changes.
    assert cal.recompute(stored) == stored

    official = cal.reload().recompute(stored)
    assert official == DueDate(date(2026, 12, 28), 7, date(2027, 1, 8), False)
    assert WorkdayCalendar(empty_dir).recompute(stored) == official
    assert cal.recompute(official) == official


def test_the_library_wins_over_a_file_for_a_year_it_covers(empty_dir, caplog):
    write_year(empty_dir, "2026.yml", """\
        source: wrong on purpose
        holidays: [2026-11-23]
        make_up_working_days: [2026-11-28]
        """)
    cal = WorkdayCalendar(empty_dir)
    with caplog.at_level(logging.WARNING, logger="bot.workdays.calendar"):
        assert cal.is_workday(date(2026, 11, 23)) is True
    assert cal.is_workday(date(2026, 11, 28)) is False
    assert cal.year_source(2026).startswith("chinesecalendar")
    assert cal.configured_years() == {}
    assert "2026.yml is ignored" in caplog.text


def test_a_broken_file_fails_every_query_naming_the_file(empty_dir):
    write_year(empty_dir, "2027.yml", FICTIONAL_2027.replace("2027-01-04", "2028-01-04"))
    cal = WorkdayCalendar(empty_dir)  # construction reads nothing
    with pytest.raises(KnowledgeError, match=r"2027\.yml: holidays\[3\] \(line 6\): 2028-01-04 is not in 2027"):
        cal.is_workday(date(2026, 5, 6))
    with pytest.raises(KnowledgeError):
        cal.add_working_days(date(2026, 12, 28), 7)


def test_construction_is_lazy_and_load_is_eager(tmp_path):
    cal = WorkdayCalendar(tmp_path / "missing")
    with pytest.raises(KnowledgeError, match="working-day folder not found"):
        cal.load()


# --------------------------------------------------------------------------- Art. 38: at or after


def test_next_working_day_at_or_after(calendar):
    assert calendar.next_working_day_at_or_after(date(2026, 11, 3)).due == date(2026, 11, 3)  # a Tuesday
    assert calendar.next_working_day_at_or_after(date(2026, 10, 3)).due == date(2026, 10, 8)  # National Day
    assert calendar.next_working_day_at_or_after(date(2026, 10, 10)).due == date(2026, 10, 10)  # make-up Saturday
    assert calendar.next_working_day_at_or_after(date(2026, 10, 3)).provisional is False


def test_next_working_day_in_an_unknown_year_is_provisional_and_recomputable(empty_dir):
    cal = WorkdayCalendar(empty_dir)
    stored = cal.next_working_day_at_or_after(date(2027, 1, 3))  # December's report, due 3 January
    assert (stored.due, stored.provisional, stored.counts_start_day) == (date(2027, 1, 4), True, True)
    write_year(empty_dir, "2027.yml", FICTIONAL_2027)
    official = cal.reload().recompute(stored)
    assert (official.start, official.due, official.provisional) == (date(2027, 1, 3), date(2027, 1, 5), False)


# --------------------------------------------------------------------------- between


def test_working_days_between(calendar):
    a, b = date(2026, 9, 28), date(2026, 10, 13)
    assert calendar.working_days_between(a, b) == 7
    assert calendar.working_days_between(b, a) == -7
    assert calendar.working_days_between(a, a) == 0
    assert calendar.working_days_between(date(2026, 10, 9), date(2026, 10, 10)) == 1  # make-up Saturday


def test_working_days_between_refuses_an_unknown_year_unless_allowed(calendar):
    with pytest.raises(UnknownYearError) as info:
        calendar.working_days_between(date(2026, 12, 28), date(2027, 1, 6))
    assert info.value.year == 2027
    assert "2027.yml" in str(info.value)
    assert calendar.working_days_between(date(2026, 12, 28), date(2027, 1, 6), allow_provisional=True) == 7
    assert calendar.working_days_between(date(2026, 12, 28), date(2026, 12, 31)) == 3


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("days, error", [(-1, ValueError), (MAX_DAYS + 1, ValueError), (True, TypeError),
                                         (1.0, TypeError), ("7", TypeError)])
def test_bad_days_are_refused(calendar, days, error):
    with pytest.raises(error):
        calendar.add_working_days(date(2026, 9, 28), days)


def test_datetimes_and_strings_are_refused(calendar):
    with pytest.raises(TypeError):
        calendar.add_working_days(datetime(2026, 9, 28, 12), 7)
    with pytest.raises(TypeError):
        calendar.is_workday("2026-09-28")
    with pytest.raises(TypeError):
        calendar.working_days_between(date(2026, 9, 28), datetime(2026, 10, 13))


def test_counting_past_the_last_date_is_a_value_error(calendar):
    with pytest.raises(ValueError, match="beyond"):
        calendar.add_working_days(date(9999, 12, 30), 5)


def test_due_date_contract_shape():
    assert DueDate(date(2026, 9, 28), 7, date(2026, 10, 13), False).as_dict() == {
        "start": "2026-09-28", "days": 7, "due": "2026-10-13", "provisional": False}
