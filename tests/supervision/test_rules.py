"""Threshold firings with the cases behind them and the next steps, as the ledger recorded them;
a district supervisor sees only the firings and cases of their district."""

from __future__ import annotations

import itertools

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.ledger.cases import record_case, verify_case
from bot.ledger.models import CaseCreate, CaseKind, Ticket
from bot.reactions import ledger_reactions
from bot.supervision import InvalidFilters, RuleFilters, fired_rules, parse_rule_filters
from tests.matters import fee_complaint
from tests.supervision.conftest import CCB, LICANG, NOW, SHINAN

_matters = itertools.count()


def _complaint(session, knowledge, calendar, *, district, intent="complaint/fees", minutes=0):
    case, ticket = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
        kind=CaseKind.complaint, intent=intent, bank=CCB, outlet="李村支行", district=district,
        channel="hotline_12333", description=fee_complaint(next(_matters))), knowledge=knowledge, calendar=calendar,
        now=NOW + timedelta(minutes=minutes))
    return case, ticket


@pytest.fixture
def firings(engine, knowledge, calendar):
    """Three fee complaints about one bank this month (two from 李沧区, one from 市南区), found true;
    one forced-selling complaint from 市南区, received."""
    with Session(engine, expire_on_commit=False) as session:
        made = [_complaint(session, knowledge, calendar, district=d, minutes=i)
                for i, d in enumerate((LICANG, SHINAN, LICANG))]
        selling = _complaint(session, knowledge, calendar, district=SHINAN, intent="complaint/forced_selling",
                             minutes=5)
        for case, _ in made:
            verify_case(session, reactions=ledger_reactions(),
                        case_id=case.id, found_true=True, by="city1", knowledge=knowledge,
                        now=NOW + timedelta(days=1))
        session.commit()
    return {"cases": [c for c, _ in made], "tickets": [t.number for _, t in made], "selling": selling}


def _fired(engine, knowledge, scope=None, **filters):
    with Session(engine) as session:
        return fired_rules(session, filters=RuleFilters(**{"period": "2026-11", **filters}), scope=scope,
                           knowledge=knowledge)


def _rule(knowledge, rule_id):
    return next(r for r in knowledge.rules.thresholds if r.id == rule_id)


def test_the_city_sees_each_firing_with_its_cases_tickets_and_next_steps(engine, knowledge, firings):
    result = _fired(engine, knowledge, rule_id="bank_same_type_complaints", level="official")
    assert result.total == 1
    row = result.rows[0]
    assert row.bank == CCB and row.count == 3 and not row.count_is_scoped
    assert row.detail == knowledge.intent("complaint/fees").label
    assert row.next_steps == list(_rule(knowledge, "bank_same_type_complaints").next_steps)
    assert "第四十五条" in row.articles and "第五十条" in row.articles
    assert [c.id for c in row.cases] == [c.id for c in firings["cases"]]
    assert [c.tickets for c in row.cases] == [[n] for n in firings["tickets"]]
    assert {c.verification_label for c in row.cases} == {"查实"}


def test_early_warnings_are_listed_apart_from_official_firings(engine, knowledge, firings):
    warnings = _fired(engine, knowledge, level="warning")
    assert {"bank_same_type_complaints", "forced_selling"} <= {r.rule_id for r in warnings.rows}
    assert all(r.level == "warning" and r.level_label.startswith("预警") for r in warnings.rows)
    official = _fired(engine, knowledge, level="official")
    assert all(r.level == "official" for r in official.rows)
    everything = _fired(engine, knowledge)
    assert everything.total == warnings.total + official.total
    assert ("同类投诉", "正式（查实）", 1) in everything.summary


def test_a_district_sees_its_own_cases_and_its_own_count(engine, knowledge, firings):
    result = _fired(engine, knowledge, scope=LICANG, rule_id="bank_same_type_complaints", level="official")
    row = result.rows[0]
    assert row.count == 2 and row.count_is_scoped
    assert [c.district for c in row.cases] == [LICANG, LICANG]
    assert {t for c in row.cases for t in c.tickets} == {firings["tickets"][0], firings["tickets"][2]}
    # The forced-selling complaint came from 市南区 only.
    assert "forced_selling" not in {r.rule_id for r in _fired(engine, knowledge, scope=LICANG).rows}
    assert "forced_selling" in {r.rule_id for r in _fired(engine, knowledge, scope=SHINAN).rows}
    assert _fired(engine, knowledge, scope="崂山区").total == 0


def test_a_year_holds_its_months_and_other_periods_are_empty(engine, knowledge, firings):
    month = {r.id for r in _fired(engine, knowledge).rows}
    year = {r.id for r in _fired(engine, knowledge, period="2026").rows}
    assert month and month == year  # every firing of the ledger happened in November 2026
    assert _fired(engine, knowledge, period="2026-10").total == 0
    assert _fired(engine, knowledge, period="2025").total == 0


def test_pages_of_firings(engine, knowledge, firings):
    with Session(engine) as session:
        first = fired_rules(session, filters=RuleFilters(period="2026-11"), scope=None, knowledge=knowledge,
                            page_size=2)
        last = fired_rules(session, filters=RuleFilters(period="2026-11", page=first.pages), scope=None,
                           knowledge=knowledge, page_size=2)
    assert first.pages == -(-first.total // 2) and len(first.rows) == 2
    assert {r.id for r in first.rows}.isdisjoint({r.id for r in last.rows})


def test_the_cases_listed_per_firing_are_capped(engine, knowledge, firings):
    with Session(engine) as session:
        result = fired_rules(session, filters=RuleFilters(period="2026-11", rule_id="bank_same_type_complaints",
                                                          level="official"),
                             scope=None, knowledge=knowledge, cases_per_firing=2)
    assert len(result.rows[0].cases) == 2 and result.rows[0].more_cases == 1


def test_bad_rule_filters_are_named(knowledge):
    with pytest.raises(InvalidFilters) as caught:
        parse_rule_filters({"period": "2026-13", "bank": "花旗", "rule": "nope", "level": "loud", "page": "x"},
                           knowledge=knowledge, default_period="2026-11")
    assert set(caught.value.problems) == {"period", "bank", "rule", "level", "page"}
    assert parse_rule_filters({}, knowledge=knowledge, default_period="2026-11") == RuleFilters(period="2026-11")
    assert parse_rule_filters({"bank": "建行", "period": "2026"}, knowledge=knowledge,
                              default_period="2026-11") == RuleFilters(period="2026", bank=CCB)


def test_tickets_of_the_listed_cases_are_theirs(engine, knowledge, firings):
    row = _fired(engine, knowledge, rule_id="bank_same_type_complaints", level="official").rows[0]
    with Session(engine) as session:
        for case in row.cases:
            for number in case.tickets:
                assert session.exec(select(Ticket.case_id).where(Ticket.number == number)).one() == case.id
