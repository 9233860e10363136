"""The 三率 board: response, on-time completion and satisfaction rates per bank or district and period.

- 响应率 (response): transfer tickets opened in the period that their bank signed for (签收) within the
  working days of ``rules.ticket_due.acknowledgement`` after the day they were opened (Art. 34 "及时";
  the number is operator configuration). A ticket still unsigned before that limit has passed is not
  counted yet: it can still be answered in time.
- 按时办结率 (on-time completion): transfer tickets opened in the period whose first result was reported
  on or before the due date of that first handling (Art. 9, 27, 33: "按期"). A ticket without a result
  counts once its due date has passed. A granted extension (Art. 9) moves the due date; a reopening
  after a 不满意 does not give the first handling a second chance, so the due date and result of the
  first handling are read from the ticket's history.
- 满意率 (satisfaction): the rates of ``bot.satisfaction`` (Art. 25(二), 40), counted in the period the
  citizen answered in.

Every rate is ``count of of``; with nothing to count it has no value (shown as "—", never 0%).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Literal, Protocol

from sqlmodel import Session, col, select

from bot.clock import SHANGHAI, local_day
from bot.knowledge import Knowledge
from bot.ledger.models import Case, Ticket, TicketEvent, TicketKind
from bot.satisfaction.rates import Rate, satisfaction_rates
from bot.workdays import WorkdayCalendar


class Period(Protocol):
    """A month or a year as `bot.reports.periods.Period` gives it (the reports read the board, so the type
    is described here rather than imported)."""

    @property
    def start_utc(self) -> datetime: ...

    @property
    def end_utc(self) -> datetime: ...

    @property
    def first_day(self) -> date: ...


Grouping = Literal["bank", "district"]
GROUPINGS: tuple[Grouping, ...] = ("bank", "district")


class Measure(str, Enum):
    response = "response"
    completion = "completion"


@dataclass(frozen=True)
class Share:
    """``count`` of ``of``; ``rate`` is None when there is nothing to count."""

    count: int = 0
    of: int = 0

    @property
    def rate(self) -> float | None:
        return self.count / self.of if self.of else None

    def __add__(self, other: Share) -> Share:
        return Share(self.count + other.count, self.of + other.of)


@dataclass(frozen=True)
class BoardRow:
    key: str | None  # the bank, or the district (None: a case without one)
    response: Share = Share()
    completion: Share = Share()
    satisfaction: Share = Share()


@dataclass(frozen=True)
class TicketStanding:
    """One transfer ticket of the period, as each measure sees it (None: not counted yet)."""

    number: str
    bank: str
    district: str | None
    created_at: datetime
    acknowledge_by: date
    acknowledged_at: datetime | None
    due: date
    result_at: datetime | None
    responded: bool | None
    completed: bool | None

    def key(self, by: Grouping) -> str | None:
        return self.bank if by == "bank" else self.district

    def counted(self, measure: Measure) -> bool | None:
        return self.responded if measure is Measure.response else self.completed


@dataclass(frozen=True)
class Board:
    rows: list[BoardRow]
    total: BoardRow = field(default_factory=lambda: BoardRow(key=None))


def ticket_standings(session: Session, *, period: Period, knowledge: Knowledge, calendar: WorkdayCalendar,
                     now: datetime, scope: str | None = None) -> list[TicketStanding]:
    """The transfer tickets opened in `period` (of the district `scope`), oldest first, with what each
    measure makes of them as of `now`."""
    query = (select(Ticket.id, Ticket.number, Ticket.bank, Case.district, Ticket.created_at, Ticket.acknowledged_at,
                    Ticket.due_date, Ticket.result_reported_at)
             .join(Case, col(Case.id) == col(Ticket.case_id))
             # A ticket is never due before the day it was opened: the indexed due date narrows the scan.
             .where(Ticket.kind == TicketKind.transfer, col(Ticket.due_date) >= period.first_day,
                    col(Ticket.created_at) >= period.start_utc, col(Ticket.created_at) < period.end_utc)
             .order_by(col(Ticket.created_at), col(Ticket.id)))
    if scope is not None:
        query = query.where(Case.district == scope)
    rows = session.exec(query).all()
    first_handling = _first_handling(session, [r[0] for r in rows])
    today = local_day(now)
    ack_days = knowledge.rules.ticket_due.acknowledgement.working_days
    # A year holds tens of thousands of tickets and a few hundred distinct days: each row compares
    # instants with the bounds of its days, worked out once per day, instead of converting its times.
    day_ends: dict[date, datetime] = {}
    limits: dict[date, date] = {}
    opened, opened_start, opened_end = None, None, None
    standings = []
    for ticket_id, number, bank, district, created_at, acknowledged_at, due, result_at in rows:
        # Oldest first: the opening day changes a few hundred times in a year's rows.
        if opened is None or not opened_start <= created_at < opened_end:
            opened = local_day(created_at)
            opened_end = _day_end(opened, day_ends)
            opened_start = _day_end(opened - timedelta(days=1), day_ends)
        if opened not in limits:
            limits[opened] = calendar.add_working_days(opened, ack_days).due
        acknowledge_by = limits[opened]
        if ticket_id in first_handling:
            due, result_at = first_handling[ticket_id]
        standings.append(TicketStanding(
            number=number, bank=bank, district=district, created_at=created_at, acknowledge_by=acknowledge_by,
            acknowledged_at=acknowledged_at, due=due, result_at=result_at,
            responded=_within(acknowledged_at, _day_end(acknowledge_by, day_ends), acknowledge_by, today),
            completed=_within(result_at, _day_end(due, day_ends), due, today)))
    return standings


def _day_end(day: date, ends: dict[date, datetime]) -> datetime:
    """The instant `day` ends in Qingdao (the next local midnight, in UTC), remembered in `ends`."""
    end = ends.get(day)
    if end is None:
        end = ends[day] = datetime.combine(day + timedelta(days=1), time(0, 0), SHANGHAI).astimezone(UTC)
    return end


def _within(done_at: datetime | None, limit_end: datetime, limit: date, today: date) -> bool | None:
    """Done by the end of `limit` (the Qingdao day; `limit_end` the instant it ends); None while not done
    and `limit` has not passed."""
    if done_at is not None:  # aware instants (UTCDateTime) compare as instants, whatever their zone
        return done_at < limit_end
    return False if today > limit else None


def _first_handling(session: Session, ticket_ids: list[int]) -> dict[int, tuple[date, datetime | None]]:
    """For the reopened tickets among `ticket_ids`: the due date and the result time of their first handling."""
    if not ticket_ids:
        return {}
    # Few tickets are ever reopened: find those first, so only their histories are read as objects.
    reopened = session.exec(select(TicketEvent.ticket_id).where(col(TicketEvent.ticket_id).in_(ticket_ids),
                                                                TicketEvent.type == "reopened").distinct()).all()
    if not reopened:
        return {}
    events = session.exec(select(TicketEvent).where(col(TicketEvent.ticket_id).in_(reopened),
                                                    col(TicketEvent.type).in_(("reopened", "reported")))
                          .order_by(col(TicketEvent.ticket_id), col(TicketEvent.at), col(TicketEvent.id))).all()
    by_ticket: dict[int, list[TicketEvent]] = defaultdict(list)
    for event in events:
        by_ticket[event.ticket_id].append(event)
    first: dict[int, tuple[date, datetime | None]] = {}
    for ticket_id, history in by_ticket.items():
        at = next((n for n, e in enumerate(history) if e.type == "reopened"), None)
        if at is None:
            continue
        result = next((e for e in history[:at] if e.detail.get("final")), None)
        first[ticket_id] = (date.fromisoformat(history[at].detail["previous_due"]), result.at if result else None)
    return first


def three_rates(session: Session, *, period: Period, by: Grouping, knowledge: Knowledge, calendar: WorkdayCalendar,
                now: datetime, scope: str | None = None, standings: list[TicketStanding] | None = None,
                answers: list[Rate] | None = None) -> Board:
    """One row per bank or district with transfer tickets opened or callbacks answered in `period`,
    ordered by name (a district left blank last), and the total. `standings`: the period's
    `ticket_standings` when already read (a report groups them by bank and by district); `answers`: the
    period's `satisfaction_rates` (of `scope`) when already read, at a grouping that names `by` (a report
    reads them once by bank, outlet and district, and adds them up here)."""
    # Plain counts per key, [responded, response counted, completed, completion counted]: a year's tens
    # of thousands of standings are tallied without building a Share for each.
    tally: dict[str | None, list[int]] = {}
    if standings is None:
        standings = ticket_standings(session, period=period, knowledge=knowledge, calendar=calendar, now=now,
                                     scope=scope)
    for standing in standings:
        key = standing.bank if by == "bank" else standing.district
        counts = tally.get(key)
        if counts is None:
            counts = tally[key] = [0, 0, 0, 0]
        if standing.responded is not None:
            counts[0] += standing.responded
            counts[1] += 1
        if standing.completed is not None:
            counts[2] += standing.completed
            counts[3] += 1
    if answers is None:
        answers = satisfaction_rates(session, period=period, by=by, scope=scope)
    satisfaction: dict[str | None, Share] = defaultdict(Share)
    for r in answers:
        satisfaction[getattr(r, by)] += Share(r.satisfied + r.basically_satisfied, r.answered)
    keys = sorted(set(tally) | set(satisfaction), key=lambda k: (k is None, k or ""))
    rows = []
    for k in keys:
        responded, responses, completed, completions = tally.get(k, (0, 0, 0, 0))
        rows.append(BoardRow(key=k, response=Share(responded, responses), completion=Share(completed, completions),
                             satisfaction=satisfaction.get(k, Share())))
    return Board(rows=rows, total=BoardRow(key=None, response=sum((r.response for r in rows), Share()),
                                           completion=sum((r.completion for r in rows), Share()),
                                           satisfaction=sum((r.satisfaction for r in rows), Share())))


def parse_measure(raw: str) -> Measure | None:
    try:
        return Measure(raw)
    except ValueError:
        return None


__all__ = ["GROUPINGS", "Board", "BoardRow", "Grouping", "Measure", "Share", "TicketStanding", "parse_measure",
           "three_rates", "ticket_standings"]
