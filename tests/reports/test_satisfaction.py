"""The reports' satisfaction section: each bank's callbacks answered in the month or year, with
its rate, in Markdown and JSON; banks without answers listed without a rate."""

from __future__ import annotations

import json

from sqlmodel import Session

from bot.reactions import ledger_reactions
from bot.reports import month_report, render_json, render_markdown, year_report
from bot.satisfaction import answer_by_citizen
from bot.workdays import WorkdayCalendar
from tests.satisfaction.conftest import CCB, ICBC, Ledger, sh


def _answered(engine, knowledge, calendar) -> None:
    ledger = Ledger(engine, knowledge, calendar)
    for n, (answer, at) in enumerate([("satisfied", sh(2026, 12, 1)), ("basically_satisfied", sh(2026, 12, 2)),
                                      ("dissatisfied", sh(2026, 12, 3)), ("satisfied", sh(2026, 11, 30))]):
        ref = f"telegram:{800 + n}"
        number = ledger.handled(ledger.complaint(citizen_ref=ref))
        token = ledger.callbacks(number)[0].token
        with Session(engine) as session:
            answer_by_citizen(session, token=token, citizen_ref=ref, answer=answer, knowledge=knowledge,
                              calendar=calendar, now=at, reactions=ledger_reactions())
            session.commit()


def test_the_month_and_year_reports_carry_each_banks_satisfaction(engine, knowledge):
    calendar = WorkdayCalendar()
    _answered(engine, knowledge, calendar)
    with Session(engine) as session:
        december = month_report(session, month="2026-12", knowledge=knowledge, calendar=calendar, now=sh(2027, 1, 5))
        year = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=sh(2027, 1, 5))
    md = render_markdown(december, knowledge=knowledge)
    assert "群众满意度（第二十五条、第四十条）" in md
    assert f"| {CCB} | 3 | 1 | 1 | 1 | 66.7% |" in md  # the November answer is not December's
    assert f"| {ICBC} | 0 | 0 | 0 | 0 | — |" in md
    data = json.loads(render_json(year))
    ccb = next(r for r in data["satisfaction"] if r["bank"] == CCB)
    assert (ccb["answered"], ccb["satisfied"], ccb["rate"]) == (4, 2, 0.75)
