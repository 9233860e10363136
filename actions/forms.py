"""What the intake forms share: one validation pass per message, interruptions, cancellation.

Rasa runs ``validate_<form>`` after every message while the form is active (and once when it
starts). ``IntakeForm.run`` reads the message once and returns the slots it fills (or empties,
with a message saying why) and the next slot to ask for. It returns no slot at all when the
message is not an answer but a question of its own (an inquiry, out of scope, a ticket number, a
request for a person): Rasa then rejects the form, a rule answers the question, and the form asks
its question again. Saying "算了" or "取消" sets ``intake_cancelled`` and ends the form; the
submit action then records nothing.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.turn import LIKELY, SURE, Turn, knowledge

CANCELLED = "intake_cancelled"
# Below this confidence an inquiry-like message is still read as an answer to the question.
INTERRUPT_CONFIDENCE = LIKELY
# A request for a person must be unmistakable: short answers ("一个工作人员", 0.92) look like one.
HANDOFF_CONFIDENCE = SURE
# A trigger message at least this long already tells what happened.
DETAILED = 12
# Yes/no words count in replies up to this long ("不需要，谢谢"); a longer message is a statement.
SHORT_REPLY = 10

SMALL_TALK = ("other_greet", "other_thanks", "other_goodbye", "other_affirm", "other_deny")


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(word in text for word in words)


def is_cancel(turn: Turn) -> bool:
    """The citizen abandons the form ("算了", "取消投诉"); a long message is an answer instead."""
    return len(turn.compact) <= SHORT_REPLY and _has(turn.compact, knowledge().words.cancel)


def is_correction(turn: Turn) -> bool:
    return _has(turn.compact, knowledge().words.correction)


def is_question(turn: Turn) -> bool:
    return _has(turn.compact, knowledge().words.question)


def is_unknown(text: str) -> bool:
    """"不记得了": the citizen does not know (an optional detail is then left out)."""
    return _has(text, knowledge().words.unknown)


def yes_or_no(turn: Turn) -> bool | None:
    """The answer to a yes/no question, or None if the message is neither: the one reader of yes and no.

    The words of knowledge/words.yml decide a short reply; a longer message is a statement, and
    only a clear classification makes it a yes or a no.
    """
    words, text = knowledge().words, turn.compact
    if len(text) > SHORT_REPLY:
        return True if turn.is_intent("other_affirm", at_least=SURE) else (
            False if turn.is_intent("other_deny", at_least=SURE) else None)
    if text.startswith(words.sure):
        return True
    if _has(text, words.deny) or turn.is_intent("other_deny", at_least=LIKELY):
        return False
    if _has(text, words.affirm) or turn.is_intent("other_affirm", at_least=LIKELY):
        return True
    return None


def interrupts(turn: Turn, *, free_text: bool) -> bool:
    """The message is a request of its own rather than an answer to the form's question.

    Inquiries and out-of-scope questions are answered by action_answer, ticket questions by
    action_ticket_status, a request for a person by action_handoff (rules in dialogue/rules.yml).
    Where any text is an answer (what happened, which outlet), only a question interrupts.
    """
    if turn.is_intent("other_handoff", at_least=HANDOFF_CONFIDENCE):
        return True
    if turn.is_intent("other_ticket_status", at_least=INTERRUPT_CONFIDENCE):
        return bool(turn.ticket_numbers()) or is_question(turn) or _has(turn.compact, knowledge().words.ticket)
    asks = turn.category == "inquiry" or turn.intent == "other_out_of_scope"
    if not asks or turn.confidence < INTERRUPT_CONFIDENCE:
        return False
    return is_question(turn) or not free_text


def is_phone_answer(turn: Turn) -> bool:
    """The message gives a mobile number and says little else ("回电请打13912345678"): the number
    is what it says, not a detail of a longer account."""
    return turn.phone() is not None and len(_without_number(turn.compact)) <= SHORT_REPLY


def _without_number(text: str) -> str:
    """The text without its digits and the separators people type in a phone number."""
    return re.sub(r"[\d\s\-－—+()（）]", "", text)


def is_small_talk(turn: Turn) -> bool:
    """A greeting, thanks or bare yes/no where a few words of detail were asked for."""
    return turn.is_intent(*SMALL_TALK, at_least=SURE) and len(turn.compact) <= 6


class IntakeForm(FormValidationAction):
    """Validation of an intake form; subclasses say what each message means for their slots."""

    # Every slot the form fills: emptied when the form starts, so nothing of an earlier,
    # abandoned intake leaks into this one.
    owned_slots: tuple[str, ...] = ()

    @abstractmethod
    def required(self, slots: dict[str, Any]) -> list[str]:
        """The slots still to fill, in the order they are asked for, given the current values."""

    @abstractmethod
    def prefill(self, turn: Turn, slots: dict[str, Any]) -> dict[str, Any]:
        """Slots the message that started the form already answers."""

    @abstractmethod
    def answer(self, turn: Turn, requested: str | None, slots: dict[str, Any],
               dispatcher: CollectingDispatcher) -> dict[str, Any]:
        """Slots this message fills, corrects or empties; {} if it is not an answer at all."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        form = self.form_name()
        turn = Turn.of(tracker)
        slots = dict(tracker.slots)
        if turn.activated(form):
            fresh = {name: None for name in self.owned_slots}
            updates: dict[str, Any] = {CANCELLED: None, **fresh, **self.prefill(turn, {**slots, **fresh})}
        elif turn.handled_elsewhere(form):
            updates = {}
        elif is_cancel(turn):
            updates = {CANCELLED: True}
        else:
            updates = self.answer(turn, tracker.get_slot(REQUESTED_SLOT), slots, dispatcher)
        slots.update(updates)
        missing = [] if slots.get(CANCELLED) else [s for s in self.required(slots) if slots.get(s) is None]
        return [SlotSet(name, value) for name, value in updates.items()] + [
            SlotSet(REQUESTED_SLOT, missing[0] if missing else None)]
