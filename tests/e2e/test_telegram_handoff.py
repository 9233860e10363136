"""The real bot process with a citizen handed over to a 12333 operator (`stack` of conftest.py: a local
Bot API server, a fake Rasa, the bot, one SQLite database; the operator's side is the handoff queue)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.channels.replies import Say
from bot.db import new_session
from bot.handoff import HandoffReason, HandoffState, MessageAuthor, close, get_handoff, messages, open_handoff, reply
from bot.knowledge import get_knowledge

say = Say()


def hand_over(engine, chat_id: int) -> int:
    with new_session(engine) as session:
        handoff = open_handoff(session, citizen_ref=f"telegram:{chat_id}", channel="telegram",
                               reason=HandoffReason.requested, transcript=[], now=datetime.now(UTC))
        session.commit()
        return handoff.id


def test_the_citizen_talks_with_the_operator_then_with_the_assistant_again(stack, citizen):
    _bot_api, rasa, _bot, engine, _tmp = stack
    knowledge = get_knowledge()
    handoff_id = hand_over(engine, citizen.chat_id)

    citizen.send("我补的卡两周了还没到")
    citizen.wait_for_text(say("handoff_waiting"))
    citizen.send("我在李村支行办的")
    assert say("handoff_waiting") not in citizen.quiet_for(1.0)  # told once
    assert not [r for r in rasa.received() if r["sender"] == f"telegram:{citizen.chat_id}"]

    with new_session(engine) as session:
        assert [(m.author, m.text) for m in messages(session, handoff_id=handoff_id)] == [
            (MessageAuthor.citizen, "我补的卡两周了还没到"), (MessageAuthor.citizen, "我在李村支行办的")]
        reply(session, handoff_id=handoff_id, operator="王芳", text="您好，我查到您的卡已制好，明天可以领取。",
              now=datetime.now(UTC), knowledge=knowledge)
        session.commit()
    citizen.wait_for_text(say("handoff_taken"))
    answer = citizen.wait_for(lambda m: m["message"]["text"].endswith("您好，我查到您的卡已制好，明天可以领取。"),
                              what="the operator's reply")
    assert answer["message"]["text"].startswith("12333 客服")

    with new_session(engine) as session:
        close(session, handoff_id=handoff_id, operator="王芳", now=datetime.now(UTC), knowledge=knowledge)
        session.commit()
    citizen.wait_for_text(say("handoff_closed_by_operator"))
    citizen.send("谢谢")
    citizen.wait_for_text("收到：谢谢")
    assert [r["message"] for r in rasa.received() if r["sender"] == f"telegram:{citizen.chat_id}"] == ["谢谢"]


def test_cancel_ends_the_handoff_and_the_assistant_answers_again(stack, citizen):
    _bot_api, rasa, _bot, engine, _tmp = stack
    handoff_id = hand_over(engine, citizen.chat_id)

    citizen.send("/cancel")
    citizen.wait_for_text(say("handoff_closed_by_citizen"))
    with new_session(engine) as session:
        assert get_handoff(session, handoff_id=handoff_id).state is HandoffState.closed
    citizen.send("社保卡怎么激活")
    citizen.wait_for_text("收到：社保卡怎么激活")
    assert [r["message"] for r in rasa.received() if r["sender"] == f"telegram:{citizen.chat_id}"] == \
        ["社保卡怎么激活"]
