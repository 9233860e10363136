"""Complaint intake: the form's reading of each message, the confirmation, the transfer ticket."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from rasa_sdk.events import SlotSet
from sqlmodel import select

import bot.db.engine
import bot.settings
from actions import backoffice
from actions.complaint_form import (
    ActionAskBank,
    ActionAskComplaintConfirmed,
    ActionAskComplaintIntent,
    ActionSubmitComplaint,
    ValidateComplaintForm,
)
from bot.db import new_session
from bot.ledger.models import Case, Ticket
from bot.ledger.tickets import local_day
from bot.workdays import get_calendar
from tests.actions.conftest import SENDER, entity, message, run, tracker

ROOT = Path(__file__).resolve().parents[2]
REQUESTED = "requested_slot"
ACTIVATED = [{"event": "active_loop", "name": "complaint_form"}]
EMPTY = {name: None for name in ("complaint_intent", "bank", "outlet", "incident_time", "description",
                                 "wants_contact", "phone", "complaint_confirmed")}
FILLED = {"complaint_intent": "complaint/attitude", "bank": "中国建设银行", "outlet": "李村支行",
          "incident_time": "11月20日上午", "description": "柜员态度太差了，一直玩手机", "wants_contact": True,
          "phone": "13912345678", "complaint_confirmed": None, "intake_cancelled": None}


def validate(parse, *, slots=None, after=(), requested=None):
    slots = {**EMPTY, **(slots or {}), REQUESTED: requested}
    return run(ValidateComplaintForm(), tracker(parse, slots=slots, after=list(after), active_loop="complaint_form"))


def form_slots(events):
    return {e["name"]: e["value"] for e in events}


def test_the_first_message_fills_what_it_says():
    text = "建行李村支行的柜员态度太差了"
    parse = message(text, "complaint_attitude", 0.9,
                    [entity(text, "bank", "建行", "中国建设银行"), entity(text, "outlet", "李村支行")])
    events, messages = validate(parse, after=ACTIVATED)
    assert events == [
        SlotSet("intake_cancelled", None),
        SlotSet("complaint_intent", "complaint/attitude"), SlotSet("bank", "中国建设银行"), SlotSet("outlet", "李村支行"),
        SlotSet("incident_time", None), SlotSet("description", text), SlotSet("wants_contact", None),
        SlotSet("phone", None), SlotSet("complaint_confirmed", None),
        SlotSet(REQUESTED, "incident_time"),
    ]
    assert messages == []


def test_a_short_first_message_leaves_the_rest_to_ask():
    events, _ = validate(message("投诉乱收费", "complaint_fees", 0.6), after=ACTIVATED)
    slots = form_slots(events)
    assert slots["complaint_intent"] == "complaint/fees" and slots["description"] is None
    assert slots[REQUESTED] == "bank"


def test_unknown_kind_is_asked_with_a_button_per_complaint_intent(k):
    text = "我想投诉一下建行"
    events, _ = validate(message(text, "complaint_unspecified", 0.9, [entity(text, "bank", "建行", "中国建设银行")]),
                         after=ACTIVATED)
    assert form_slots(events)["complaint_intent"] is None and form_slots(events)["bank"] == "中国建设银行"
    assert form_slots(events)[REQUESTED] == "complaint_intent"
    _, messages = run(ActionAskComplaintIntent(), tracker(message("我要投诉", "other_ticket_status")))
    assert messages[0]["response"] == "utter_ask_complaint_intent"
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/" + i.rasa_name for i in k.specific_intents_in("complaint")]
    events, _ = validate(message("/complaint_fees", "complaint_fees", 1.0), requested="complaint_intent")
    assert events == [SlotSet("complaint_intent", "complaint/fees"), SlotSet(REQUESTED, "bank")]
    events, _ = validate(message("乱收费", "nlu_fallback", 0.2), requested="complaint_intent")
    assert events == [SlotSet("complaint_intent", "complaint/fees"), SlotSet(REQUESTED, "bank")]


def test_bank_answers(k):
    _, messages = run(ActionAskBank(), tracker(message("x", "nlu_fallback")))
    assert [b["payload"] for b in messages[0]["buttons"]] == [b.name for b in k.banks]
    events, _ = validate(message("农行", "other_affirm", 0.16, [entity("农行", "bank", "农行", "中国农业银行")]),
                         slots={"complaint_intent": "complaint/fees"}, requested="bank")
    assert events == [SlotSet("bank", "中国农业银行"), SlotSet(REQUESTED, "outlet")]


def test_a_bank_that_is_not_a_partner_is_refused(k):
    events, messages = validate(message("招商银行", "other_affirm", 0.2), slots={"complaint_intent": "complaint/fees"},
                                requested="bank")
    assert events == [SlotSet("bank", None), SlotSet(REQUESTED, "bank")]
    assert messages[0]["response"] == "utter_not_partner_bank"
    assert messages[0]["answer"] == "招商银行"
    assert messages[0]["banks"] == "、".join(b.name for b in k.banks)


def test_free_text_answers_are_the_citizens_words():
    base = {"complaint_intent": "complaint/attitude", "bank": "中国建设银行"}
    events, _ = validate(message("不记得了", "other_deny", 0.2), slots=base, requested="outlet")
    assert events == [SlotSet("outlet", "不记得了"), SlotSet(REQUESTED, "incident_time")]
    events, _ = validate(message("上午十点左右", "inquiry_outlets", 0.61), slots={**base, "outlet": "李村支行"},
                         requested="incident_time")
    assert events == [SlotSet("incident_time", "上午十点左右"), SlotSet(REQUESTED, "description")]


def test_small_talk_is_not_a_description():
    slots = {**FILLED, "description": None, "wants_contact": None, "phone": None}
    events, messages = validate(message("谢谢", "other_thanks", 1.0), slots=slots, requested="description")
    assert events == [SlotSet("description", None), SlotSet(REQUESTED, "description")]
    assert messages[0]["response"] == "utter_need_more_text"


def test_correction_of_an_earlier_answer():
    text = "不对，是农行"
    parse = message(text, "other_deny", 0.36, [entity(text, "bank", "农行", "中国农业银行")])
    slots = {**FILLED, "incident_time": None, "description": None, "wants_contact": None, "phone": None}
    events, _ = validate(parse, slots=slots, requested="incident_time")
    assert events == [SlotSet("bank", "中国农业银行"), SlotSet(REQUESTED, "incident_time")]
    # at the confirmation step too: the summary is shown again
    events, _ = validate(parse, slots=FILLED, requested="complaint_confirmed")
    assert events == [SlotSet("bank", "中国农业银行"), SlotSet(REQUESTED, "complaint_confirmed")]


def test_a_question_in_the_middle_is_let_go_and_not_read_again():
    parse = message("社保卡丢了怎么办？", "inquiry_report_loss", 0.95)
    slots = {"complaint_intent": "complaint/attitude"}
    events, messages = validate(parse, slots=slots, requested="bank")
    assert events == [SlotSet(REQUESTED, "bank")] and messages == []  # no slot: Rasa rejects the form
    # free text: only a question interrupts, a statement is the answer
    slots = {**FILLED, "description": None, "wants_contact": None, "phone": None}
    events, _ = validate(parse, slots=slots, requested="description")
    assert events == [SlotSet(REQUESTED, "description")]
    # back in the form after action_answer: the message is not read as an answer
    after = [{"event": "action_execution_rejected", "name": "complaint_form"}, {"event": "action", "name": "action_answer"}]
    events, _ = validate(parse, slots={"complaint_intent": "complaint/attitude"}, requested="bank", after=after)
    assert events == [SlotSet(REQUESTED, "bank")]


def test_a_request_for_a_person_interrupts_but_a_vague_answer_does_not():
    slots = {**FILLED, "description": None, "wants_contact": None, "phone": None}
    events, _ = validate(message("转人工", "other_handoff", 1.0), slots=slots, requested="description")
    assert events == [SlotSet(REQUESTED, "description")]
    events, _ = validate(message("一个工作人员", "other_handoff", 0.57), slots=slots, requested="description")
    assert events == [SlotSet("description", "一个工作人员"), SlotSet(REQUESTED, "wants_contact")]


@pytest.mark.parametrize("text", ["算了", "取消", "算了不投诉了", "取消投诉"])
def test_cancel_at_any_step(text):
    events, _ = validate(message(text, "other_deny", 0.8), slots={"complaint_intent": "complaint/fees"},
                         requested="bank")
    assert events == [SlotSet("intake_cancelled", True), SlotSet(REQUESTED, None)]


def test_contact_and_phone():
    slots = {**FILLED, "wants_contact": None, "phone": None}
    events, _ = validate(message("需要回电", "nlu_fallback", 0.1), slots=slots, requested="wants_contact")
    assert events == [SlotSet("wants_contact", True), SlotSet(REQUESTED, "phone")]
    events, _ = validate(message("不需要", "other_deny", 0.9), slots=slots, requested="wants_contact")
    assert events == [SlotSet("wants_contact", False), SlotSet(REQUESTED, "complaint_confirmed")]
    events, _ = validate(message("要，13912345678", "other_affirm", 0.5), slots=slots, requested="wants_contact")
    assert events == [SlotSet("wants_contact", True), SlotSet("phone", "13912345678"),
                      SlotSet(REQUESTED, "complaint_confirmed")]
    events, messages = validate(message("123456", "nlu_fallback", 0.1), slots={**slots, "wants_contact": True},
                                requested="phone")
    assert events == [SlotSet("phone", None), SlotSet(REQUESTED, "phone")]
    assert messages[0]["response"] == "utter_invalid_phone"
    events, _ = validate(message("不留了", "other_deny", 0.9), slots={**slots, "wants_contact": True},
                         requested="phone")
    assert events == [SlotSet("wants_contact", False), SlotSet("phone", None),
                      SlotSet(REQUESTED, "complaint_confirmed")]


def test_the_confirmation_shows_everything_with_the_phone_masked():
    _, messages = run(ActionAskComplaintConfirmed(), tracker(message("13912345678", "nlu_fallback"), slots=FILLED))
    assert messages[0] == {**messages[0], "response": "utter_complaint_summary", "category": "服务态度",
                           "bank": "中国建设银行", "outlet": "李村支行", "incident_time": "11月20日上午",
                           "description": "柜员态度太差了，一直玩手机", "phone_masked": "139****5678"}
    assert "13912345678" not in str(messages)
    _, messages = run(ActionAskComplaintConfirmed(),
                      tracker(message("不需要", "other_deny"), slots={**FILLED, "wants_contact": False, "phone": None}))
    assert messages[0]["response"] == "utter_complaint_summary_no_contact"


def test_confirm_or_not():
    events, _ = validate(message("确认", "other_affirm", 0.91), slots=FILLED, requested="complaint_confirmed")
    assert events == [SlotSet("complaint_confirmed", True), SlotSet(REQUESTED, None)]
    events, messages = validate(message("不对", "other_deny", 0.98), slots=FILLED, requested="complaint_confirmed")
    assert events == [SlotSet("complaint_confirmed", None), SlotSet(REQUESTED, "complaint_confirmed")]
    assert messages[0]["response"] == "utter_what_to_correct"
    events, messages = validate(message("电话是13800001111", "other_out_of_scope", 0.38), slots=FILLED,
                                requested="complaint_confirmed")
    assert events == [SlotSet("wants_contact", True), SlotSet("phone", "13800001111"),
                      SlotSet(REQUESTED, "complaint_confirmed")]


RESET = [SlotSet(name, None) for name in (*EMPTY, "intake_cancelled")]


def submit(slots, sender=SENDER):
    return run(ActionSubmitComplaint(), tracker(message("确认", "other_affirm", 0.9), slots=slots, sender=sender))


def test_confirmed_complaint_becomes_a_transfer_ticket(db, k):
    events, messages = submit({**FILLED, "complaint_confirmed": True})
    assert events == RESET
    with new_session() as session:
        case = session.exec(select(Case)).one()
        ticket = session.exec(select(Ticket)).one()
    assert (case.kind.value, case.intent, case.bank, case.outlet, case.channel) == (
        "complaint", "complaint/attitude", "中国建设银行", "李村支行", "telegram")
    assert case.description == "11月20日上午；柜员态度太差了，一直玩手机"
    assert (case.contact_phone, case.consent_to_contact, case.citizen_ref) == ("13912345678", True, SENDER)
    expected_due = get_calendar().add_working_days(local_day(datetime.now(UTC)),
                                                   k.rules.ticket_due.transfer.working_days)
    assert re.fullmatch(r"ZB-\d{8}-0001", ticket.number)
    assert messages == [{**messages[0], "response": ("utter_complaint_recorded_provisional" if expected_due.provisional
                                                     else "utter_complaint_recorded"),
                         "bank": "中国建设银行", "ticket": ticket.number, "due": expected_due.due.isoformat()}]


def test_the_same_citizen_again_is_told_the_open_tickets_number(db, k):
    submit({**FILLED, "complaint_confirmed": True})
    events, messages = submit({**FILLED, "description": "还是那个柜员，今天又这样", "complaint_confirmed": True})
    assert events == RESET
    with new_session() as session:
        first, second = session.exec(select(Case).order_by(Case.id)).all()
        ticket = session.exec(select(Ticket)).one()  # no second ticket for the bank
    assert second.duplicate_of == first.id
    [said] = messages
    assert said["text"] == k.messages.render("complaint_linked", ticket=ticket.number, bank="中国建设银行",
                                             due=ticket.due_date.isoformat())
    assert ticket.number in said["text"] and "同一件事" in said["text"]


def test_no_contact_and_unknown_outlet(db):
    submit({**FILLED, "outlet": "不记得了", "wants_contact": False, "phone": None, "complaint_confirmed": True},
           sender="12345")
    with new_session() as session:
        case = session.exec(select(Case)).one()
    assert (case.outlet, case.contact_phone, case.consent_to_contact) == (None, None, False)
    assert case.citizen_ref == "telegram:12345"


def test_cancelled_complaint_records_nothing(db):
    events, messages = submit({**FILLED, "intake_cancelled": True})
    assert events == RESET and [m["response"] for m in messages] == ["utter_complaint_cancelled"]
    backoffice.ensure_schema()
    with new_session() as session:
        assert session.exec(select(Case)).all() == []


def test_ledger_errors_are_shown_as_they_are(db):
    events, messages = submit({**FILLED, "complaint_intent": "complaint/unknown", "complaint_confirmed": True})
    assert events == RESET
    assert messages[0]["text"] == "未知的事项类型：complaint/unknown"
    assert messages[1]["response"] == "utter_case_not_recorded"


def test_back_office_down(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/dir/is/a/file.db")
    (tmp_path / "missing").write_text("not a directory")
    bot.settings.get_settings.cache_clear()
    bot.db.engine.get_engine.cache_clear()
    backoffice._migrated.add(f"sqlite:///{tmp_path}/missing/dir/is/a/file.db")
    try:
        events, messages = submit({**FILLED, "complaint_confirmed": True})
    finally:
        bot.settings.get_settings.cache_clear()
        bot.db.engine.get_engine.cache_clear()
    assert events == RESET
    assert [m["response"] for m in messages] == ["utter_backoffice_unavailable", "utter_case_not_recorded"]
    assert messages[0]["service_phone"] == "12333"


@pytest.mark.parametrize("text", ["银行说错了，不是工行，是农行", "是农行，不是工行", "工行说错了，应该是农行"])
def test_a_correction_that_names_the_wrong_bank_too_keeps_the_right_one(text):
    """The classifier sees 工行 first; the citizen means 农行, and the summary is shown again with it."""
    parse = message(text, "other_deny", 0.5, [entity(text, "bank", "工行", "中国工商银行")])
    events, _ = validate(parse, slots={**FILLED, "bank": "中国工商银行"}, requested="complaint_confirmed")
    assert events == [SlotSet("bank", "中国农业银行"), SlotSet(REQUESTED, "complaint_confirmed")]


def test_a_phone_number_is_never_taken_for_the_incident_time():
    """Asked when it happened, the citizen gives the number to call back: the phone is kept, the time asked again."""
    slots = {**FILLED, "incident_time": None, "description": None, "wants_contact": None, "phone": None}
    events, _ = validate(message("回电请打13912345678", "nlu_fallback", 0.2), slots=slots, requested="incident_time")
    assert events == [SlotSet("wants_contact", True), SlotSet("phone", "13912345678"),
                      SlotSet(REQUESTED, "incident_time")]


def test_a_description_that_mentions_a_number_stays_the_citizens_words():
    slots = {**FILLED, "description": None, "wants_contact": None, "phone": None}
    text = "柜员让我自己打13912345678问进度，打了好几次都没人接，也不给办"
    events, _ = validate(message(text, "complaint_refusal", 0.7), slots=slots, requested="description")
    assert SlotSet("description", text) in events and SlotSet("phone", "13912345678") not in events


def test_a_correction_in_words_changes_the_answer_it_names():
    """At the confirmation: the outlet and the time, each named and given again, and nothing else changes."""
    text = "网点不是李村是浮山后"
    parse = message(text, "other_deny", 0.4, [entity(text, "outlet", "李村")])
    events, _ = validate(parse, slots=FILLED, requested="complaint_confirmed")
    assert events == [SlotSet("outlet", "浮山后"), SlotSet(REQUESTED, "complaint_confirmed")]
    events, _ = validate(message("时间写错了，应该是上周三下午", "other_deny", 0.4), slots=FILLED,
                         requested="complaint_confirmed")
    assert events == [SlotSet("incident_time", "上周三下午"), SlotSet(REQUESTED, "complaint_confirmed")]


def test_the_answers_a_correction_can_name_are_the_forms_own(k):
    domain = yaml.safe_load((ROOT / "domain" / "domain.yml").read_text(encoding="utf-8"))
    required = domain["forms"]["complaint_form"]["required_slots"]
    assert {entry.slot for entry in k.words.corrected_slot} <= set(required)


def test_a_correction_word_in_passing_changes_no_answer():
    """"不是我说，…李村支行…": the outlet is named, but not as the value a correction gives it."""
    slots = {**FILLED, "description": None, "wants_contact": None, "phone": None}
    text = "不是我说，建行李村支行的柜员态度太差了，一直玩手机"
    parse = message(text, "complaint_attitude", 0.8,
                    [entity(text, "bank", "建行", "中国建设银行"), entity(text, "outlet", "李村支行")])
    events, _ = validate(parse, slots=slots, requested="description")
    assert events == [SlotSet("description", text), SlotSet(REQUESTED, "wants_contact")]


def test_the_corrected_value_ends_with_its_clause():
    parse = message("网点不是李村是浮山后，麻烦改一下", "other_deny", 0.4)
    events, _ = validate(parse, slots=FILLED, requested="complaint_confirmed")
    assert events == [SlotSet("outlet", "浮山后"), SlotSet(REQUESTED, "complaint_confirmed")]
