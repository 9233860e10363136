"""Art. 19 in the chat: the one-time notice is numbered and registered, and a reminder is offered.

The answer to a matter that cannot be finished as asked (no photo, an insurance-record error)
already carries the notice's content (actions.inquiries). Here it is registered in the back office
(bot.one_time_notices: number, time, matter, the citizen's chat as contact) and the citizen is
offered a reminder before the follow-up window ends; the answer to that offer is
``action_notice_reminder`` (dialogue/rules.yml, under the slot ``reminder_offered``).
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from actions import backoffice
from actions.forms import yes_or_no
from actions.turn import Turn, citizen_ref, knowledge, operator_value
from bot.clock import get_clock
from bot.ledger.errors import LedgerError
from bot.one_time_notices.models import OneTimeNotice
from bot.one_time_notices.registry import register_notice, reminder_time, request_reminder

NOTICE_NUMBER = "notice_number"
REMINDER_OFFERED = "reminder_offered"
CHANNEL = "telegram"


def has_notice(intent: str) -> bool:
    """Whether the answer to `intent` is a one-time notice (knowledge/guides.yml names its case)."""
    guides = knowledge().guides
    return intent in guides and guides[intent].notice_case is not None


async def issue_notice(dispatcher: CollectingDispatcher, tracker: Tracker, *, intent: str) -> list[EventType]:
    """Register the notice the answer to `intent` carried and offer the reminder."""

    def work(session: Session) -> OneTimeNotice:
        return register_notice(session, matter=intent, channel=CHANNEL, citizen_ref=citizen_ref(tracker),
                               knowledge=knowledge(), now=get_clock().now())

    try:
        notice = await backoffice.run(work, commit=True)
    except (LedgerError, SQLAlchemyError, OSError):
        # The notice's content has been given; only its number is missing. Say so, lose nothing else.
        dispatcher.utter_message(response="utter_notice_not_registered", service_phone=operator_value("service_phone"))
        return []
    dispatcher.utter_message(response="utter_notice_registered", number=notice.number,
                             follow_up_by=knowledge().messages.render("date_month_day", month=notice.follow_up_by.month,
                                                                      day=notice.follow_up_by.day))
    return [SlotSet(NOTICE_NUMBER, notice.number), SlotSet(REMINDER_OFFERED, True)]


def withdraw_reminder_offer(tracker: Tracker) -> list[EventType]:
    """Events that close an open reminder offer (none when there is none)."""
    if tracker.get_slot(REMINDER_OFFERED):
        return [SlotSet(REMINDER_OFFERED, False), SlotSet(NOTICE_NUMBER, None)]
    return []


class ActionNoticeReminder(Action):
    """The citizen's answer to the reminder offer: queue the reminder, or not."""

    def name(self) -> str:
        return "action_notice_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        done = [SlotSet(REMINDER_OFFERED, False), SlotSet(NOTICE_NUMBER, None)]
        number = tracker.get_slot(NOTICE_NUMBER)
        if not number or yes_or_no(Turn.of(tracker)) is not True:
            dispatcher.utter_message(response="utter_notice_reminder_declined",
                                     service_phone=operator_value("service_phone"))
            return done

        def work(session: Session) -> OneTimeNotice:
            return request_reminder(session, number=number, knowledge=knowledge(), now=get_clock().now())

        try:
            notice = await backoffice.run(work, commit=True)
        except LedgerError as error:
            dispatcher.utter_message(text=knowledge().messages.explain(error))
            return done
        except (SQLAlchemyError, OSError):
            dispatcher.utter_message(response="utter_backoffice_unavailable",
                                     service_phone=operator_value("service_phone"))
            return done
        at = reminder_time(notice)
        dispatcher.utter_message(response="utter_notice_reminder_set", number=notice.number,
                                 remind_on=knowledge().messages.render("date_month_day", month=at.month,
                                                                       day=at.day))
        return done
