"""Ticket status: by the ticket number in the message, or the citizen's own tickets.

Read from the ledger (bot.ledger.models) in one session; state and kind in the Chinese of the
reports (bot.reports.labels, from the catalogue). The bank's result is shown only to the citizen whose ticket it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from actions import backoffice
from actions.turn import Turn, citizen_ref, knowledge, operator_value, send
from bot.answers import compose_reply
from bot.ledger.models import Case, Ticket
from bot.ledger.tickets import citizen_tickets
from bot.nlu.interpret import Interpretation
from bot.reports import labels

SHOW_AT_MOST = 5
ASK_FOR_NUMBER = Interpretation(text="", category="other", intent="other/ticket_status", confidence=1.0)


@dataclass(frozen=True)
class TicketView:
    """What the citizen is shown of one ticket."""

    number: str
    kind: str
    bank: str
    outlet: str
    state: str
    due: str
    result: str | None

    @classmethod
    def of(cls, ticket: Ticket, *, with_result: bool) -> TicketView:
        k = knowledge()
        return cls(number=ticket.number, kind=labels.ticket_kind(k, ticket.kind.value), bank=ticket.bank,
                   outlet=ticket.outlet or "", state=labels.ticket_state(k, ticket.state.value),
                   due=ticket.due_date.isoformat(), result=ticket.result_report if with_result else None)


def by_numbers(numbers: list[str], ref: str):
    def work(session: Session) -> dict[str, TicketView | None]:
        found: dict[str, TicketView | None] = {}
        for number in numbers:
            ticket = session.exec(select(Ticket).where(Ticket.number == number)).first()
            if ticket is None:
                found[number] = None
                continue
            case = session.get(Case, ticket.case_id)
            found[number] = TicketView.of(ticket, with_result=case is not None and case.citizen_ref == ref)
        return found

    return work


def of_citizen(ref: str):
    def work(session: Session) -> tuple[int, list[TicketView]]:
        count, latest = citizen_tickets(session, citizen_ref=ref, limit=SHOW_AT_MOST)
        return count, [TicketView.of(t, with_result=True) for t in latest]

    return work


def show(dispatcher: CollectingDispatcher, view: TicketView) -> None:
    dispatcher.utter_message(response="utter_ticket_status", kind=view.kind, number=view.number, bank=view.bank,
                             outlet=view.outlet, state=view.state, due=view.due)
    if view.result:
        dispatcher.utter_message(response="utter_ticket_result", result=view.result)


class ActionTicketStatus(Action):
    def name(self) -> str:
        return "action_ticket_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        numbers = Turn.of(tracker).ticket_numbers()
        ref = citizen_ref(tracker)
        try:
            if numbers:
                for number, view in (await backoffice.run(by_numbers(numbers, ref))).items():
                    if view is None:
                        dispatcher.utter_message(response="utter_ticket_not_found", number=number)
                    else:
                        show(dispatcher, view)
                return []
            count, views = await backoffice.run(of_citizen(ref))
        except (SQLAlchemyError, OSError):
            dispatcher.utter_message(response="utter_backoffice_unavailable",
                                     service_phone=operator_value("service_phone"))
            return []
        if not views:
            send(dispatcher, compose_reply(ASK_FOR_NUMBER, knowledge()))
            return []
        dispatcher.utter_message(response="utter_your_tickets", count=str(count))
        for view in views:
            show(dispatcher, view)
        return []
