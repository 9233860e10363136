"""The product's reactions to what the ledger records, in the order they run.

Every entry point that changes the ledger (the assistant's actions, the console, the bank API,
the scheduled escalation) passes `ledger_reactions()`; a test of the ledger alone may pass its own.
"""

from __future__ import annotations

from bot.forwarding.reactions import forward_escalated, forward_finding, forward_opened
from bot.ledger.events import (
    BankCountsChanged,
    Reactions,
    ResultReported,
    TicketEscalated,
    TicketOpened,
    TicketVerified,
)
from bot.notifications.reactions import tell_escalation, tell_finding, tell_result
from bot.thresholds.reactions import reevaluate


def ledger_reactions() -> Reactions:
    """Deliveries to the bank, messages to the citizen and threshold evaluation, as the ledger changes."""
    return Reactions({
        TicketOpened: [forward_opened],
        TicketEscalated: [forward_escalated, tell_escalation],
        ResultReported: [tell_result],
        TicketVerified: [forward_finding, tell_finding],
        BankCountsChanged: [reevaluate],
    })
