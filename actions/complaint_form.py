"""Complaint intake (complaint_form): the questions, the confirmation and the transfer ticket.

The form asks for the kind of complaint (when the first message did not make it clear), the
partner bank, the outlet, when it happened, what happened, whether the citizen wants a call back
and at which mobile number; then it shows what will be sent and waits for "确认". At any step the
citizen may correct an earlier answer ("不对，是农行", a new phone number), ask something else (see
actions.forms) or cancel. On confirmation bot.ledger records the case and opens the transfer
ticket (Art. 27); the citizen gets its number and due date.
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
    DETAILED,
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

FORM = "complaint_form"
SLOTS = ("complaint_intent", "bank", "outlet", "incident_time", "description", "wants_contact", "phone",
         "complaint_confirmed")
# Answers that are the citizen's own words: any text answers them, only a question interrupts.
FREE_TEXT = ("outlet", "incident_time", "description")
CHANNEL = "telegram"


def complaint_intent(turn: Turn) -> str | None:
    """The kind of complaint a message states: the classifier's, or a category label it names."""
    if turn.category == "complaint" and knowledge().intent(turn.interpretation.intent).specific:
        return turn.interpretation.intent
    return next((i.name for i in knowledge().specific_intents_in("complaint") if i.label in turn.text), None)


class ValidateComplaintForm(IntakeForm):
    owned_slots = SLOTS

    def name(self) -> str:
        return "validate_complaint_form"

    def required(self, slots: dict[str, Any]) -> list[str]:
        order = ["complaint_intent", "bank", "outlet", "incident_time", "description", "wants_contact"]
        if slots.get("wants_contact"):
            order.append("phone")
        return [*order, "complaint_confirmed"]

    def prefill(self, turn: Turn, slots: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if intent := complaint_intent(turn):
            values["complaint_intent"] = intent
        if turn.text.startswith("/"):  # a button: nothing but the intent
            return values
        if bank := turn.bank():
            values["bank"] = bank
        if outlet := turn.outlet():
            values["outlet"] = outlet
        if len(turn.compact) >= DETAILED:
            values["description"] = turn.text
        if phone := turn.phone():
            values.update(wants_contact=True, phone=phone)
        return values

    def answer(self, turn: Turn, requested: str | None, slots: dict[str, Any],
               dispatcher: CollectingDispatcher) -> dict[str, Any]:
        free_text = requested in FREE_TEXT
        corrects = not free_text or is_correction(turn)
        updates: dict[str, Any] = {}

        # Corrections of earlier answers, at any step ("不对，是农行"; "不是工行，是农行" names both).
        bank = turn.corrected_bank() if corrects else turn.bank()
        outlet, phone = turn.outlet(), turn.phone()
        if corrects and bank and requested != "bank" and bank != slots.get("bank"):
            updates["bank"] = bank
        if corrects and outlet and requested not in ("outlet", "description") and outlet != slots.get("outlet"):
            updates["outlet"] = outlet
        # "时间写错了，是上周三", "网点不是李村是浮山后": the answer named, changed to what follows.
        if is_correction(turn):
            for slot, new in turn.corrected_answers(SLOTS).items():
                if slot != requested and new != slots.get(slot):
                    updates[slot] = new
        # A phone number where something else was asked fills the phone slot. Where the citizen's
        # own words are asked (the outlet, what happened) only when the number is what the message
        # says, and never as the incident time, which a phone number cannot be.
        phone_given = bool(phone) and requested not in ("wants_contact", "phone") and (
            not free_text or requested == "incident_time" or is_phone_answer(turn))
        if phone_given:
            updates.update(wants_contact=True, phone=phone)
        corrected = bool(updates)

        if requested == "complaint_intent":
            if intent := complaint_intent(turn):
                updates["complaint_intent"] = intent
        elif requested == "bank":
            if bank:
                updates["bank"] = bank
        elif free_text:
            if not phone_given and not (corrected and is_correction(turn)) and not interrupts(turn, free_text=True) \
                    and not is_small_talk(turn):
                updates[requested] = turn.outlet_answer() if requested == "outlet" else turn.text
        elif requested == "wants_contact":
            if phone:
                updates.update(wants_contact=True, phone=phone)
            elif not corrected and (wants := yes_or_no(turn)) is not None:
                updates["wants_contact"] = wants
        elif requested == "phone":
            if phone:
                updates["phone"] = phone
            elif not corrected and yes_or_no(turn) is False:  # "不留了"
                updates.update(wants_contact=False, phone=None)
        elif requested == "complaint_confirmed" and not corrected:
            confirmed = yes_or_no(turn)  # "确认" sends it; "不对" asks what to change
            if confirmed:
                updates["complaint_confirmed"] = True
            elif confirmed is False:
                dispatcher.utter_message(response="utter_what_to_correct")
                updates["complaint_confirmed"] = None

        if requested and not updates:
            if interrupts(turn, free_text=free_text):
                return {}
            self._explain(requested, turn, dispatcher)
            updates[requested] = None
        return updates

    @staticmethod
    def _explain(requested: str, turn: Turn, dispatcher: CollectingDispatcher) -> None:
        """Say why the answer was not taken; the form then asks again."""
        if requested == "bank":
            banks = "、".join(b.name for b in knowledge().banks)
            dispatcher.utter_message(response="utter_not_partner_bank", answer=mask(turn.text)[:20], banks=banks)
        elif requested in FREE_TEXT:
            dispatcher.utter_message(response="utter_need_more_text")
        elif requested == "wants_contact":
            dispatcher.utter_message(response="utter_yes_or_no")
        elif requested == "phone":
            dispatcher.utter_message(response="utter_invalid_phone")
        elif requested == "complaint_confirmed":
            dispatcher.utter_message(response="utter_confirm_or_correct")


class ActionAskComplaintIntent(Action):
    """Ask which kind of complaint, one button per complaint intent of the taxonomy."""

    def name(self) -> str:
        return "action_ask_complaint_intent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        buttons = [{"title": i.label, "payload": "/" + i.rasa_name} for i in knowledge().specific_intents_in("complaint")]
        dispatcher.utter_message(response="utter_ask_complaint_intent", buttons=buttons)
        return []


class ActionAskBank(Action):
    """Ask which partner bank, one button per bank of knowledge/banks.yml."""

    def name(self) -> str:
        return "action_ask_bank"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        buttons = [{"title": b.name, "payload": b.name} for b in knowledge().banks]
        dispatcher.utter_message(response="utter_ask_bank", buttons=buttons)
        return []


def summary(slots: dict[str, Any]) -> dict[str, str]:
    """The values the confirmation shows; personal data in them masked (Art. 9, 51)."""
    intent = knowledge().intent(slots["complaint_intent"])
    return {
        "category": intent.label,
        "bank": slots.get("bank") or "",
        "outlet": mask(slots.get("outlet") or ""),
        "incident_time": mask(slots.get("incident_time") or ""),
        "description": mask(slots.get("description") or ""),
        "phone_masked": mask(slots.get("phone") or ""),
    }


class ActionAskComplaintConfirmed(Action):
    """The confirmation step: everything that will be sent, the phone number masked."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        slots = dict(tracker.slots)
        response = "utter_complaint_summary" if slots.get("wants_contact") else "utter_complaint_summary_no_contact"
        dispatcher.utter_message(response=response, **summary(slots))
        return []


def case_data(tracker: Tracker) -> CaseCreate:
    """The case to record, from the form's slots."""
    slot = tracker.get_slot
    outlet = slot("outlet")
    details = [slot("incident_time"), slot("description")]
    wants_contact = bool(slot("wants_contact"))
    return CaseCreate(
        kind="complaint",
        intent=slot("complaint_intent"),
        bank=slot("bank"),
        outlet=None if not outlet or is_unknown(outlet) else outlet,
        channel=CHANNEL,
        description="；".join(d.strip() for d in details if d and d.strip()),
        contact_phone=slot("phone") if wants_contact else None,
        consent_to_contact=wants_contact,
        citizen_ref=citizen_ref(tracker),
    )


def reset() -> list[EventType]:
    return [SlotSet(name, None) for name in (*SLOTS, CANCELLED)]


class ActionSubmitComplaint(Action):
    """After the form: record the complaint and its transfer ticket, or confirm the cancellation."""

    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot(CANCELLED) or not tracker.get_slot("complaint_confirmed"):
            dispatcher.utter_message(response="utter_complaint_cancelled")
            return reset()
        recorded = await backoffice.record_or_explain(dispatcher, lambda: case_data(tracker))
        if recorded is None:
            return reset()
        case, ticket = recorded
        if ticket is None:  # cannot happen: the form requires a bank
            dispatcher.utter_message(response="utter_case_not_recorded")
            return reset()
        if case.duplicate_of is not None:  # the same matter as an open ticket: its number, not a new one
            dispatcher.utter_message(text=knowledge().messages.render(
                "complaint_linked", ticket=ticket.number, bank=ticket.bank, due=ticket.due_date.isoformat()))
            return reset()
        response = "utter_complaint_recorded_provisional" if ticket.due_provisional else "utter_complaint_recorded"
        dispatcher.utter_message(response=response, bank=ticket.bank, ticket=ticket.number,
                                 due=ticket.due_date.isoformat())
        return reset()
