"""Card progress: the acceptance date read from the message, the Art. 17 due date."""

from __future__ import annotations

from datetime import date

from rasa_sdk.events import SlotSet

from actions import dates
from actions.progress import (
    ActionAskAcceptanceDate,
    ActionProgressDue,
    ValidateProgressForm,
)
from bot.answers import render_guide
from tests.actions.conftest import message, run, tracker

ACTIVATED = [{"event": "active_loop", "name": "progress_form"}]
REQUESTED = "requested_slot"


def validate(text, intent="nlu_fallback", confidence=0.2, *, after=(), slots=None):
    return run(ValidateProgressForm(), tracker(message(text, intent, confidence), after=list(after),
                                               slots=slots, active_loop="progress_form"))


def test_a_date_in_the_question_answers_it_at_once():
    events, messages = validate("我11月23日办的卡什么时候能拿到", "inquiry_progress", 0.75, after=ACTIVATED)
    assert events == [SlotSet("acceptance_date", "2026-11-23"), SlotSet("time_limit", "first_application"),
                      SlotSet(REQUESTED, None)]
    assert messages == []


def test_without_a_date_it_is_asked_for_after_the_complete_answer(k):
    events, _ = validate("我补的卡什么时候能拿到", "inquiry_progress", 0.7, after=ACTIVATED)
    assert events == [SlotSet("acceptance_date", None), SlotSet("time_limit", "replacement"),
                      SlotSet(REQUESTED, "acceptance_date")]
    _, messages = run(ActionAskAcceptanceDate(), tracker(message("我补的卡什么时候能拿到", "inquiry_progress"),
                                                         after=ACTIVATED))
    assert messages[0]["text"] == render_guide(k.guide("inquiry/progress"), k).text
    assert messages[1]["response"] == "utter_ask_acceptance_date"
    # asked again later: only the question
    _, messages = run(ActionAskAcceptanceDate(), tracker(message("2月30日", "nlu_fallback", 0.2)))
    assert [m["response"] for m in messages] == ["utter_ask_acceptance_date"]


def test_the_date_given_next():
    for text in ("2026-11-23", "11月23日", "11.23"):
        events, _ = validate(text, "other_ticket_status", 0.81)
        assert events == [SlotSet("acceptance_date", "2026-11-23"), SlotSet(REQUESTED, None)]


def test_the_kind_of_card_can_come_with_the_date():
    events, _ = validate("补卡，11月23日受理的")
    assert events == [SlotSet("acceptance_date", "2026-11-23"), SlotSet("time_limit", "replacement"),
                      SlotSet(REQUESTED, None)]


def test_impossible_and_future_dates_are_said_so():
    events, messages = validate("2月30日")
    assert events == [SlotSet("acceptance_date", None), SlotSet(REQUESTED, "acceptance_date")]
    assert messages[0]["response"] == "utter_invalid_date"
    events, messages = validate("2026-12-05")
    assert events == [SlotSet("acceptance_date", None), SlotSet(REQUESTED, "acceptance_date")]
    assert messages[0]["response"] == "utter_date_in_future" and messages[0]["today"] == "2026-11-27"


def test_anything_else_leaves_the_form_to_the_rules():
    events, messages = validate("补卡要多少钱？", "inquiry_fees", 0.95)
    assert events == [SlotSet(REQUESTED, "acceptance_date")]  # no slot: Rasa rejects the form
    assert messages == []


def due(accepted, limit=None, today=None, monkeypatch=None):
    if today:
        monkeypatch.setattr(dates, "today", lambda: today)
    slots = {"acceptance_date": accepted, "time_limit": limit}
    return run(ActionProgressDue(), tracker(message("2026-11-23", "nlu_fallback", 0.2), slots=slots))


def test_due_date_of_a_first_application():
    events, messages = due("2026-11-23")
    assert events == [SlotSet("acceptance_date", None), SlotSet("time_limit", None)]
    assert messages[0] == {**messages[0], "response": "utter_progress_due", "label": "个人首次申领", "days": "7",
                           "start": "2026-11-23", "due": "2026-12-02"}
    assert messages[1]["response"] == "utter_progress_not_due"


def test_overdue_card_offers_a_complaint(monkeypatch):
    _, messages = due("2026-11-23", "replacement", date(2026, 12, 10), monkeypatch)
    assert messages[0]["label"] == "补换卡" and messages[0]["due"] == "2026-12-02"
    assert messages[1] == {**messages[1], "response": "utter_progress_overdue", "today": "2026-12-10"}


def test_immediate_issue():
    _, messages = due("2026-11-23", "temp_card")
    assert messages == [{**messages[0], "response": "utter_progress_immediate", "label": "临时卡",
                         "start": "2026-11-23"}]


def test_a_date_in_a_year_without_an_official_calendar_is_provisional(monkeypatch):
    _, messages = due("2031-06-02", None, date(2031, 6, 3), monkeypatch)
    assert messages[0]["response"] == "utter_progress_due_provisional"
    assert messages[0]["due"] == "2031-06-11"  # weekends-only rule


def test_nothing_to_compute_without_a_date():
    events, messages = due(None)
    assert messages == [] and events == [SlotSet("acceptance_date", None), SlotSet("time_limit", None)]
