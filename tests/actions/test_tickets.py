"""Ticket status: by number, or the citizen's own tickets, in Chinese."""

from __future__ import annotations

from datetime import UTC, datetime

from actions import backoffice
from actions.tickets import ActionTicketStatus
from bot.answers import compose_reply
from bot.db import new_session
from bot.knowledge import get_knowledge
from bot.ledger.cases import record_case
from bot.ledger.models import CaseCreate
from bot.ledger.tickets import acknowledge, report
from bot.nlu.interpret import Interpretation
from bot.reactions import ledger_reactions
from bot.workdays import get_calendar
from tests.actions.conftest import SENDER, message, run, tracker


def complaint(citizen_ref=SENDER, bank="中国建设银行"):
    backoffice.ensure_schema()
    with new_session() as session:
        _, ticket = record_case(session, reactions=ledger_reactions(),
                                data=CaseCreate(kind="complaint", intent="complaint/fees", bank=bank,
                                                         outlet="李村支行", channel="telegram", description="收了工本费",
                                                         citizen_ref=citizen_ref),
                                knowledge=get_knowledge(), calendar=get_calendar(), now=datetime.now(UTC))
        session.commit()
        return ticket


def ask(text, sender=SENDER):
    return run(ActionTicketStatus(), tracker(message(text, "other_ticket_status", 0.95), sender=sender))


def test_by_number(db):
    ticket = complaint()
    events, messages = ask(f"帮我查一下{ticket.number.lower()}")
    assert events == []
    assert messages == [{**messages[0], "response": "utter_ticket_status", "kind": "转办单", "number": ticket.number,
                         "bank": "中国建设银行", "outlet": "李村支行", "state": "已创建",
                         "due": ticket.due_date.isoformat()}]


def test_the_result_is_shown_to_the_citizen_only(db):
    ticket = complaint()
    with new_session() as session:
        stored = session.merge(ticket)
        now = datetime.now(UTC)
        acknowledge(session, stored, actor="bank", now=now)
        report(session, stored, reactions=ledger_reactions(), process="已核实", result="已退还工本费并致歉", actor="bank", now=now,
               knowledge=get_knowledge())
        session.commit()
    _, messages = ask(ticket.number)
    assert messages[0]["state"] == "已反馈结果"
    assert messages[1] == {**messages[1], "response": "utter_ticket_result", "result": "已退还工本费并致歉"}
    _, messages = ask(ticket.number, sender="telegram:999")
    assert [m["response"] for m in messages] == ["utter_ticket_status"]


def test_unknown_number(db):
    backoffice.ensure_schema()
    _, messages = ask("ZB-20200101-0001")
    assert messages == [{**messages[0], "response": "utter_ticket_not_found", "number": "ZB-20200101-0001"}]


def test_own_tickets(db):
    first, second = complaint(), complaint(bank="中国农业银行")
    complaint(citizen_ref="telegram:someone-else")
    _, messages = ask("我的投诉怎么样了")
    assert messages[0] == {**messages[0], "response": "utter_your_tickets", "count": "2"}
    assert [m["number"] for m in messages[1:]] == [second.number, first.number]


def test_no_tickets_asks_for_the_number(db):
    _, messages = ask("我的投诉怎么样了")
    k = get_knowledge()
    expected = compose_reply(Interpretation("", "other", "other/ticket_status", 1.0), k).text
    assert messages == [{**messages[0], "text": expected}]
