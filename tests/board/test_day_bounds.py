"""A limit is a Qingdao calendar day: signed or answered at 23:59 on it is in time, a few minutes after
midnight is late, whatever the UTC day of either instant (Shanghai midnight is 16:00 UTC the day
before)."""

from __future__ import annotations

from sqlmodel import Session

from bot.board import ticket_standings
from bot.reports.periods import parse_month
from tests.board.conftest import AS_OF, Board, calendar, sh  # noqa: F401 - fixtures


def test_the_limits_end_at_qingdao_midnight(engine, knowledge, calendar):  # noqa: F811
    b = Board(engine, knowledge, calendar)
    # Opened Tue 12-01 (December 2026 has no holidays): sign by Wed 12-02, report by Tue 12-08.
    in_time = b.complaint(citizen_ref="telegram:1", at=sh(2026, 12, 1, 0, 5))  # 11-30 16:05 UTC
    b.acknowledge(in_time, sh(2026, 12, 2, 23, 59))
    b.report(in_time, at=sh(2026, 12, 8, 23, 59))
    late = b.complaint(citizen_ref="telegram:2", at=sh(2026, 12, 1, 23, 55))  # still 12-01 in Qingdao
    b.acknowledge(late, sh(2026, 12, 3, 0, 1))  # 12-02 16:01 UTC: the UTC day is still the limit's
    b.report(late, at=sh(2026, 12, 9, 0, 1))
    with Session(engine) as session:
        standings = {s.number: s for s in ticket_standings(session, period=parse_month("2026-12"),
                                                             knowledge=knowledge, calendar=calendar, now=AS_OF)}
    assert [(n, standings[n].acknowledge_by.isoformat(), standings[n].due.isoformat()) for n in (in_time, late)] == \
        [(in_time, "2026-12-02", "2026-12-08"), (late, "2026-12-02", "2026-12-08")]
    assert (standings[in_time].responded, standings[in_time].completed) == (True, True)
    assert (standings[late].responded, standings[late].completed) == (False, False)
