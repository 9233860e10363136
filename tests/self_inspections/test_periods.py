"""Periods as banks write them: 2026-11, 2026-Q3, 2026-H2, 2026; anything else refused with a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.self_inspections import InvalidPeriod, PeriodKind, parse_period, periods_of_year


@pytest.mark.parametrize("text, kind, first, last", [
    ("2026-11", PeriodKind.month, date(2026, 11, 1), date(2026, 11, 30)),
    ("2024-02", PeriodKind.month, date(2024, 2, 1), date(2024, 2, 29)),
    ("2026-Q3", PeriodKind.quarter, date(2026, 7, 1), date(2026, 9, 30)),
    ("2026-q4", PeriodKind.quarter, date(2026, 10, 1), date(2026, 12, 31)),
    ("2026-H1", PeriodKind.half_year, date(2026, 1, 1), date(2026, 6, 30)),
    (" 2026-H2 ", PeriodKind.half_year, date(2026, 7, 1), date(2026, 12, 31)),
    ("2026", PeriodKind.year, date(2026, 1, 1), date(2026, 12, 31)),
])
def test_each_form_names_its_days(text, kind, first, last):
    period = parse_period(text)
    assert (period.kind, period.first_day, period.last_day) == (kind, first, last)
    assert parse_period(period.key) == period  # the key is the canonical spelling


@pytest.mark.parametrize("text, code", [
    ("2026-13", "inspection_period_no_month"),
    ("2026-00", "inspection_period_no_month"),
    ("2026-Q5", "inspection_period_no_quarter"),
    ("2026-Q0", "inspection_period_no_quarter"),
    ("2026-H3", "inspection_period_no_half_year"),
    ("1999-12", "inspection_period_year_range"),
    ("2026-1", "inspection_period_format"),
    ("2026/11", "inspection_period_format"),
    ("26-11", "inspection_period_format"),
    ("", "inspection_period_format"),
    ("２０２６-11", "inspection_period_format"),
])
def test_a_period_that_does_not_exist_is_refused_with_its_reason(text, code, knowledge):
    with pytest.raises(InvalidPeriod) as refused:
        parse_period(text)
    assert (refused.value.code, refused.value.field) == (code, "period")
    assert knowledge.messages.explain(refused.value)  # the catalogue says it


def test_the_refusal_tells_the_bank_the_forms(knowledge):
    with pytest.raises(InvalidPeriod) as refused:
        parse_period("2026-13")
    assert knowledge.messages.explain(refused.value) == "没有这个月份：2026-13（月份为 01 至 12）"
    with pytest.raises(InvalidPeriod) as refused:
        parse_period("Q3-2026")
    assert "2026-Q3" in knowledge.messages.explain(refused.value)


def test_a_period_ends_at_local_midnight_after_its_last_day():
    september = parse_period("2026-09")
    assert september.end == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)  # 2026-10-01 00:00 in Qingdao
    assert not september.has_ended(datetime(2026, 9, 30, 15, 59, 59, tzinfo=UTC))
    assert september.has_ended(datetime(2026, 9, 30, 16, 0, tzinfo=UTC))


def test_a_year_has_nineteen_periods_each_after_the_months_it_closes():
    periods = periods_of_year(2026, list(PeriodKind))
    assert len(periods) == 12 + 4 + 2 + 1
    keys = [p.key for p in periods]
    assert keys[:4] == ["2026-01", "2026-02", "2026-03", "2026-Q1"]
    assert keys[-5:] == ["2026-11", "2026-12", "2026-Q4", "2026-H2", "2026"]
