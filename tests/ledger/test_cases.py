"""The ledger as its users rely on it: a complaint becomes a numbered, forwarded ticket; bad input
changes nothing; findings, bank steps and escalation follow the Measures."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot.db import new_session
from bot.forwarding.models import Delivery
from bot.ledger.cases import record_case, verify_case
from bot.ledger.errors import ExtensionRefused, InvalidInput, InvalidTransition, ObjectionRefused
from bot.ledger.escalation import escalate_overdue
from bot.ledger.models import Case, CaseCreate, Ticket, TicketKind, TicketState
from bot.ledger.tickets import acknowledge, object_to_finding, report, request_extension
from bot.reactions import ledger_reactions
from bot.thresholds.models import ThresholdFiring
from bot.workdays import WorkdayCalendar
from tests.matters import fee_complaint, phone

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


@pytest.fixture
def calendar():
    return WorkdayCalendar()


def complaint(**overrides) -> CaseCreate:
    data = dict(kind="complaint", intent="complaint/fees", bank="建行", outlet="李村支行", district="李沧",
                channel="hotline_12333", description="补卡收了20元工本费", contact_phone="13812345678",
                consent_to_contact=False)
    return CaseCreate(**{**data, **overrides})


def record(engine, knowledge, calendar, data, now=MONDAY):
    with new_session(engine) as session:
        case, ticket = record_case(session, reactions=ledger_reactions(),
                                   data=data, knowledge=knowledge, calendar=calendar, now=now)
        session.commit()
    return case, ticket


def count(engine, model) -> int:
    with new_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_complaint_becomes_a_numbered_forwarded_ticket(engine, knowledge, calendar):
    case, ticket = record(engine, knowledge, calendar, complaint())
    assert (case.bank, case.district) == ("中国建设银行", "李沧区")
    assert ticket.number == "ZB-20261123-0001"
    # 5 working days (operator configuration) from Monday 2026-11-23, the start day not counted.
    assert ticket.due_date == date(2026, 11, 30) and not ticket.due_provisional
    with new_session(engine) as session:
        delivery = session.exec(select(Delivery)).one()
    body = json.loads(delivery.body)
    assert delivery.event == "ticket.created" and delivery.bank == "中国建设银行"
    assert body["ticket"]["number"] == ticket.number
    assert "13812345678" not in delivery.body  # no consent: the bank does not get the phone


def test_praise_without_a_bank_is_recorded_without_a_ticket(engine, knowledge, calendar):
    case, ticket = record(engine, knowledge, calendar, complaint(kind="praise", intent="praise", bank=None,
                                                                 outlet=None, description="小王很耐心"))
    assert ticket is None and case.id is not None
    assert count(engine, Delivery) == 0


@pytest.mark.parametrize("overrides, field", [
    ({"bank": "招商银行"}, "bank"),
    ({"intent": "praise"}, "intent"),
    ({"intent": "complaint/unknown"}, "intent"),
    ({"channel": "抖音"}, "channel"),
    ({"district": "黄浦区"}, "district"),
    ({"description": "   "}, "description"),
])
def test_bad_input_names_the_field_and_writes_nothing(engine, knowledge, calendar, overrides, field):
    with new_session(engine) as session:
        with pytest.raises(InvalidInput) as error:
            record_case(session, reactions=ledger_reactions(),
                        data=complaint(**overrides), knowledge=knowledge, calendar=calendar, now=MONDAY)
        session.rollback()
    assert error.value.field == field
    assert count(engine, Case) == count(engine, Ticket) == count(engine, Delivery) == 0


def test_three_found_true_complaints_of_one_type_fire_art_45_once(engine, knowledge, calendar):
    ids = [record(engine, knowledge, calendar, complaint(contact_phone=phone(i), description=fee_complaint(i)),
                  now=MONDAY + timedelta(hours=i))[0].id
           for i in range(4)]
    for case_id in ids:
        with new_session(engine) as session:
            verify_case(session, reactions=ledger_reactions(),
                        case_id=case_id, found_true=True, by="李沧区经办机构", knowledge=knowledge,
                        now=MONDAY + timedelta(days=3))
            session.commit()
    with new_session(engine) as session:
        official = session.exec(select(ThresholdFiring).where(
            ThresholdFiring.rule_id == "bank_same_type_complaints", ThresholdFiring.level == "official")).all()
    assert len(official) == 1
    assert 45 in official[0].articles and official[0].period == "2026-11"


def test_a_finding_cannot_be_recorded_twice(engine, knowledge, calendar):
    case, _ = record(engine, knowledge, calendar, complaint())
    with new_session(engine) as session:
        verify_case(session, reactions=ledger_reactions(),
                    case_id=case.id, found_true=False, by="x", knowledge=knowledge, now=MONDAY)
        session.commit()
        with pytest.raises(InvalidTransition):
            verify_case(session, reactions=ledger_reactions(),
                        case_id=case.id, found_true=True, by="x", knowledge=knowledge, now=MONDAY)


def test_bank_steps_follow_the_ticket_states(engine, knowledge, calendar):
    _, ticket = record(engine, knowledge, calendar, complaint())
    with new_session(engine) as session:
        ticket = session.get(Ticket, ticket.id)
        acknowledge(session, ticket, actor="bank", now=MONDAY)
        with pytest.raises(InvalidTransition):
            acknowledge(session, ticket, actor="bank", now=MONDAY)
        report(session, ticket, reactions=ledger_reactions(),
               process="已约谈网点负责人", result="已退还20元", actor="bank", now=MONDAY,
               knowledge=knowledge)
        assert ticket.state is TicketState.result_reported
        with pytest.raises(InvalidTransition):
            report(session, ticket, reactions=ledger_reactions(),
                   process="再次反馈", result=None, actor="bank", now=MONDAY, knowledge=knowledge)


def test_extension_must_be_asked_a_working_day_before_the_due_date(engine, knowledge, calendar):
    _, ticket = record(engine, knowledge, calendar, complaint())  # due Monday 2026-11-30
    with new_session(engine) as session:
        ticket = session.get(Ticket, ticket.id)
        saturday = datetime(2026, 11, 28, 9, 0, tzinfo=SH)
        with pytest.raises(ExtensionRefused) as refused:
            request_extension(session, ticket, until=date(2026, 12, 4), reason="需调取监控", actor="bank",
                              calendar=calendar, now=saturday)
        assert "第九条" in knowledge.messages.explain(refused.value) and "2026-11-27" in knowledge.messages.explain(refused.value)
        friday = datetime(2026, 11, 27, 16, 0, tzinfo=SH)
        request_extension(session, ticket, until=date(2026, 12, 4), reason="需调取监控", actor="bank",
                          calendar=calendar, now=friday)
        assert ticket.due_date == date(2026, 12, 4) and ticket.state is TicketState.extended


def test_objection_within_five_days_of_the_finding_only(engine, knowledge, calendar):
    case, ticket = record(engine, knowledge, calendar, complaint())
    found = MONDAY + timedelta(days=1)
    with new_session(engine) as session:
        verify_case(session, reactions=ledger_reactions(),
                    case_id=case.id, found_true=True, by="x", knowledge=knowledge, now=found)
        session.commit()
    with new_session(engine) as session:
        ticket = session.get(Ticket, ticket.id)
        object_to_finding(session, ticket, reason="当事柜员否认", actor="bank", now=found + timedelta(days=5),
                          knowledge=knowledge)
        with pytest.raises(ObjectionRefused) as refused:
            object_to_finding(session, ticket, reason="再议", actor="bank", now=found + timedelta(days=6),
                              knowledge=knowledge)
    assert "第五十三条" in knowledge.messages.explain(refused.value)


def test_overdue_transfer_tickets_are_escalated_once(engine, knowledge, calendar):
    _, ticket = record(engine, knowledge, calendar, complaint())  # due 2026-11-30
    later = datetime(2026, 12, 1, 9, 0, tzinfo=SH)
    for _ in range(2):
        with new_session(engine) as session:
            escalated = escalate_overdue(session, reactions=ledger_reactions(),
                                         knowledge=knowledge, calendar=calendar, now=later)
            session.commit()
        if _ == 0:
            assert [t.number for t in escalated] == ["DB-20261201-0001"]
            assert escalated[0].kind is TicketKind.supervision and escalated[0].parent_id == ticket.id
        else:
            assert escalated == []
    with new_session(engine) as session:
        events = [d.event for d in session.exec(select(Delivery).order_by(Delivery.created_at))]
        art48 = session.exec(select(ThresholdFiring).where(ThresholdFiring.rule_id == "overdue_tickets")).all()
    assert events == ["ticket.created", "ticket.escalated"]
    assert len(art48) >= 1


def test_provisional_due_dates_become_official_once_the_year_is_configured(engine, knowledge, tmp_path):
    from bot.ledger.escalation import recompute_provisional_due_dates

    folder = tmp_path / "workdays"
    folder.mkdir()
    late_december = datetime(2026, 12, 29, 10, 0, tzinfo=SH)
    _, ticket = record(engine, knowledge, WorkdayCalendar(folder), complaint(), now=late_december)
    # 5 working days from Tuesday 2026-12-29 reach into 2027: weekends-only rule, provisional.
    assert ticket.due_provisional and ticket.due_date == date(2027, 1, 5)
    # A made-up 2027 schedule for the test: 2027-01-04 is declared a holiday.
    (folder / "2027.yml").write_text(
        "source: test\nholidays: [2027-01-01, 2027-01-04]\nmake_up_working_days: []\n", encoding="utf-8")
    with new_session(engine) as session:
        changed = recompute_provisional_due_dates(session, knowledge=knowledge, calendar=WorkdayCalendar(folder),
                                                  now=late_december)
        session.commit()
    assert [t.number for t in changed] == [ticket.number]
    with new_session(engine) as session:
        stored = session.get(Ticket, ticket.id)
    assert not stored.due_provisional
    assert stored.due_date == date(2027, 1, 7)  # 12-30, 12-31, 01-05, 01-06, 01-07: 01-01 and 01-04 are off


def test_a_delivered_ticket_is_marked_delivered_with_its_delivery_id(engine, knowledge, calendar):
    import httpx

    from bot.banks.models import BankAccount
    from bot.forwarding import Dispatcher
    from bot.ledger.models import TicketEvent
    from bot.ledger.tickets import record_delivery

    _, ticket = record(engine, knowledge, calendar, complaint())
    with new_session(engine) as session:
        session.add(BankAccount(bank="中国建设银行", webhook_url="http://bank.test/sbk", api_key_hash="x",
                                api_key_prefix="sbk_test", webhook_secret="s3cret", updated_at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC)))
        session.commit()
    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(204)))
    outcomes = Dispatcher(engine, client=client, on_delivered=record_delivery).run_once()
    assert [o.result for o in outcomes] == ["delivered"]
    with new_session(engine) as session:
        stored = session.get(Ticket, ticket.id)
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                        TicketEvent.type == "delivered")).all()
    assert stored.state is TicketState.delivered
    assert [e.detail["delivery_id"] for e in events] == [str(outcomes[0].delivery_id)]
