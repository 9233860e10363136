"""Handoff to a 12333 operator from the conversation: the queue gets the conversation, and a citizen
is never promised a person when the queue cannot be reached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rasa_sdk.events import SlotSet
from sqlmodel import select

import bot.db.engine
import bot.settings
from actions.fallback import ActionClarify
from actions.handoff import ActionHandoff
from bot.db import new_session
from bot.handoff import Handoff, HandoffReason, HandoffState, MessageAuthor, messages
from tests.actions.conftest import SENDER, action, message, run, slot, tracker

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
FALLBACK = [("nlu_fallback", 0.3), ("inquiry_apply", 0.28), ("inquiry_replace", 0.18)]


def at(minute: int) -> float:
    return (T0 + timedelta(minutes=minute)).timestamp()


def said(event: str, text: str, minute: int, **extra) -> dict:
    return {"event": event, "text": text, "timestamp": at(minute), **extra}


# An earlier session (not this conversation), then this one: a question, a button, a guide.
EARLIER = [said("user", "上个月问过的事", 0), said("bot", "上个月的答复", 0),
           {"event": "session_started", "timestamp": at(100)}, action("action_listen")]
THIS_CONVERSATION = [
    said("user", "补卡要多久", 101, parse_data=message("补卡要多久", "inquiry_replace", 0.9)),
    action("action_answer"),
    said("bot", "补换社保卡：自受理之日起 7 个工作日内发卡。", 101),
    action("action_listen"),
    said("user", "/inquiry_apply", 102, parse_data=message("/inquiry_apply", "inquiry_apply", 1.0)),
    said("bot", "首次申领社保卡需要带身份证。", 102),
    action("action_listen"),
]


def operator_message(k) -> str:
    return k.messages.render("handoff", **{key: s.text for key, s in k.operator.settings.items()})


def stored(citizen_ref: str = SENDER) -> tuple[Handoff, list[tuple[MessageAuthor, str, datetime]]]:
    with new_session() as session:
        handoff = session.exec(select(Handoff).where(Handoff.citizen_ref == citizen_ref)).one()
        return handoff, [(m.author, m.text, m.at) for m in messages(session, handoff_id=handoff.id)]


def test_a_request_for_a_person_puts_this_conversation_in_the_queue(db, k):
    request = message("转人工", "other_handoff", 1.0)
    trk = tracker(request, before=EARLIER + THIS_CONVERSATION)
    trk.events[-1]["timestamp"] = at(103)  # the request itself, as Rasa stamps it
    events, sent = run(ActionHandoff(), trk)

    assert events == []
    assert [m["text"] for m in sent] == [operator_message(k)]
    handoff, history = stored()
    assert (handoff.state, handoff.reason, handoff.channel) == (HandoffState.waiting, HandoffReason.requested,
                                                                "telegram")
    # This session only, in order, a pressed button shown by its label, not its payload.
    assert history == [
        (MessageAuthor.citizen, "补卡要多久", T0 + timedelta(minutes=101)),
        (MessageAuthor.assistant, "补换社保卡：自受理之日起 7 个工作日内发卡。", T0 + timedelta(minutes=101)),
        (MessageAuthor.citizen, f"［选择了：{k.intent('inquiry/apply').label}］", T0 + timedelta(minutes=102)),
        (MessageAuthor.assistant, "首次申领社保卡需要带身份证。", T0 + timedelta(minutes=102)),
        (MessageAuthor.citizen, "转人工", T0 + timedelta(minutes=103)),
    ]


def test_asking_again_while_waiting_keeps_one_handoff(db):
    trk = tracker(message("转人工", "other_handoff", 1.0), before=THIS_CONVERSATION)
    run(ActionHandoff(), trk)
    events, _ = run(ActionHandoff(), tracker(message("人呢？转人工", "other_handoff", 1.0)))
    assert events == []
    with new_session() as session:
        assert len(session.exec(select(Handoff)).all()) == 1


def test_two_low_confidence_turns_in_a_row_hand_off_with_the_reason(db, k):
    first = message("阿斯顿发", "nlu_fallback", 0.3, ranking=FALLBACK)
    second = message("啊啊啊", "nlu_fallback", 0.3, ranking=FALLBACK)
    trk = tracker(second, before=[said("user", "阿斯顿发", 1, parse_data=first), action("action_clarify"),
                                  slot("low_confidence_turns", 1), action("action_listen")])
    events, sent = run(ActionClarify(), trk)
    assert events == [SlotSet("low_confidence_turns", 0)]
    assert sent[0]["response"] == "utter_handoff_low_confidence"
    assert sent[1]["text"] == operator_message(k)
    handoff, history = stored()
    assert handoff.reason is HandoffReason.low_confidence
    assert [text for _, text, _ in history] == ["阿斯顿发", "啊啊啊"]


def test_when_the_queue_cannot_be_reached_the_citizen_gets_the_hotline_not_a_promise(tmp_path, monkeypatch, k):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    bot.settings.get_settings.cache_clear()
    bot.db.engine.get_engine.cache_clear()
    try:
        events, sent = run(ActionHandoff(), tracker(message("转人工", "other_handoff", 1.0)))
    finally:
        bot.settings.get_settings.cache_clear()
        bot.db.engine.get_engine.cache_clear()
    assert events == []
    assert [m["text"] for m in sent] == [k.messages.render("handoff_unavailable",
                                                          service_phone=k.operator.service_phone)]
    assert "正在为您转接" not in sent[0]["text"] and k.operator.service_phone in sent[0]["text"]
