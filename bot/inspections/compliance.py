"""The weekly minimum of Art. 29 per district: outlets inspected in a Monday–Sunday week (Asia/Shanghai)
against the number required (rules.yml deadlines.district_inspection), and inspections recorded late.

A week counts distinct outlets: two visits to one outlet in a week are one outlet inspected.
The current week is shown while it runs, so a district behind can still catch up before Sunday.
``period_compliance`` sums the weeks up for the monthly and yearly reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from bot.inspections.models import OutletInspection
from bot.knowledge import Knowledge

HISTORY_WEEKS = 12


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


@dataclass
class DistrictWeek:
    district: str
    start: date  # Monday
    required: int
    outlets: set[tuple[str, str]] = field(default_factory=set)  # (bank, outlet) inspected
    inspections: int = 0
    late: int = 0

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def inspected(self) -> int:
        return len(self.outlets)

    @property
    def missing(self) -> int:
        return max(0, self.required - self.inspected)

    @property
    def met(self) -> bool:
        return self.missing == 0


@dataclass
class DistrictCompliance:
    district: str
    current: DistrictWeek
    past: list[DistrictWeek]  # newest first

    @property
    def weeks_met(self) -> int:
        return sum(week.met for week in self.past)


@dataclass
class Compliance:
    today: date
    required: int
    districts: list[DistrictCompliance]

    @property
    def behind(self) -> list[DistrictCompliance]:
        """Districts short of the minimum in the current week."""
        return [d for d in self.districts if not d.current.met]

    @property
    def late_this_week(self) -> int:
        return sum(d.current.late for d in self.districts)


def weekly_compliance(session: Session, *, scope: str | None, today: date, knowledge: Knowledge,
                      weeks: int = HISTORY_WEEKS) -> Compliance:
    """Every district in `scope` (one district, or None for the city): this week so far and the `weeks` before."""
    required = knowledge.rules.deadlines.district_inspection.min_outlets_per_week
    names = [d.name for d in knowledge.districts if scope is None or d.name == scope]
    this_monday = week_start(today)
    first = this_monday - timedelta(weeks=weeks)
    table: dict[tuple[str, date], DistrictWeek] = {
        (name, first + timedelta(weeks=n)): DistrictWeek(name, first + timedelta(weeks=n), required)
        for name in names for n in range(weeks + 1)}
    _tally(session, table, first=first, last=this_monday + timedelta(days=6), scope=scope)
    by_district: dict[str, list[DistrictWeek]] = defaultdict(list)
    for (name, _), week in sorted(table.items(), key=lambda kv: kv[0][1], reverse=True):
        by_district[name].append(week)
    return Compliance(today=today, required=required, districts=[
        DistrictCompliance(name, current=by_district[name][0], past=by_district[name][1:]) for name in names])


def _tally(session: Session, table: dict[tuple[str, date], DistrictWeek], *, first: date, last: date,
           scope: str | None) -> None:
    """Add the inspections of [first, last] to their district's week in `table`."""
    query = select(OutletInspection.district, OutletInspection.bank, OutletInspection.outlet,
                   OutletInspection.inspected_on, OutletInspection.late).where(
        OutletInspection.inspected_on >= first, OutletInspection.inspected_on <= last)
    if scope is not None:
        query = query.where(OutletInspection.district == scope)
    for district, bank, outlet, inspected_on, late in session.exec(query):
        week = table.get((district, week_start(inspected_on)))
        if week is None:  # a district no longer configured
            continue
        week.outlets.add((bank, outlet))
        week.inspections += 1
        week.late += bool(late)


@dataclass
class DistrictPeriod:
    """A district's inspections over a report's period (a month or a year)."""

    district: str
    weeks: int  # Monday–Sunday weeks that ended within the period, before today
    weeks_met: int
    inspections: int  # inspected within the period
    late: int  # of those, recorded late


def period_compliance(session: Session, *, first_day: date, last_day: date, today: date,
                      knowledge: Knowledge) -> list[DistrictPeriod]:
    """Each district's weeks met over [first_day, last_day]: a week belongs to the period its Sunday
    falls in, and counts once it has ended, so the week still running is neither met nor missed."""
    required = knowledge.rules.deadlines.district_inspection.min_outlets_per_week
    names = [d.name for d in knowledge.districts]
    mondays = []
    monday = week_start(first_day)  # its Sunday is on or after first_day
    while monday + timedelta(days=6) <= last_day and monday + timedelta(days=6) < today:
        mondays.append(monday)
        monday += timedelta(weeks=1)
    table = {(name, m): DistrictWeek(name, m, required) for name in names for m in mondays}
    _tally(session, table, first=week_start(first_day), last=last_day, scope=None)
    inspected = {name: [0, 0] for name in names}
    query = select(OutletInspection.district, OutletInspection.late).where(
        OutletInspection.inspected_on >= first_day, OutletInspection.inspected_on <= last_day)
    for district, late in session.exec(query):
        if district in inspected:
            inspected[district][0] += 1
            inspected[district][1] += bool(late)
    return [DistrictPeriod(district=name, weeks=len(mondays),
                           weeks_met=sum(table[(name, m)].met for m in mondays),
                           inspections=inspected[name][0], late=inspected[name][1]) for name in names]
