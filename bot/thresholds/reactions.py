"""Thresholds follow the ledger: a bank's rules are evaluated again whenever its counts change."""

from __future__ import annotations

from sqlmodel import Session

from bot.knowledge import Knowledge
from bot.ledger.events import BankCountsChanged
from bot.thresholds.evaluation import evaluate


def reevaluate(session: Session, event: BankCountsChanged, knowledge: Knowledge) -> None:
    """Fire what the new counts reach, recorded at the instant of the change (under the ledger's bank lock)."""
    evaluate(session, bank=event.bank, at=event.period_at, now=event.at, knowledge=knowledge)
