"""One complete reply from knowledge/ (Art. 16, 19): inquiries, small talk, out of scope.

bot.answers.compose_reply chooses the reply for the message's interpretation: the guide of an
inquiry with its one-time notice where the matter cannot be finished as asked (photo,
insurance-record errors: Art. 19), the pointer to the right service for out-of-scope questions,
the acknowledgement of a complaint or praise before its form starts, the greetings. A reply that
asks which of the likeliest intents was meant carries them as buttons and counts as a
low-confidence turn (actions.fallback).
"""

from __future__ import annotations

from dataclasses import replace

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.fallback import clarify
from actions.one_time_notices import has_notice, issue_notice, withdraw_reminder_offer
from actions.turn import Turn, knowledge, send
from bot.answers import compose_reply
from bot.answers.compose import CLARIFY_BELOW

STARTS_FORM = ("complaint", "praise")


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn = Turn.of(tracker)
        interp = turn.interpretation
        if turn.category in STARTS_FORM:
            # The acknowledgement before the intake form: the form itself confirms the details,
            # so an uncertain classification is not questioned here.
            interp = replace(interp, confidence=max(interp.confidence, CLARIFY_BELOW), low_confidence=False)
        reply = compose_reply(interp, knowledge())
        if reply.choices:  # not sure what was meant: a clarifying question, or a person
            return await clarify(dispatcher, tracker, reply)
        send(dispatcher, reply)
        if has_notice(interp.intent):
            return await issue_notice(dispatcher, tracker, intent=interp.intent)
        # The citizen moved on: a later "好的" must not be read as accepting an old reminder offer.
        return withdraw_reminder_offer(tracker)
