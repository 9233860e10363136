"""What the ledger announces when it changes, and who reacts to it.

The ledger records cases and tickets; forwarding (deliveries to banks), notifications (messages
to citizens) and thresholds (Art. 43–48) react to what it records. So that the ledger knows none
of them, each change is published as an event to the `Reactions` the caller passes in, and every
reaction runs at once, in the caller's session: the change and everything that follows from it
commit together or not at all. The product's reactions are composed in `bot.reactions`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from sqlmodel import Session

from bot.knowledge import Knowledge
from bot.ledger.models import Case, Ticket


@dataclass(frozen=True)
class TicketOpened:
    """A transfer ticket was opened for a new complaint or praise aimed at a bank (Art. 27)."""

    ticket: Ticket
    case: Case
    at: datetime


@dataclass(frozen=True)
class TicketEscalated:
    """An overdue transfer ticket got its supervision ticket (Art. 48)."""

    ticket: Ticket
    supervision: Ticket
    case: Case
    at: datetime


@dataclass(frozen=True)
class ResultReported:
    """The bank reported the result of a ticket (Art. 9, 33)."""

    ticket: Ticket
    case: Case
    result: str
    at: datetime


@dataclass(frozen=True)
class TicketVerified:
    """The agency's finding on the case behind a ticket reached the ticket (Art. 28, 50)."""

    ticket: Ticket
    case: Case
    found_true: bool
    at: datetime


@dataclass(frozen=True)
class TicketReopened:
    """A verified ticket went back to its bank for a second handling (the citizen was dissatisfied)."""

    ticket: Ticket
    case: Case
    at: datetime


@dataclass(frozen=True)
class BankCountsChanged:
    """What counts toward `bank`'s thresholds changed for the periods holding `period_at` (Art. 43–48, 50)."""

    bank: str
    period_at: datetime
    at: datetime


LedgerEvent: TypeAlias = (TicketOpened | TicketEscalated | ResultReported | TicketVerified | TicketReopened
                          | BankCountsChanged)
Reaction: TypeAlias = Callable[[Session, LedgerEvent, Knowledge], None]


class Reactions:
    """The reactions to each kind of ledger event, run in order in the publisher's session."""

    def __init__(self, table: Mapping[type, Sequence[Reaction]] | None = None) -> None:
        self._table = {kind: tuple(reactions) for kind, reactions in (table or {}).items()}

    def publish(self, session: Session, event: LedgerEvent, *, knowledge: Knowledge) -> None:
        """Run every reaction to `event`; an exception propagates and the caller's transaction rolls back."""
        for react in self._table.get(type(event), ()):
            react(session, event, knowledge)
