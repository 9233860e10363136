"""Praise intake (praise_form): who or which outlet, and what they did (Art. 43).

Praise naming a partner bank becomes a transfer ticket to that bank like a complaint (bot.ledger
decides); without a bank it is recorded without a ticket. While the form asks what they did, and
at its confirmation, the citizen may correct the bank or the outlet ("不是工行，是农行", "网点不是李村
是浮山后"). A praise with no correction goes out as said; once an answer was corrected, the form
shows what will be recorded and sent and waits for "确认", so a corrected praise never goes out
unseen. A phone number is refused wherever it is given: praise has no call back, and a number is
not a praise.
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
    is_phone_answer,
    is_small_talk,
    is_unknown,
    yes_or_no,
)
from actions.turn import Turn, citizen_ref, knowledge
from bot.ledger.models import CaseCreate
from bot.privacy import mask

FORM = "praise_form"
# What the confirmation says next; set by the first correction, from then on the form asks for
# praise_confirmed: the summary, or after a "不对" only the question what to change, so that each
# turn asks one thing.
REVIEW = "praise_review"
SHOW_SUMMARY, ASK_WHAT_TO_CHANGE = "summary", "what_to_change"
CONFIRMED = "praise_confirmed"
SLOTS = ("praise_subject", "praise_description", "bank", "outlet", REVIEW, CONFIRMED)
# Answers that are the citizen's own words.
FREE_TEXT = ("praise_subject", "praise_description")
# A first message this long already says what they did.
DETAILED = 20
CHANNEL = "telegram"


class ValidatePraiseForm(IntakeForm):
    owned_slots = SLOTS

    def name(self) -> str:
        return "validate_praise_form"

    def required(self, slots: dict[str, Any]) -> list[str]:
        order = ["praise_subject", "praise_description"]
        return [*order, CONFIRMED] if slots.get(REVIEW) else order

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
        # "表扬农行的王姐，不是工行": the bank it says is right, not the first one named.
        bank = turn.corrected_bank() if is_correction(turn) else turn.bank()
        if bank and bank != slots.get("bank"):
            values["bank"] = bank
        if (outlet := turn.outlet()) and outlet != slots.get("outlet"):
            values["outlet"] = outlet
        return values

    def answer(self, turn: Turn, requested: str | None, slots: dict[str, Any],
               dispatcher: CollectingDispatcher) -> dict[str, Any]:
        # Before "whom" is answered there is no bank or outlet to correct: the answer names them.
        corrected = {} if requested == "praise_subject" else self._corrections(turn, requested, slots)
        updates: dict[str, Any] = {**corrected, REVIEW: SHOW_SUMMARY} if corrected else {}

        if requested in FREE_TEXT:
            if is_phone_answer(turn):
                dispatcher.utter_message(response="utter_praise_no_phone")
                updates[requested] = None
            elif corrected:  # the message was the correction: the question is asked again
                pass
            elif interrupts(turn, free_text=True):
                return {}
            elif is_small_talk(turn):
                dispatcher.utter_message(response="utter_need_more_text")
                updates[requested] = None
            else:
                if requested == "praise_subject":
                    updates.update(self._mentions(turn, slots))
                updates[requested] = turn.text
        elif requested == CONFIRMED and not corrected:
            # A number first: long enough to be read as a statement, it could pass for a yes.
            confirmed = None if is_phone_answer(turn) else yes_or_no(turn)
            if confirmed:
                updates[CONFIRMED] = True
            elif confirmed is False:  # "不对": the next question is what to change
                updates[REVIEW] = ASK_WHAT_TO_CHANGE
            elif interrupts(turn, free_text=False):
                return {}
            else:  # the summary again: its last line says how to answer
                if is_phone_answer(turn):
                    dispatcher.utter_message(response="utter_praise_no_phone")
                updates[REVIEW] = SHOW_SUMMARY
        return updates

    @staticmethod
    def _corrections(turn: Turn, requested: str | None, slots: dict[str, Any]) -> dict[str, Any]:
        """The bank and outlet a message corrects, where they differ from the answers held.

        While the praise is told only a correction ("不对", "说错了": words.yml) changes them, for
        the praise may mention another bank in passing; at the confirmation, where no words of the
        citizen's are asked for, naming a bank or an outlet is the change.
        """
        if requested != CONFIRMED and not is_correction(turn):
            return {}
        changes: dict[str, Any] = {}
        if (bank := turn.corrected_bank()) and bank != slots.get("bank"):
            changes["bank"] = bank
        # The outlet named after "是"/"改成" is the right one; an outlet entity may be the rejected one.
        named = turn.corrected_answers(SLOTS) if is_correction(turn) else {}
        if (outlet := named.get("outlet") or turn.outlet()) and outlet != slots.get("outlet"):
            changes["outlet"] = outlet
        return changes


def _outlet(slots: dict[str, Any]) -> str | None:
    outlet = slots.get("outlet")
    return None if not outlet or is_unknown(outlet) else outlet


def praise_parts(slots: dict[str, Any]) -> list[str]:
    """Whom and what, as the citizen said them, once each: the praise's text."""
    parts = [p.strip() for p in (slots.get("praise_subject"), slots.get("praise_description")) if p and p.strip()]
    return list(dict.fromkeys(parts))


def summary(slots: dict[str, Any]) -> dict[str, str]:
    """The values the confirmation shows: what case_data records, personal data masked (Art. 9, 51)."""
    outlet = _outlet(slots)
    return {
        "bank": slots.get("bank") or "",
        "outlet": mask(outlet) if outlet else knowledge().messages.render("summary_not_given"),
        "description": mask("；".join(praise_parts(slots))),
    }


class ActionAskPraiseConfirmed(Action):
    """The confirmation after a correction: what will be recorded and to which bank it goes, or
    after a "不对" the one question what to change."""

    def name(self) -> str:
        return "action_ask_praise_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        slots = dict(tracker.slots)
        if slots.get(REVIEW) == ASK_WHAT_TO_CHANGE:
            dispatcher.utter_message(response="utter_praise_what_to_correct")
        else:
            dispatcher.utter_message(
                response="utter_praise_summary" if slots.get("bank") else "utter_praise_summary_no_bank",
                **summary(slots))
        return []


def case_data(tracker: Tracker) -> CaseCreate:
    slots = dict(tracker.slots)
    return CaseCreate(
        kind="praise",
        intent="praise",
        bank=slots.get("bank"),
        outlet=_outlet(slots),
        channel=CHANNEL,
        description="\n".join(praise_parts(slots)),
        citizen_ref=citizen_ref(tracker),
    )


def reset() -> list[EventType]:
    return [SlotSet(name, None) for name in (*SLOTS, CANCELLED)]


class ActionSubmitPraise(Action):
    """After the form: record the praise (and its transfer ticket when a bank is named)."""

    def name(self) -> str:
        return "action_submit_praise"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        # A corrected praise goes out only as the citizen confirmed it.
        if tracker.get_slot(CANCELLED) or (tracker.get_slot(REVIEW) and not tracker.get_slot(CONFIRMED)):
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
