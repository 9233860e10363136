"""When a self-inspection summary is due (Art. 38).

自查总结上报时间为：当期次月3日17:00前，遇节假日时，顺延至工作日17:00前. The day of the month and the
time are knowledge (rules.yml ``deadlines.self_inspection``); working days are the official
calendar's (bot/workdays, with its make-up working days). A due day in a year whose calendar is not
known yet is counted Monday–Friday and marked ``provisional``, as tickets' due dates are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.clock import SHANGHAI, as_utc
from bot.knowledge import Knowledge
from bot.knowledge.models import chinese_number
from bot.workdays import WorkdayCalendar

from .periods import InspectionPeriod, PeriodKind

# rules.yml names the periods by the catalogue's inspection_period_<kind> (checked by the loader).
_LABEL_PREFIX = "inspection_period_"


@dataclass(frozen=True)
class InspectionDue:
    """A period's due instant: ``nominal_date`` is the day the rule names, ``due_date`` the working
    day it moves to; ``due_at`` is that day at the rule's time (UTC)."""

    period: InspectionPeriod
    nominal_date: date
    due_date: date
    due_at: datetime
    provisional: bool

    @property
    def moved(self) -> bool:
        return self.due_date != self.nominal_date

    @property
    def due_at_local(self) -> datetime:
        return self.due_at.astimezone(SHANGHAI)

    def has_passed(self, now: datetime) -> bool:
        return as_utc(now) > self.due_at


def due_of(period: InspectionPeriod, *, knowledge: Knowledge, calendar: WorkdayCalendar) -> InspectionDue:
    """The due instant of `period`'s summary on `calendar`."""
    rule = knowledge.rules.deadlines.self_inspection
    following = period.next_first_day
    nominal = following.replace(day=rule.due_day_of_next_month)
    counted = calendar.next_working_day_at_or_after(nominal)
    due_at = as_utc(datetime.combine(counted.due, rule.due_clock, SHANGHAI))
    return InspectionDue(period=period, nominal_date=nominal, due_date=counted.due, due_at=due_at,
                         provisional=counted.provisional)


def required_kinds(knowledge: Knowledge) -> tuple[PeriodKind, ...]:
    """The kinds of period Art. 38 asks a summary for, as rules.yml lists them."""
    by_name = {knowledge.messages.text(_LABEL_PREFIX + kind.value): kind for kind in PeriodKind
               if _LABEL_PREFIX + kind.value in knowledge.messages}
    named = {by_name[name] for name in knowledge.rules.deadlines.self_inspection.periods if name in by_name}
    return tuple(kind for kind in PeriodKind if kind in named)


def kind_label(kind: PeriodKind, knowledge: Knowledge) -> str:
    """月 / 季 / 半年 / 年度, the catalogue's name of the kind."""
    return knowledge.messages.text(_LABEL_PREFIX + kind.value)


def period_label(period: InspectionPeriod, knowledge: Knowledge) -> str:
    """2026年11月, 2026年第三季度, 2026年下半年, 2026年度 (the reports' words)."""
    render = knowledge.messages.render
    if period.kind is PeriodKind.month:
        return render("report_period_month", year=period.year, month=period.number)
    if period.kind is PeriodKind.quarter:
        return render("report_inspection_quarter", year=period.year, quarter=chinese_number(period.number))
    if period.kind is PeriodKind.half_year:
        key = "report_inspection_first_half" if period.number == 1 else "report_inspection_second_half"
        return render(key, year=period.year)
    return render("report_inspection_year", year=period.year)
