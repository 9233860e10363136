"""The 三率 board's figures: response and on-time completion over the transfer tickets opened in the
month, satisfaction over the month's answers; per bank and per district, a district's scope, and a
month without tickets has no rate rather than 0%."""

from __future__ import annotations

from sqlmodel import Session

from bot.board import Measure, Share, three_rates, ticket_standings
from bot.reports.periods import parse_month
from tests.board.conftest import AS_OF, CCB, ICBC, LICANG, SHINAN, sh


def _board(engine, knowledge, calendar, month="2026-12", by="bank", scope=None, now=AS_OF):
    with Session(engine) as session:
        board = three_rates(session, period=parse_month(month), by=by, knowledge=knowledge, calendar=calendar,
                            now=now, scope=scope)
    return {r.key: (r.response, r.completion, r.satisfaction) for r in board.rows}, board.total


def test_per_bank_counts_signing_and_results_against_their_limits(engine, knowledge, calendar, seeded):
    rows, total = _board(engine, knowledge, calendar)
    assert rows == {
        CCB: (Share(3, 4), Share(2, 4), Share(0, 1)),  # t2 signed late; t2 late and t3 without a result
        ICBC: (Share(), Share(), Share()),  # t4: neither limit has passed yet
    }
    assert rows[ICBC][0].rate is None and rows[CCB][0].rate == 0.75
    assert (total.response, total.completion, total.satisfaction) == (Share(3, 4), Share(2, 4), Share(0, 1))


def test_per_district_and_a_districts_scope(engine, knowledge, calendar, seeded):
    rows, _ = _board(engine, knowledge, calendar, by="district")
    assert rows == {LICANG: (Share(2, 3), Share(2, 3), Share(0, 1)), SHINAN: (Share(1, 1), Share(0, 1), Share())}
    scoped, total = _board(engine, knowledge, calendar, scope=SHINAN)
    assert scoped == {CCB: (Share(1, 1), Share(0, 1), Share()), ICBC: (Share(), Share(), Share())}
    assert total.response == Share(1, 1)


def test_a_ticket_counts_once_its_limit_has_passed(engine, knowledge, calendar, seeded):
    november, _ = _board(engine, knowledge, calendar, month="2026-11")
    assert november == {ICBC: (Share(0, 1), Share(0, 1), Share())}  # t5: never signed, no result
    early, _ = _board(engine, knowledge, calendar, month="2026-11", now=sh(2026, 12, 1, 23, 59))
    assert early == {ICBC: (Share(0, 0), Share(0, 0), Share())}  # the last day to sign is not over yet
    with Session(engine) as session:
        standings = {s.number: s for s in ticket_standings(session, period=parse_month("2026-12"), knowledge=knowledge,
                                                            calendar=calendar, now=AS_OF)}
    t6 = standings[seeded["t6"]]
    assert (t6.due.isoformat(), t6.counted(Measure.completion)) == ("2026-12-08", True)  # its first handling
    assert standings[seeded["t4"]].counted(Measure.response) is None


def test_a_month_without_tickets_has_no_rate(engine, knowledge, calendar, seeded):
    rows, total = _board(engine, knowledge, calendar, month="2026-10")
    assert rows == {} and total.response.rate is None and total.completion.rate is None
