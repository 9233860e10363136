"""Low confidence: a clarifying question with the likeliest intents as buttons, then a person.

A turn the assistant could not place (``nlu_fallback`` from the FallbackClassifier, or an intent
below bot.answers' clarification threshold) gets bot.answers' clarifying question with buttons for
the two or three likeliest intents. The second such turn in a row hands the conversation to a
12333 operator instead. The count lives in the slot ``low_confidence_turns``, set in every
low-confidence turn; a turn that does not set it breaks the row.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import hand_off
from actions.turn import Turn, knowledge, send
from bot.answers import Reply, compose_reply
from bot.handoff import HandoffReason

LOW_TURNS = "low_confidence_turns"
HANDOFF_AFTER = 2


def earlier_low_turns(tracker: Tracker) -> int:
    """How many low-confidence turns in a row ended with the previous user message."""
    events = tracker.events
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(users) < 2:
        return 0
    previous_turn = events[users[-2] + 1:users[-1]]
    counts = [e.get("value") for e in previous_turn if e.get("event") == "slot" and e.get("name") == LOW_TURNS]
    return int(counts[-1] or 0) if counts else 0


async def clarify(dispatcher: CollectingDispatcher, tracker: Tracker, reply: Reply) -> list[EventType]:
    """Ask the clarifying question, or hand off if the previous turn was not understood either."""
    count = earlier_low_turns(tracker) + 1
    if count >= HANDOFF_AFTER:
        dispatcher.utter_message(response="utter_handoff_low_confidence")
        return [*await hand_off(dispatcher, tracker, reason=HandoffReason.low_confidence), SlotSet(LOW_TURNS, 0)]
    send(dispatcher, reply)
    return [SlotSet(LOW_TURNS, count)]


class ActionClarify(Action):
    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return await clarify(dispatcher, tracker, compose_reply(Turn.of(tracker).interpretation, knowledge()))
