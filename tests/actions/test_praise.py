"""Praise intake: who and what they did; forwarded when a bank is named, recorded either way."""

from __future__ import annotations

from rasa_sdk.events import SlotSet
from sqlmodel import select

from actions import backoffice
from actions.praise import ActionSubmitPraise, ValidatePraiseForm
from bot.db import new_session
from bot.ledger.models import Case, Ticket
from tests.actions.conftest import SENDER, entity, message, run, tracker

REQUESTED = "requested_slot"
ACTIVATED = [{"event": "active_loop", "name": "praise_form"}]
EMPTY = {"praise_subject": None, "praise_description": None, "bank": None, "outlet": None}


def validate(parse, *, slots=None, after=(), requested=None):
    slots = {**EMPTY, **(slots or {}), REQUESTED: requested}
    return run(ValidatePraiseForm(), tracker(parse, slots=slots, after=list(after), active_loop="praise_form"))


def test_the_first_message_names_whom():
    text = "中行浮山后支行的小刘服务特别好"
    parse = message(text, "praise", 0.86, [entity(text, "bank", "中行", "中国银行"), entity(text, "outlet", "浮山后支行")])
    events, _ = validate(parse, after=ACTIVATED)
    assert events == [SlotSet("intake_cancelled", None), SlotSet("praise_subject", text),
                      SlotSet("praise_description", None), SlotSet("bank", "中国银行"), SlotSet("outlet", "浮山后支行"),
                      SlotSet(REQUESTED, "praise_description")]


def test_whom_and_what_are_asked_for():
    events, _ = validate(message("我要表扬一个工作人员", "praise", 0.84), after=ACTIVATED)
    assert events[-1] == SlotSet(REQUESTED, "praise_subject")
    text = "农行山东路支行的王姐"
    events, _ = validate(message(text, "praise", 0.6, [entity(text, "bank", "农行", "中国农业银行")]),
                         requested="praise_subject")
    assert events == [SlotSet("bank", "中国农业银行"), SlotSet("praise_subject", text),
                      SlotSet(REQUESTED, "praise_description")]
    events, _ = validate(message("她耐心帮我激活了卡", "inquiry_activate", 0.59), slots={"praise_subject": text},
                         requested="praise_description")
    assert events == [SlotSet("praise_description", "她耐心帮我激活了卡"), SlotSet(REQUESTED, None)]


def test_a_question_interrupts_and_cancel_ends():
    events, _ = validate(message("怎么激活社保卡？", "inquiry_activate", 1.0), requested="praise_subject")
    assert events == [SlotSet(REQUESTED, "praise_subject")]
    events, _ = validate(message("算了", "other_deny", 0.85), requested="praise_description")
    assert events == [SlotSet("intake_cancelled", True), SlotSet(REQUESTED, None)]


RESET = [SlotSet(n, None) for n in (*EMPTY, "intake_cancelled")]


def submit(slots):
    return run(ActionSubmitPraise(), tracker(message("她很耐心", "praise", 0.7), slots=slots))


def test_praise_with_a_bank_is_forwarded(db):
    events, messages = submit({"praise_subject": "农行山东路支行的王姐", "praise_description": "耐心帮我激活了卡",
                               "bank": "中国农业银行", "outlet": "山东路支行"})
    assert events == RESET
    with new_session() as session:
        case, ticket = session.exec(select(Case)).one(), session.exec(select(Ticket)).one()
    assert (case.kind.value, case.intent, case.bank, case.outlet, case.citizen_ref) == (
        "praise", "praise", "中国农业银行", "山东路支行", SENDER)
    assert case.description == "农行山东路支行的王姐\n耐心帮我激活了卡"
    assert messages == [{**messages[0], "response": "utter_praise_forwarded", "bank": "中国农业银行",
                         "ticket": ticket.number}]


def test_praise_without_a_bank_is_recorded_without_a_ticket(db):
    _, messages = submit({"praise_subject": "那个王姐", "praise_description": "那个王姐"})
    assert [m["response"] for m in messages] == ["utter_praise_recorded"]
    with new_session() as session:
        assert session.exec(select(Case)).one().description == "那个王姐"
        assert session.exec(select(Ticket)).all() == []


def test_cancelled_praise_records_nothing(db):
    _, messages = submit({"praise_subject": "那个王姐", "intake_cancelled": True})
    assert [m["response"] for m in messages] == ["utter_praise_cancelled"]
    backoffice.ensure_schema()
    with new_session() as session:
        assert session.exec(select(Case)).all() == []
