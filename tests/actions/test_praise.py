"""Praise intake: who and what they did; corrections and the confirmation they bring; forwarded
when a bank is named, recorded either way."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from sqlmodel import select

from actions import backoffice
from actions.praise import ActionAskPraiseConfirmed, ActionSubmitPraise, ValidatePraiseForm
from bot.db import new_session
from bot.ledger.models import Case, Ticket
from tests.actions.conftest import SENDER, entity, message, run, tracker

REQUESTED = "requested_slot"
ACTIVATED = [{"event": "active_loop", "name": "praise_form"}]
EMPTY = {"praise_subject": None, "praise_description": None, "bank": None, "outlet": None, "praise_review": None,
         "praise_confirmed": None}
# Whom and where told, what they did still asked for.
TOLD = {"praise_subject": "工行李村支行的小王", "bank": "中国工商银行", "outlet": "李村支行"}
# Corrected once and told in full: the form asks for the confirmation.
REVIEWED = {**TOLD, "praise_description": "耐心帮我激活了卡", "praise_review": "summary"}


def validate(parse, *, slots=None, after=(), requested=None):
    slots = {**EMPTY, **(slots or {}), REQUESTED: requested}
    return run(ValidatePraiseForm(), tracker(parse, slots=slots, after=list(after), active_loop="praise_form"))


def test_the_first_message_names_whom():
    text = "中行浮山后支行的小刘服务特别好"
    parse = message(text, "praise", 0.86, [entity(text, "bank", "中行", "中国银行"), entity(text, "outlet", "浮山后支行")])
    events, _ = validate(parse, after=ACTIVATED)
    assert events == [SlotSet("intake_cancelled", None), SlotSet("praise_subject", text),
                      SlotSet("praise_description", None), SlotSet("bank", "中国银行"), SlotSet("outlet", "浮山后支行"),
                      SlotSet("praise_review", None), SlotSet("praise_confirmed", None),
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


# --------------------------------------------------------------------------- corrections


def test_the_first_message_keeps_the_bank_it_says_is_right():
    text = "表扬一下，不是工行，是农行的王姐"
    parse = message(text, "praise", 0.8, [entity(text, "bank", "工行", "中国工商银行")])
    events, _ = validate(parse, after=ACTIVATED)
    assert SlotSet("bank", "中国农业银行") in events and SlotSet("bank", "中国工商银行") not in events


@pytest.mark.parametrize(("text", "named", "bank"), [
    ("不是工行，是农行", "工行", "中国农业银行"),
    ("银行说错了，是建行", "建行", "中国建设银行"),
])
def test_a_bank_corrected_while_the_praise_is_told(text, named, bank):
    """The bank changes, the message is not taken for what they did, and that question is asked again."""
    parse = message(text, "other_deny", 0.5, [entity(text, "bank", named, "中国工商银行" if named == "工行" else bank)])
    events, messages = validate(parse, slots=TOLD, requested="praise_description")
    assert events == [SlotSet("bank", bank), SlotSet("praise_review", "summary"), SlotSet(REQUESTED, "praise_description")]
    assert messages == []


def test_an_outlet_corrected_in_words_is_the_one_after_shi():
    text = "网点不是李村是浮山后"
    parse = message(text, "other_deny", 0.4, [entity(text, "outlet", "李村")])
    events, _ = validate(parse, slots=TOLD, requested="praise_description")
    assert events == [SlotSet("outlet", "浮山后"), SlotSet("praise_review", "summary"),
                      SlotSet(REQUESTED, "praise_description")]


def test_after_a_correction_the_praise_waits_for_the_confirmation():
    events, _ = validate(message("她耐心帮我激活了卡", "praise", 0.7),
                         slots={**TOLD, "bank": "中国农业银行", "praise_review": "summary"}, requested="praise_description")
    assert events == [SlotSet("praise_description", "她耐心帮我激活了卡"), SlotSet(REQUESTED, "praise_confirmed")]


def test_a_praise_that_says_bu_shi_in_passing_is_the_praise():
    """"不是" is a correction word, but naming the bank already held corrects nothing: the text is what they did."""
    text = "不是我夸张，工行李村支行的小王特别耐心"
    parse = message(text, "praise", 0.9, [entity(text, "bank", "工行", "中国工商银行"), entity(text, "outlet", "李村支行")])
    events, _ = validate(parse, slots=TOLD, requested="praise_description")
    assert events == [SlotSet("praise_description", text), SlotSet(REQUESTED, None)]


def test_the_summary_shows_what_will_be_sent_and_to_which_bank():
    slots = {**REVIEWED, "bank": "中国农业银行", "praise_description": "她耐心帮我激活了卡，电话13912345678"}
    _, messages = run(ActionAskPraiseConfirmed(), tracker(message("不是工行，是农行", "other_deny"), slots=slots))
    assert len(messages) == 1
    assert messages[0] == {**messages[0], "response": "utter_praise_summary", "bank": "中国农业银行",
                           "outlet": "李村支行",
                           "description": "工行李村支行的小王；她耐心帮我激活了卡，电话139****5678"}
    _, messages = run(ActionAskPraiseConfirmed(), tracker(message("不对", "other_deny"), slots={
        **REVIEWED, "bank": None, "outlet": "不记得了", "praise_subject": "窗口的小刘"}))
    assert messages[0] == {**messages[0], "response": "utter_praise_summary_no_bank", "outlet": "未说明",
                           "description": "窗口的小刘；耐心帮我激活了卡"}


def test_a_correction_at_the_confirmation_changes_the_answer_and_shows_the_summary_again():
    text = "银行说错了，不是工行，是农行"
    parse = message(text, "other_deny", 0.5, [entity(text, "bank", "工行", "中国工商银行")])
    events, _ = validate(parse, slots=REVIEWED, requested="praise_confirmed")
    assert events == [SlotSet("bank", "中国农业银行"), SlotSet("praise_review", "summary"),
                      SlotSet(REQUESTED, "praise_confirmed")]
    # there no correction word is needed: naming another bank is the change
    events, _ = validate(message("建行", "other_affirm", 0.3, [entity("建行", "bank", "建行", "中国建设银行")]),
                         slots=REVIEWED, requested="praise_confirmed")
    assert events == [SlotSet("bank", "中国建设银行"), SlotSet("praise_review", "summary"),
                      SlotSet(REQUESTED, "praise_confirmed")]


def test_no_at_the_confirmation_asks_only_what_to_change():
    events, messages = validate(message("不对", "other_deny", 0.98), slots=REVIEWED, requested="praise_confirmed")
    assert events == [SlotSet("praise_review", "what_to_change"), SlotSet(REQUESTED, "praise_confirmed")]
    assert messages == []
    asked = {**REVIEWED, "praise_review": "what_to_change"}
    _, messages = run(ActionAskPraiseConfirmed(), tracker(message("不对", "other_deny"), slots=asked))
    assert [m["response"] for m in messages] == ["utter_praise_what_to_correct"]  # not the summary too
    text = "网点改成浮山后支行"
    events, _ = validate(message(text, "other_deny", 0.4, [entity(text, "outlet", "浮山后支行")]), slots=asked,
                         requested="praise_confirmed")
    assert events == [SlotSet("outlet", "浮山后支行"), SlotSet("praise_review", "summary"),
                      SlotSet(REQUESTED, "praise_confirmed")]


def test_confirm_sends_and_an_unclear_reply_shows_the_summary_again():
    events, _ = validate(message("确认", "other_affirm", 0.91), slots=REVIEWED, requested="praise_confirmed")
    assert events == [SlotSet("praise_confirmed", True), SlotSet(REQUESTED, None)]
    events, messages = validate(message("周末也开门", "nlu_fallback", 0.2),
                                slots={**REVIEWED, "praise_review": "what_to_change"}, requested="praise_confirmed")
    assert events == [SlotSet("praise_review", "summary"), SlotSet(REQUESTED, "praise_confirmed")]
    assert messages == []


@pytest.mark.parametrize(("requested", "slots"), [
    ("praise_subject", {}),
    ("praise_description", TOLD),
])
def test_a_phone_number_is_not_a_praise(requested, slots):
    events, messages = validate(message("我的电话是139 1234 5678", "nlu_fallback", 0.3), slots=slots,
                                requested=requested)
    assert events == [SlotSet(requested, None), SlotSet(REQUESTED, requested)]
    assert [m["response"] for m in messages] == ["utter_praise_no_phone"]


def test_a_phone_number_at_the_confirmation_is_refused_not_taken_for_a_yes():
    events, messages = validate(message("13912345678", "other_affirm", 0.9), slots=REVIEWED,
                                requested="praise_confirmed")
    assert events == [SlotSet("praise_review", "summary"), SlotSet(REQUESTED, "praise_confirmed")]
    assert [m["response"] for m in messages] == ["utter_praise_no_phone"]


def test_a_praise_that_mentions_a_number_stays_the_citizens_words():
    text = "她把网点电话13912345678写给我，让我有问题随时打，特别负责"
    events, messages = validate(message(text, "praise", 0.8), slots=TOLD, requested="praise_description")
    assert events == [SlotSet("praise_description", text), SlotSet(REQUESTED, None)] and messages == []


def test_a_corrected_praise_is_recorded_with_the_corrected_bank_once_confirmed(db):
    events, messages = submit({**REVIEWED, "bank": "中国农业银行", "outlet": "浮山后", "praise_confirmed": True})
    assert events == RESET
    with new_session() as session:
        case, ticket = session.exec(select(Case)).one(), session.exec(select(Ticket)).one()
    assert (case.bank, case.outlet, ticket.bank) == ("中国农业银行", "浮山后", "中国农业银行")
    assert messages[0]["response"] == "utter_praise_forwarded"


def test_a_corrected_praise_never_goes_out_unconfirmed(db):
    _, messages = submit({**REVIEWED, "bank": "中国农业银行"})
    assert [m["response"] for m in messages] == ["utter_praise_cancelled"]
    backoffice.ensure_schema()
    with new_session() as session:
        assert session.exec(select(Case)).all() == []
