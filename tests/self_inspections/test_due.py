"""Art. 38: a summary is due the 3rd of the month after its period, 17:00 in Qingdao; on a day that
is not a working day of the official calendar (holidays, and not the make-up working weekends),
the next working day 17:00; in a year whose calendar is not known yet, provisionally."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.self_inspections import due_of, parse_period
from bot.workdays import WorkdayCalendar, get_calendar


@pytest.fixture(scope="module")
def calendar() -> WorkdayCalendar:
    return get_calendar()


def due(text, knowledge, calendar):
    return due_of(parse_period(text), knowledge=knowledge, calendar=calendar)


def test_a_working_third_is_the_due_day(knowledge, calendar):
    d = due("2026-10", knowledge, calendar)  # Tuesday 2026-11-03
    assert (d.nominal_date, d.due_date, d.moved, d.provisional) == (date(2026, 11, 3), date(2026, 11, 3), False, False)
    assert d.due_at == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)  # 17:00 in Qingdao


def test_september_and_the_third_quarter_are_due_after_the_national_day_holidays(knowledge, calendar):
    # 2026-10-03 lies in the National Day holidays (10-01 to 10-07); Thursday 10-08 is the next working day.
    assert not calendar.is_workday(date(2026, 10, 3)) and calendar.is_workday(date(2026, 10, 8))
    for period in ("2026-09", "2026-Q3"):
        d = due(period, knowledge, calendar)
        assert (d.nominal_date, d.due_date, d.moved) == (date(2026, 10, 3), date(2026, 10, 8), True)
        assert d.due_at_local.isoformat() == "2026-10-08T17:00:00+08:00"


def test_the_labour_day_holidays_move_april_to_may_6(knowledge, calendar):
    assert due("2026-04", knowledge, calendar).due_date == date(2026, 5, 6)


def test_a_make_up_working_sunday_is_the_due_day(knowledge, calendar):
    # 2026-01-03 (Saturday) is a New Year holiday; Sunday 2026-01-04 is worked (调休).
    assert calendar.is_workday(date(2026, 1, 4)) and date(2026, 1, 4).weekday() == 6
    assert due("2025-12", knowledge, calendar).due_date == date(2026, 1, 4)


def test_a_plain_weekend_moves_to_monday(knowledge, calendar):
    assert due("2025-07", knowledge, calendar).due_date == date(2025, 8, 4)  # 2025-08-03 is a Sunday


def test_a_year_without_its_calendar_gives_a_provisional_due_date(knowledge, calendar):
    assert calendar.year_source(2027) is None  # chinesecalendar stops at 2026 and knowledge/workdays has no 2027.yml
    for period in ("2026-12", "2026-Q4", "2026-H2", "2026"):
        d = due(period, knowledge, calendar)
        # 2027-01-03 is a Sunday: Monday on the weekdays-only rule, marked provisional
        assert (d.due_date, d.provisional) == (date(2027, 1, 4), True)


def test_a_configured_year_makes_the_date_official(knowledge, tmp_path):
    (tmp_path / "2027.yml").write_text(
        "source: a test schedule\nholidays: [2027-01-01, 2027-01-02, 2027-01-03, 2027-01-04]\n"
        "make_up_working_days: []\n", encoding="utf-8")
    d = due("2026-12", knowledge, WorkdayCalendar(tmp_path))
    assert (d.due_date, d.provisional) == (date(2027, 1, 5), False)


def test_the_rule_comes_from_the_knowledge(knowledge):
    rule = knowledge.rules.deadlines.self_inspection
    assert (rule.article, rule.due_day_of_next_month, rule.due_time) == (38, 3, "17:00")
    assert rule.quote in knowledge.article(38).text


@pytest.mark.parametrize("old, new, problem", [
    ('due_time: "17:00"', 'due_time: "25:00"', "due_time"),
    ("periods: [月, 季, 半年, 年度]", "periods: [月, 周]", "unknown period '周'"),
    ("due_day_of_next_month: 3", "due_day_of_next_month: 31", "due_day_of_next_month"),
])
def test_the_loader_refuses_a_rule_that_cannot_be_applied(tmp_path, old, new, problem):
    import shutil
    from pathlib import Path

    from bot.knowledge import KnowledgeError, load_knowledge

    root = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).resolve().parents[2] / "knowledge", root)
    rules = root / "rules.yml"
    text = rules.read_text(encoding="utf-8")
    assert old in text
    rules.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=problem):
        load_knowledge(root)
