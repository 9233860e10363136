"""The product's reactions to what the ledger records, in the order they run.

Every entry point that changes the ledger (the assistant's actions, the console, the bank API,
the scheduled escalation) passes `ledger_reactions()`; a test of the ledger alone may pass its own.
"""

from __future__ import annotations

from bot.forwarding.reactions import forward_escalated, forward_finding, forward_opened, forward_reopened
from bot.ledger.events import (
    BankCountsChanged,
    Reactions,
    ResultReported,
    TicketEscalated,
    TicketOpened,
    TicketReopened,
    TicketVerified,
)
from bot.notifications.reactions import tell_escalation, tell_finding, tell_result
from bot.satisfaction.reactions import ask_on_second_result, ask_on_verification
from bot.thresholds.reactions import reevaluate


def ledger_reactions() -> Reactions:
    """Deliveries to the bank, messages to the citizen, satisfaction callbacks and threshold evaluation,
    as the ledger changes. The callback follows the finding, so the citizen reads the finding first."""
    return Reactions({
        TicketOpened: [forward_opened],
        TicketEscalated: [forward_escalated, tell_escalation],
        ResultReported: [tell_result, ask_on_second_result],
        TicketVerified: [forward_finding, tell_finding, ask_on_verification],
        TicketReopened: [forward_reopened],
        BankCountsChanged: [reevaluate],
    })
