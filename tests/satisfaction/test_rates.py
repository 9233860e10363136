"""Satisfaction rates: 满意 + 基本满意 over the answered callbacks of a month or year, per bank, outlet
and district, counted in the period the answer was given in."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bot.reactions import ledger_reactions
from bot.reports.periods import parse_month, parse_year
from bot.satisfaction import answer_by_citizen, overall, record_phone_attempt, satisfaction_rates
from tests.satisfaction.conftest import CCB, ICBC, LICANG, SHINAN, sh


@pytest.fixture
def answered(ledger, engine, knowledge, calendar):
    """Six callbacks: five answered in December 2026 (one of them in January 2027), one never answered."""
    plan = [  # bank, outlet, district, answer, answered at
        (CCB, "李村支行", LICANG, "satisfied", sh(2026, 12, 1)),
        (CCB, "李村支行", LICANG, "dissatisfied", sh(2026, 12, 2)),
        (CCB, "香港中路支行", SHINAN, "basically_satisfied", sh(2026, 12, 31, 23, 30)),  # still December locally
        (ICBC, "李村支行", LICANG, "basically_satisfied", sh(2026, 12, 3)),
        (ICBC, "香港中路支行", SHINAN, "satisfied", sh(2027, 1, 1, 0, 30)),  # January in Qingdao
    ]
    for n, (bank, outlet, district, answer, at) in enumerate(plan):
        ref = f"telegram:{900 + n}"
        number = ledger.handled(ledger.complaint(citizen_ref=ref, bank=bank, outlet=outlet, district=district))
        [callback] = ledger.callbacks(number)
        with Session(engine) as session:
            answer_by_citizen(session, token=callback.token, citizen_ref=ref, answer=answer, knowledge=knowledge,
                              calendar=calendar, now=at, reactions=ledger_reactions())
            session.commit()
    phone = ledger.handled(ledger.complaint(citizen_ref=None, channel="hotline_12333", bank=ICBC))
    with Session(engine) as session:  # a call not answered: no answer, not counted
        record_phone_attempt(session, callback_id=ledger.callbacks(phone)[0].id, operator="wangfang",
                             knowledge=knowledge, now=sh(2026, 12, 4))
        session.commit()


def _rates(engine, period, by, scope=None):
    with Session(engine) as session:
        return satisfaction_rates(session, period=period, by=by, scope=scope)


def test_per_bank_in_a_month(engine, answered):
    rates = {r.bank: r for r in _rates(engine, parse_month("2026-12"), "bank")}
    assert set(rates) == {CCB, ICBC}
    ccb, icbc = rates[CCB], rates[ICBC]
    assert (ccb.answered, ccb.satisfied, ccb.basically_satisfied, ccb.dissatisfied) == (3, 1, 1, 1)
    assert ccb.rate == pytest.approx(2 / 3)
    assert (icbc.answered, icbc.rate) == (1, 1.0)  # the January answer belongs to January
    total = overall(list(rates.values()))
    assert (total.answered, total.rate) == (4, 0.75)


def test_per_outlet_and_per_district_and_a_districts_scope(engine, answered):
    outlets = {(r.bank, r.outlet): (r.answered, r.rate) for r in _rates(engine, parse_month("2026-12"), "outlet")}
    assert outlets == {(CCB, "李村支行"): (2, 0.5), (CCB, "香港中路支行"): (1, 1.0), (ICBC, "李村支行"): (1, 1.0)}
    districts = {r.district: (r.answered, r.rate) for r in _rates(engine, parse_month("2026-12"), "district")}
    assert districts == {LICANG: (3, pytest.approx(2 / 3)), SHINAN: (1, 1.0)}
    scoped = _rates(engine, parse_month("2026-12"), "bank", scope=SHINAN)
    assert [(r.bank, r.answered) for r in scoped] == [(CCB, 1)]


def test_a_year_and_a_month_without_answers(engine, answered):
    assert overall(_rates(engine, parse_year("2026"), "bank")).answered == 4
    assert {r.bank: r.answered for r in _rates(engine, parse_year("2027"), "bank")} == {ICBC: 1}
    november = _rates(engine, parse_month("2026-11"), "bank")
    assert november == [] and overall(november).rate is None
