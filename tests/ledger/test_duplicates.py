"""Duplicates: a second complaint about a matter an open ticket carries joins that ticket — one
ticket and one delivery for the bank, one count toward Art. 43–48, one number for both citizens."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot.db import new_session
from bot.forwarding.models import Delivery
from bot.ledger.cases import record_case, verify_case
from bot.ledger.models import Case, CaseCreate, Ticket, TicketEvent, TicketState
from bot.ledger.similarity import similarity
from bot.ledger.tickets import acknowledge, citizen_tickets, report
from bot.reactions import ledger_reactions
from bot.thresholds import WARNING, evaluate
from bot.thresholds.models import ThresholdFiring
from bot.workdays import WorkdayCalendar

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
FORCED = "强制我购买理财产品才给办社保卡，柜员说不买就不给办"


@pytest.fixture
def calendar():
    return WorkdayCalendar()


def complaint(**overrides) -> CaseCreate:
    data = dict(kind="complaint", intent="complaint/forced_selling", bank="建行", outlet="李村支行",
                district="李沧", channel="hotline_12345", description=FORCED, contact_phone="13812345678",
                consent_to_contact=False)
    return CaseCreate(**{**data, **overrides})


def record(engine, knowledge, calendar, data, now=MONDAY):
    with new_session(engine) as session:
        case, ticket = record_case(session, reactions=ledger_reactions(), data=data, knowledge=knowledge,
                                   calendar=calendar, now=now)
        session.commit()
        return case, ticket


def count(engine, model) -> int:
    with new_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def warnings_counted(engine, rule_id="forced_selling") -> list[ThresholdFiring]:
    with new_session(engine) as session:
        return list(session.exec(select(ThresholdFiring).where(ThresholdFiring.rule_id == rule_id,
                                                               ThresholdFiring.level == WARNING)))


def test_the_same_phone_again_joins_the_open_ticket_across_channels(engine, knowledge, calendar):
    first, ticket = record(engine, knowledge, calendar, complaint())
    # The same citizen in Telegram two days later, other words, the number typed differently.
    second, joined = record(engine, knowledge, calendar,
                            complaint(channel="telegram", description="上次反映的事还没人管", intent="complaint/fees",
                                      contact_phone="13812345678", citizen_ref="telegram:42"),
                            now=MONDAY + timedelta(days=2))
    assert joined.number == ticket.number  # both citizens are told this number
    assert second.duplicate_of == first.id and first.duplicate_of is None
    assert (count(engine, Ticket), count(engine, Delivery)) == (1, 1)
    # Art. 47 fires once per case: the duplicate is not a second matter.
    assert [f.case_ids for f in warnings_counted(engine)] == [[first.id]]
    with new_session(engine) as session:
        linked = session.exec(select(TicketEvent).where(TicketEvent.type == "linked")).one()
        total, tickets = citizen_tickets(session, citizen_ref="telegram:42", limit=5)
    assert linked.ticket_id == ticket.id
    assert linked.detail == {"case": second.id, "channel": "telegram", "rule": "same_citizen",
                             "first_case": first.id}
    assert "13812345678" not in str(linked.detail)
    # The Telegram citizen finds the ticket among their own.
    assert total == 1 and [t.number for t in tickets] == [ticket.number]


def test_the_same_chat_without_a_phone_is_the_same_citizen(engine, knowledge, calendar):
    _, ticket = record(engine, knowledge, calendar, complaint(contact_phone=None, citizen_ref="telegram:7",
                                                              channel="telegram"))
    _, joined = record(engine, knowledge, calendar,
                       complaint(contact_phone=None, citizen_ref="telegram:7", channel="telegram",
                                 outlet=None, description="还是那件事"), now=MONDAY + timedelta(hours=3))
    assert joined.id == ticket.id and count(engine, Ticket) == 1


def test_another_citizen_with_similar_words_at_the_same_outlet_joins(engine, knowledge, calendar):
    first, ticket = record(engine, knowledge, calendar, complaint())
    second, joined = record(engine, knowledge, calendar,
                            complaint(contact_phone="13900001111", channel="telegram",
                                      description="在李村支行办社保卡，柜员强制我购买理财产品"),
                            now=MONDAY + timedelta(days=6, hours=23))
    assert joined.id == ticket.id and second.duplicate_of == first.id
    assert (count(engine, Ticket), count(engine, Delivery)) == (1, 1)
    with new_session(engine) as session:
        linked = session.exec(select(TicketEvent).where(TicketEvent.type == "linked")).one()
    assert linked.detail["rule"] == "similar_text"
    assert linked.detail["similarity"] >= knowledge.rules.duplicates.similar_text.min_similarity


@pytest.mark.parametrize("overrides, later", [
    ({"description": "柜员态度恶劣，大声呵斥老人"}, timedelta(days=1)),  # other words: another matter
    ({}, timedelta(days=8)),  # past the 7-day window
    ({"outlet": "香港中路支行"}, timedelta(days=1)),  # another outlet
    ({"intent": "complaint/fees"}, timedelta(days=1)),  # another complaint type
    ({"bank": "工行"}, timedelta(days=1)),  # another bank
])
def test_not_the_same_matter_opens_its_own_ticket(engine, knowledge, calendar, overrides, later):
    _, ticket = record(engine, knowledge, calendar, complaint())
    second, own = record(engine, knowledge, calendar,
                         complaint(contact_phone="13900001111", **overrides), now=MONDAY + later)
    assert own.id != ticket.id and second.duplicate_of is None
    assert (count(engine, Ticket), count(engine, Delivery)) == (2, 2)


def test_the_same_phone_after_the_window_or_about_another_bank_is_a_new_matter(engine, knowledge, calendar):
    _, ticket = record(engine, knowledge, calendar, complaint())
    _, other_bank = record(engine, knowledge, calendar, complaint(bank="工行"), now=MONDAY + timedelta(days=1))
    _, later = record(engine, knowledge, calendar, complaint(), now=MONDAY + timedelta(days=8))
    assert len({ticket.id, other_bank.id, later.id}) == 3


def test_a_ticket_already_answered_is_not_joined(engine, knowledge, calendar):
    first, ticket = record(engine, knowledge, calendar, complaint())
    with new_session(engine) as session:
        stored = session.get(Ticket, ticket.id)
        acknowledge(session, stored, actor="bank", now=MONDAY + timedelta(hours=1))
        report(session, stored, process="已核查", result="已向客户道歉并退还", actor="bank",
               now=MONDAY + timedelta(hours=2), knowledge=knowledge, reactions=ledger_reactions())
        verify_case(session, case_id=first.id, found_true=True, by="city", knowledge=knowledge,
                    now=MONDAY + timedelta(hours=3), reactions=ledger_reactions())
        stored.state = TicketState.closed
        session.add(stored)
        session.commit()
    second, own = record(engine, knowledge, calendar, complaint(), now=MONDAY + timedelta(days=1))
    assert own.id != ticket.id and second.duplicate_of is None


def test_a_duplicate_is_counted_once_by_the_monthly_rules(engine, knowledge, calendar):
    # Art. 46's early warning: 5 received complaints about a bank in a month. Four matters, one of
    # them called in twice, stay below it.
    for i, phone in enumerate(["13800000001", "13800000002", "13800000003", "13800000004", "13800000001"]):
        record(engine, knowledge, calendar,
               complaint(intent="complaint/fees", contact_phone=phone, outlet=None,
                         description=f"收费问题第{i}次"), now=MONDAY + timedelta(hours=i))
    assert (count(engine, Case), count(engine, Ticket)) == (5, 4)
    assert warnings_counted(engine, "bank_complaint_volume") == []
    with new_session(engine) as session:
        assert evaluate(session, bank="中国建设银行", at=MONDAY, now=MONDAY, knowledge=knowledge) == []


@pytest.mark.unit
def test_similarity_reads_words_not_characters(knowledge):
    assert similarity(FORCED, "李村支行办社保卡时柜员强制购买理财产品", knowledge) >= 0.6
    assert similarity(FORCED, "柜员态度恶劣，大声呵斥老人", knowledge) < 0.6
    assert similarity("", FORCED, knowledge) == 0.0


@pytest.mark.unit
def test_the_tests_distinct_fee_complaints_are_distinct_matters(knowledge):
    from itertools import combinations

    from tests.matters import FEE_COMPLAINTS
    threshold = knowledge.rules.duplicates.similar_text.min_similarity
    assert all(similarity(a, b, knowledge) < threshold for a, b in combinations(FEE_COMPLAINTS, 2))


def test_both_citizens_hear_the_result_of_the_one_ticket(engine, knowledge, calendar):
    from bot.notifications.models import CitizenMessage

    _, ticket = record(engine, knowledge, calendar, complaint(channel="telegram", citizen_ref="telegram:1",
                                                              contact_phone=None))
    record(engine, knowledge, calendar,
           complaint(channel="telegram", citizen_ref="telegram:2", contact_phone=None,
                     description="李村支行柜员强制我购买理财产品，不买不给办社保卡"), now=MONDAY + timedelta(days=1))
    with new_session(engine) as session:
        stored = session.get(Ticket, ticket.id)
        report(session, stored, process="已核查", result="已向客户道歉", actor="bank",
               now=MONDAY + timedelta(days=2), knowledge=knowledge, reactions=ledger_reactions())
        session.commit()
        told = session.exec(select(CitizenMessage.citizen_ref, CitizenMessage.text)
                            .order_by(CitizenMessage.citizen_ref)).all()
    assert [ref for ref, _ in told] == ["telegram:1", "telegram:2"]
    assert all(ticket.number in text and "已向客户道歉" in text for _, text in told)


def test_the_same_citizen_twice_at_the_same_moment_gets_one_ticket(engine, knowledge, calendar):
    import threading

    for round_ in range(5):
        barrier = threading.Barrier(2, timeout=30)
        numbers: list[str] = []
        errors: list[BaseException] = []
        at = MONDAY + timedelta(days=10 * round_)

        def writer(channel: str) -> None:
            try:
                with new_session(engine) as session:
                    barrier.wait()
                    _, ticket = record_case(session, reactions=ledger_reactions(), knowledge=knowledge,
                                            calendar=calendar, now=at,
                                            data=complaint(channel=channel, contact_phone=f"1381234{round_:04d}"))
                    session.commit()
                    numbers.append(ticket.number)
            except BaseException as exc:  # noqa: BLE001 - reported in the main thread
                errors.append(exc)
                barrier.abort()

        threads = [threading.Thread(target=writer, args=(c,)) for c in ("hotline_12345", "telegram")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        assert len(numbers) == 2 and numbers[0] == numbers[1], round_
    assert (count(engine, Ticket), count(engine, Delivery), count(engine, Case)) == (5, 5, 10)


def test_the_monthly_report_counts_the_matter_once(engine, knowledge, calendar):
    from bot.reports import month_report

    record(engine, knowledge, calendar, complaint())
    record(engine, knowledge, calendar, complaint(channel="telegram", description="还是那件事"),
           now=MONDAY + timedelta(days=1))
    record(engine, knowledge, calendar, complaint(contact_phone="13900001111", description="柜员态度恶劣"),
           now=MONDAY + timedelta(days=2))
    with new_session(engine) as session:
        report = month_report(session, month="2026-11", knowledge=knowledge, calendar=calendar,
                              now=MONDAY + timedelta(days=3))
    assert report.totals["complaints"].total == 2
