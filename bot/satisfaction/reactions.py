"""The callback a verified result calls for, created in the transaction that verified it."""

from __future__ import annotations

from sqlmodel import Session

from bot.knowledge import Knowledge
from bot.ledger.events import ResultReported, TicketVerified
from bot.satisfaction.callbacks import open_callback


def ask_on_verification(session: Session, event: TicketVerified, knowledge: Knowledge) -> None:
    """The agency's finding made the bank's result final: ask the citizen about it."""
    open_callback(session, ticket=event.ticket, case=event.case, knowledge=knowledge, now=event.at)


def ask_on_second_result(session: Session, event: ResultReported, knowledge: Knowledge) -> None:
    """A reopened ticket's new result stands verified at once (the finding stands): ask again."""
    open_callback(session, ticket=event.ticket, case=event.case, knowledge=knowledge, now=event.at)
