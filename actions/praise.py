"""Praise intake (praise_form): who or which outlet, and what they did (Art. 43).

Praise naming a partner bank becomes a transfer ticket to that bank like a complaint (bot.ledger
decides); without a bank it is recorded without a ticket.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import backoffice
from actions.forms import (
    CANCELLED,
    IntakeForm,
    interrupts,
    is_correction,
    is_small_talk,
    is_unknown,
)
from actions.turn import Turn, citizen_ref
from bot.ledger.models import CaseCreate

FORM = "praise_form"
SLOTS = ("praise_subject", "praise_description", "bank", "outlet")
# A first message this long already says what they did.
DETAILED = 20
CHANNEL = "telegram"


class ValidatePraiseForm(IntakeForm):
    owned_slots = SLOTS

    def name(self) -> str:
        return "validate_praise_form"

    def required(self, slots: dict[str, Any]) -> list[str]:
        return ["praise_subject", "praise_description"]

    def prefill(self, turn: Turn, slots: dict[str, Any]) -> dict[str, Any]:
        if turn.text.startswith("/"):
            return {}
        values = self._mentions(turn, slots)
        if values:  # the message names the outlet or bank: it says whom
            values["praise_subject"] = turn.text
            if len(turn.compact) >= DETAILED:
                values["praise_description"] = turn.text
        return values

    @staticmethod
    def _mentions(turn: Turn, slots: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if (bank := turn.bank()) and bank != slots.get("bank"):
            values["bank"] = bank
        if (outlet := turn.outlet()) and outlet != slots.get("outlet"):
            values["outlet"] = outlet
        return values

    def answer(self, turn: Turn, requested: str | None, slots: dict[str, Any],
               dispatcher: CollectingDispatcher) -> dict[str, Any]:
        if interrupts(turn, free_text=True):
            return {}
        updates = self._mentions(turn, slots) if requested == "praise_subject" or is_correction(turn) else {}
        if requested and not (updates and is_correction(turn)):
            if is_small_talk(turn):
                dispatcher.utter_message(response="utter_need_more_text")
                updates[requested] = None
            else:
                updates[requested] = turn.text
        return updates


def case_data(tracker: Tracker) -> CaseCreate:
    slot = tracker.get_slot
    outlet = slot("outlet")
    parts = [p.strip() for p in (slot("praise_subject"), slot("praise_description")) if p and p.strip()]
    return CaseCreate(
        kind="praise",
        intent="praise",
        bank=slot("bank"),
        outlet=None if not outlet or is_unknown(outlet) else outlet,
        channel=CHANNEL,
        description="\n".join(dict.fromkeys(parts)),
        citizen_ref=citizen_ref(tracker),
    )


def reset() -> list[EventType]:
    return [SlotSet(name, None) for name in (*SLOTS, CANCELLED)]


class ActionSubmitPraise(Action):
    """After the form: record the praise (and its transfer ticket when a bank is named)."""

    def name(self) -> str:
        return "action_submit_praise"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot(CANCELLED):
            dispatcher.utter_message(response="utter_praise_cancelled")
            return reset()
        recorded = await backoffice.record_or_explain(dispatcher, lambda: case_data(tracker))
        if recorded is None:
            return reset()
        _, ticket = recorded
        if ticket is None:
            dispatcher.utter_message(response="utter_praise_recorded")
        else:
            dispatcher.utter_message(response="utter_praise_forwarded", bank=ticket.bank, ticket=ticket.number)
        return reset()
