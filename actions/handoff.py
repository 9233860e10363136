"""Handoff to a 12333 operator: on request, or after two low-confidence turns in a row.

The action only marks the conversation (slot ``handoff``) and tells the citizen; the console's
queue and the operator's replies are the channel's and the console's work.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.turn import knowledge, send
from bot.answers import compose_reply
from bot.nlu.interpret import Interpretation

HANDOFF = "handoff"
HANDOFF_INTENT = Interpretation(text="", category="other", intent="other/handoff", confidence=1.0)


def hand_off(dispatcher: CollectingDispatcher) -> list[EventType]:
    """Tell the citizen a person takes over (knowledge/replies.yml) and mark the conversation."""
    send(dispatcher, compose_reply(HANDOFF_INTENT, knowledge()))
    return [SlotSet(HANDOFF, True)]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return hand_off(dispatcher)
