"""A caller's earlier matters by phone: newest first, bounded, and found through an index (the
console must stay fast with 100k tickets)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from bot.ledger.cases import record_case
from bot.ledger.errors import InvalidInput
from bot.ledger.models import CaseCreate
from bot.reactions import ledger_reactions
from bot.web.console.callers import LIMIT, caller_history, cases_query
from bot.workdays import WorkdayCalendar
from tests.matters import fee_complaint

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
PHONE = "13912345678"
WEEK_AND_A_DAY = 8 * 24 * 60  # minutes


def record(session, knowledge, *, phone, bank, minutes):
    return record_case(session, reactions=ledger_reactions(),
                       data=CaseCreate(kind="complaint", intent="complaint/fees", bank=bank,
                                                channel="hotline_12333", description=fee_complaint(minutes), contact_phone=phone),
                       knowledge=knowledge, calendar=WorkdayCalendar(), now=NOW + timedelta(minutes=minutes))


def test_the_newest_matters_come_first_and_the_list_is_bounded(engine, knowledge):
    with Session(engine) as session:
        # One caller, a new matter every 8 days (within 7 days it would join the open ticket).
        numbers = [record(session, knowledge, phone=PHONE, bank="建行", minutes=i * WEEK_AND_A_DAY)[1].number
                   for i in range(LIMIT + 5)]
        record(session, knowledge, phone="13800000000", bank="工行", minutes=100)
        _, praise_without_bank = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
            kind="praise", intent="praise", channel="telegram", description="服务好", contact_phone=PHONE),
            knowledge=knowledge, calendar=WorkdayCalendar(), now=NOW + timedelta(minutes=(LIMIT + 5) * WEEK_AND_A_DAY))
        session.commit()
        history = caller_history(session, phone="+86 139 1234 5678")
    assert praise_without_bank is None
    assert history.phone == PHONE and len(history.cases) == LIMIT
    assert history.cases[0].kind == "praise" and history.cases[0].ticket_number is None
    assert history.ticket_numbers == list(reversed(numbers))[:LIMIT - 1]
    assert {c.bank for c in history.cases[1:]} == {"中国建设银行"}


def test_something_that_is_not_a_phone_is_refused(engine):
    with Session(engine) as session, pytest.raises(InvalidInput) as caught:
        caller_history(session, phone="select * from ticket")
    assert caught.value.field == "phone"


def test_the_lookup_uses_the_phone_index(tmp_path):
    from bot.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'plan.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        sql = str(cases_query(PHONE).compile(engine, compile_kwargs={"literal_binds": True}))
        with engine.connect() as conn:
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    finally:
        engine.dispose()
    assert "USING INDEX ix_ledger_case_contact_phone" in plan and "SCAN ledger_case" not in plan, plan


def test_a_second_call_about_the_same_matter_shows_the_ticket_it_joined(engine, knowledge):
    with Session(engine) as session:
        _, first = record(session, knowledge, phone=PHONE, bank="建行", minutes=0)
        _, joined = record(session, knowledge, phone=PHONE, bank="建行", minutes=60)
        session.commit()
        history = caller_history(session, phone=PHONE)
    assert joined.id == first.id
    assert history.ticket_numbers == [first.number, first.number]
