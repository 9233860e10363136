"""Writes tests/outcomes/rasa_events.json: six conversations as Rasa streams them to its event broker.

Run in the Rasa environment (`.venv-rasa/bin/python tests/outcomes/rasa_events.py`): each event is
built with Rasa's own event classes and serialised as `TrackerStore._stream_new_events` does it
(``{"sender_id": …} | event.as_dict()``), so the ingestion's unit tests read the real format.
"""

from __future__ import annotations

import json
from pathlib import Path

from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
    UserUtteranceReverted,
)

START = 1796090400.0  # 2026-12-01 10:00 in Qingdao
OUT = Path(__file__).with_suffix(".json")


def user(text: str, intent: str, confidence: float, at: float) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": confidence},
                       parse_data={"text": text, "intent": {"name": intent, "confidence": confidence},
                                   "entities": [], "intent_ranking": [{"name": intent, "confidence": confidence}]},
                       timestamp=at, input_channel="telegram", message_id=f"m{int(at)}")


def bot(text: str, at: float, utter: str | None = None) -> BotUttered:
    return BotUttered(text, metadata={"utter_action": utter} if utter else {}, timestamp=at)


def act(name: str, at: float) -> ActionExecuted:
    return ActionExecuted(name, policy="RulePolicy", confidence=1.0, timestamp=at)


def opening(at: float) -> list:
    return [act("action_session_start", at), SessionStarted(timestamp=at), act("action_listen", at)]


def understood(text: str, intent: str, reply: str, at: float) -> list:
    return [user(text, intent, 0.93, at), act("action_extract_slots", at + 0.1), act("action_answer", at + 0.2),
            bot(reply, at + 0.3), act("action_listen", at + 0.4)]


def unclear(text: str, at: float, *, count: int) -> list:
    return [user(text, "nlu_fallback", 0.31, at), act("action_extract_slots", at + 0.1), act("action_clarify", at + 0.2),
            bot("您是想问哪一项？", at + 0.3), SlotSet("low_confidence_turns", count, timestamp=at + 0.4),
            act("action_listen", at + 0.5)]


def conversations() -> dict[str, list]:
    t = START
    return {
        "answered": opening(t) + understood("社保卡丢了怎么办", "inquiry_report_loss", "请先挂失……", t + 5),
        "requested_handoff": opening(t + 60) + [
            user("我要找人工", "other_handoff", 0.97, t + 65), act("action_extract_slots", t + 65.1),
            act("action_handoff", t + 65.2), bot("已为您转接 12333 人工客服……", t + 65.3), act("action_listen", t + 65.4)],
        "recovered": opening(t + 120) + unclear("那个卡的事", t + 125, count=1)
        + understood("/inquiry_apply", "inquiry_apply", "首次申领社保卡……", t + 130),
        "twice_unclear_handoff": opening(t + 180) + unclear("嗯嗯", t + 185, count=1) + [
            user("啊这个", "nlu_fallback", 0.2, t + 190), act("action_extract_slots", t + 190.1),
            act("action_clarify", t + 190.2), bot("抱歉没能理解，已为您转接人工。", t + 190.3, "utter_handoff_low_confidence"),
            bot("已为您转接 12333 人工客服……", t + 190.4), SlotSet("low_confidence_turns", 0, timestamp=t + 190.5),
            act("action_listen", t + 190.6)],
        "unclear_to_the_end": opening(t + 240) + unclear("随便问问", t + 245, count=1),
        "default_fallback": opening(t + 300) + [
            user("¿qué?", "inquiry_apply", 0.5, t + 305), act("action_default_fallback", t + 305.1),
            bot("抱歉，我没有听懂。", t + 305.2, "utter_default"), UserUtteranceReverted(timestamp=t + 305.3)],
    }


def main() -> None:
    data = {name: [{"sender_id": f"telegram:{600 + n}", **event.as_dict()} for event in events]
            for n, (name, events) in enumerate(conversations().items())}
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
