"""Which summaries came in, on time or late, and which are missing: the console's table and the
punctuality figure the annual assessment can use (Art. 38, 39–41).

A period appears once it has ended (a summary can be sent from then on). Its status compares the
bank's first submission with the due instant on the current calendar: submitted by then is on time
(已按时提交), after it late (逾期提交); none and the instant passed is missing (未提交（已逾期）);
none and not due yet is 未到期. A later version never changes the status: the first one counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlmodel import Session, col, select

from bot.clock import as_utc
from bot.knowledge import Knowledge
from bot.workdays import WorkdayCalendar

from .due import InspectionDue, due_of, required_kinds
from .models import SelfInspection
from .periods import InspectionPeriod, periods_of_year


class InspectionStatus(str, Enum):
    on_time = "on_time"
    late = "late"
    missing = "missing"
    not_due = "not_due"


@dataclass(frozen=True)
class Received:
    """What a bank sent for one period: the first arrival, and the latest version to download."""

    first_submitted_at: datetime
    latest_id: int
    latest_version: int


@dataclass(frozen=True)
class PeriodStatus:
    period: InspectionPeriod
    due: InspectionDue
    status: InspectionStatus
    received: Received | None


@dataclass(frozen=True)
class Punctuality:
    """Of the summaries whose due instant has passed (`due`), how many came on time."""

    bank: str
    year: int
    due: int
    on_time: int
    late: int
    missing: int

    @property
    def rate(self) -> float | None:
        """on_time / due, or None while nothing is due."""
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True)
class BankInspections:
    bank: str
    periods: list[PeriodStatus]
    punctuality: Punctuality


def status_of(due: InspectionDue, received: Received | None, *, now: datetime) -> InspectionStatus:
    """Art. 38's "17:00前": a summary that arrives by the due instant is on time."""
    if received is not None:
        return InspectionStatus.on_time if as_utc(received.first_submitted_at) <= due.due_at else InspectionStatus.late
    return InspectionStatus.missing if due.has_passed(now) else InspectionStatus.not_due


def ended_periods(year: int, *, now: datetime, knowledge: Knowledge) -> list[InspectionPeriod]:
    """The periods of `year` Art. 38 asks a summary for that have ended by `now`."""
    return [p for p in periods_of_year(year, required_kinds(knowledge)) if p.has_ended(now)]


def _received(session: Session, *, banks: Iterable[str],
              periods: list[InspectionPeriod]) -> dict[tuple[str, str], Received]:
    keys = [p.key for p in periods]
    names = list(banks)
    if not keys or not names:
        return {}
    rows = session.exec(
        select(SelfInspection.id, SelfInspection.bank, SelfInspection.period, SelfInspection.version,
               SelfInspection.submitted_at)
        .where(col(SelfInspection.bank).in_(names), col(SelfInspection.period).in_(keys))
        .order_by(col(SelfInspection.version))
    ).all()
    out: dict[tuple[str, str], Received] = {}
    for row_id, bank, period, version, submitted_at in rows:
        earlier = out.get((bank, period))
        first = submitted_at if earlier is None else min(earlier.first_submitted_at, submitted_at)
        out[(bank, period)] = Received(first_submitted_at=first, latest_id=row_id, latest_version=version)
    return out


def _punctuality(bank: str, year: int, periods: list[PeriodStatus], now: datetime) -> Punctuality:
    due = [p for p in periods if p.due.has_passed(now)]
    count = {status: sum(1 for p in due if p.status is status) for status in InspectionStatus}
    return Punctuality(bank=bank, year=year, due=len(due), on_time=count[InspectionStatus.on_time],
                       late=count[InspectionStatus.late], missing=count[InspectionStatus.missing])


def bank_inspections(session: Session, *, year: int, now: datetime, knowledge: Knowledge,
                     calendar: WorkdayCalendar, banks: Iterable[str] | None = None) -> list[BankInspections]:
    """Every partner bank's (knowledge/banks.yml, or `banks`) periods of `year` ended by `now`, with
    their status, and its punctuality."""
    names = list(banks) if banks is not None else [b.name for b in knowledge.banks]
    periods = ended_periods(year, now=now, knowledge=knowledge)
    dues = {p: due_of(p, knowledge=knowledge, calendar=calendar) for p in periods}
    received = _received(session, banks=names, periods=periods)
    out = []
    for bank in names:
        rows = [PeriodStatus(period=p, due=dues[p], received=received.get((bank, p.key)),
                             status=status_of(dues[p], received.get((bank, p.key)), now=now)) for p in periods]
        out.append(BankInspections(bank=bank, periods=rows, punctuality=_punctuality(bank, year, rows, now)))
    return out


def punctuality(session: Session, *, bank: str, year: int, now: datetime, knowledge: Knowledge,
                calendar: WorkdayCalendar) -> Punctuality:
    """`bank`'s on-time summaries of `year` out of those due by `now` (for the annual assessment)."""
    return bank_inspections(session, year=year, now=now, knowledge=knowledge, calendar=calendar,
                            banks=[bank])[0].punctuality
