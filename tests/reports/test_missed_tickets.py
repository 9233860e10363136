"""Tickets completed after their due date count as missed by the Shanghai day of completion, whatever
UTC day the database stores (the query reads only tickets that can have been late)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.ledger.models import Case, CaseKind, Ticket, TicketKind, TicketState
from bot.reports import month_report, year_report
from bot.workdays import WorkdayCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUE = date(2026, 11, 10)
NOW = datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def test_missed_by_the_shanghai_day_of_completion(engine, knowledge):
    done = {
        "A": (_at(11, 0, 30), 1),  # Shanghai 11 Nov 00:30 = UTC 10 Nov 16:30: one day late
        "B": (_at(10, 23, 59), 0),  # the last minute of the due day: in time
        "C": (_at(10, 7, 0), 0),  # UTC 9 Nov 23:00: in time
        "D": (_at(9, 12, 0), 0),
        "E": (_at(14, 9, 0), 4),
    }
    with Session(engine) as session:
        for n, (key, (at, _)) in enumerate(done.items(), start=1):
            case = Case(kind=CaseKind.complaint, intent="complaint/fees", bank="中国建设银行", channel="hotline_12333",
                        description="乱收费", received_at=_at(3, 10))
            session.add(case)
            session.flush()
            closed = key == "E"
            session.add(Ticket(kind=TicketKind.transfer, bank="中国建设银行", due_date=DUE, number=f"ZB-20261103-000{n}",
                               case_id=case.id, created_at=_at(3, 10),
                               state=TicketState.closed if closed else TicketState.result_reported,
                               result_reported_at=None if closed else at, closed_at=at if closed else None))
        session.commit()
        report = month_report(session, month="2026-11", knowledge=knowledge, calendar=WorkdayCalendar(), now=NOW)
        year = year_report(session, year=2026, knowledge=knowledge, calendar=WorkdayCalendar(), now=NOW)
    assert report.bank("中国建设银行").missed_tickets == 2  # A and E
    assert report.totals["missed_tickets"] == 2
    facts = year.assessment_of("中国建设银行").ledger
    assert (facts.missed_tickets, facts.max_days_overdue) == (2, 4)
