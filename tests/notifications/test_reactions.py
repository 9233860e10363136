"""What a citizen who came through Telegram is told as their ticket moves, and how the outbox retries."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from bot.db import new_session
from bot.ledger.cases import record_case, verify_case
from bot.ledger.escalation import escalate_overdue
from bot.ledger.models import CaseCreate, Ticket
from bot.ledger.tickets import report
from bot.notifications import CitizenMessage, due_messages, mark_failed, mark_sent
from bot.reactions import ledger_reactions
from bot.workdays import WorkdayCalendar

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def complaint(**overrides) -> CaseCreate:
    data = dict(kind="complaint", intent="complaint/fees", bank="建行", outlet="李村支行", district="李沧",
                channel="telegram", citizen_ref="telegram:4242", description="补卡收了20元工本费",
                contact_phone="13812345678", consent_to_contact=False)
    return CaseCreate(**{**data, **overrides})


def record(engine, knowledge, data):
    with new_session(engine) as session:
        case, ticket = record_case(session, data=data, knowledge=knowledge, calendar=WorkdayCalendar(), now=MONDAY,
                                   reactions=ledger_reactions())
        session.commit()
    return case, ticket


def texts(engine) -> list[str]:
    with new_session(engine) as session:
        return [m.text for m in session.exec(select(CitizenMessage).order_by(CitizenMessage.id))]


def test_the_citizen_is_told_the_banks_result_through_their_channel(engine, knowledge):
    _, ticket = record(engine, knowledge, complaint())
    with new_session(engine) as session:
        report(session, session.get(Ticket, ticket.id), process="已核实", result="已退还20元工本费",
               actor="bank", now=MONDAY, knowledge=knowledge, reactions=ledger_reactions())
        session.commit()
    with new_session(engine) as session:
        [message] = due_messages(session, channel="telegram", now=MONDAY)
        assert message.citizen_ref == "telegram:4242"
        assert ticket.number in message.text and "已退还20元工本费" in message.text
        assert due_messages(session, channel="console", now=MONDAY) == []
        mark_failed(session, message, error="telegram unreachable", now=MONDAY)
        session.commit()
        assert due_messages(session, channel="telegram", now=MONDAY) == []  # waits before retrying
        later = MONDAY + timedelta(hours=2)
        [again] = due_messages(session, channel="telegram", now=later)
        mark_sent(session, again, now=later)
        session.commit()
        assert due_messages(session, channel="telegram", now=later + timedelta(days=1)) == []
        assert session.exec(select(func.count()).select_from(CitizenMessage)).one() == 1


def test_the_finding_is_told_once_in_words_not_codes(engine, knowledge):
    """Escalated, the case has a transfer and a supervision ticket; the citizen hears the finding once."""
    case, ticket = record(engine, knowledge, complaint())
    with new_session(engine) as session:
        [supervision] = escalate_overdue(session, knowledge=knowledge, calendar=WorkdayCalendar(),
                                         now=datetime(2026, 12, 1, 9, 0, tzinfo=SH), reactions=ledger_reactions())
        report(session, session.get(Ticket, ticket.id), process="已核实", result="已退还", actor="bank",
               now=datetime(2026, 12, 2, 9, 0, tzinfo=SH), knowledge=knowledge, reactions=ledger_reactions())
        verify_case(session, case_id=case.id, found_true=False, by="李沧区经办机构", knowledge=knowledge,
                    now=datetime(2026, 12, 3, 9, 0, tzinfo=SH), reactions=ledger_reactions())
        session.commit()
    escalated, result, finding = texts(engine)
    assert supervision.number in escalated and supervision.due_date.isoformat() in escalated
    assert "已退还" in result
    assert ticket.number in finding and "情况不实" in finding and "not_true" not in finding


def test_a_case_taken_by_phone_has_no_one_to_push_to(engine, knowledge):
    case, ticket = record(engine, knowledge, complaint(channel="hotline_12333", citizen_ref=None))
    with new_session(engine) as session:
        report(session, session.get(Ticket, ticket.id), process="已核实", result="已退还", actor="bank", now=MONDAY,
               knowledge=knowledge, reactions=ledger_reactions())
        verify_case(session, case_id=case.id, found_true=True, by="x", knowledge=knowledge, now=MONDAY,
                    reactions=ledger_reactions())
        session.commit()
    assert texts(engine) == []
