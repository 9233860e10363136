"""Card progress (progress_form): the date a card is due under Art. 17, from the acceptance date.

The limit is one of knowledge/time_limits.yml: first application unless the citizen mentions a
replacement, a temporary card, a child without an ID card, a unit batch or an off-site person /
benefit recipient. Working days are counted by bot.workdays (official calendar; a date reaching
a year whose calendar is not known yet is flagged as provisional). A message that gives no date
is not an answer: the form is left and the message handled as usual (dialogue/rules.yml).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions import dates
from actions.turn import LIKELY, Turn, knowledge, send
from bot.answers import render_guide
from bot.workdays import get_calendar

FORM = "progress_form"
DEFAULT_LIMIT = "first_application"
def limit_named(turn: Turn) -> str | None:
    """The time limit a message points to, if it names one (knowledge/words.yml, in its order)."""
    return next((entry.limit for entry in knowledge().words.time_limit
                 if any(word in turn.compact for word in entry.words)), None)


class ValidateProgressForm(FormValidationAction):
    """Read the acceptance date; anything that is not a date leaves the form to the rules."""

    def name(self) -> str:
        return "validate_progress_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        turn = Turn.of(tracker)
        updates: dict[str, Any] = {}
        if turn.activated(FORM):
            updates = {"acceptance_date": None, "time_limit": limit_named(turn) or DEFAULT_LIMIT}
            updates.update(self._date(turn, dispatcher))
        elif turn.handled_elsewhere(FORM):
            pass
        else:
            updates = self._date(turn, dispatcher)
            progress = turn.is_intent("inquiry_progress", at_least=LIKELY)
            if updates or progress:  # an answer, or the question again ("补的卡呢？"): not a new topic
                if kind := limit_named(turn):
                    updates["time_limit"] = kind
                updates.setdefault("acceptance_date", None)
        done = bool(updates.get("acceptance_date"))
        return [SlotSet(k, v) for k, v in updates.items()] + [
            SlotSet(REQUESTED_SLOT, None if done else "acceptance_date")]

    @staticmethod
    def _date(turn: Turn, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        """The acceptance date the message gives; an impossible one is said so and emptied."""
        today = dates.today()
        reading = dates.read_date(turn.text, today)
        if not reading.mentioned:
            return {}
        if reading.day is not None and reading.day <= today:
            return {"acceptance_date": reading.day.isoformat()}
        if reading.day is not None:
            dispatcher.utter_message(response="utter_date_in_future", today=today.isoformat())
        else:
            dispatcher.utter_message(response="utter_invalid_date")
        return {"acceptance_date": None}


class ActionAskAcceptanceDate(Action):
    """Ask for the acceptance date; when the form has just started, with the complete answer first."""

    def name(self) -> str:
        return "action_ask_acceptance_date"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if Turn.of(tracker).activated(FORM):
            k = knowledge()
            send(dispatcher, render_guide(k.guide("inquiry/progress"), k))
        dispatcher.utter_message(response="utter_ask_acceptance_date")
        return []


class ActionProgressDue(Action):
    """The due date of the card under Art. 17, with a pointer to a complaint once it has passed."""

    def name(self) -> str:
        return "action_progress_due"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = [SlotSet("acceptance_date", None), SlotSet("time_limit", None)]
        accepted = tracker.get_slot("acceptance_date")
        if not accepted:
            return events
        limits = knowledge().time_limits
        limit = limits.get(tracker.get_slot("time_limit") or DEFAULT_LIMIT) or limits[DEFAULT_LIMIT]
        start = date.fromisoformat(accepted)
        if limit.immediate:
            dispatcher.utter_message(response="utter_progress_immediate", label=limit.label,
                                     start=start.isoformat())
            return events
        due = get_calendar().add_working_days(start, limit.working_days)
        dispatcher.utter_message(
            response="utter_progress_due_provisional" if due.provisional else "utter_progress_due",
            label=limit.label, days=str(limit.working_days), start=start.isoformat(), due=due.due.isoformat())
        today = dates.today()
        if due.due < today:
            dispatcher.utter_message(response="utter_progress_overdue", today=today.isoformat())
        else:
            dispatcher.utter_message(response="utter_progress_not_due")
        return events
