"""The assistant's own figures for a period: of the conversations that started in it and in which the
citizen wrote, the shares answered without a person, handed to a 12333 operator, and ended without
being understood. A conversation is counted in the month it started, with the outcome its latest
event gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, col, func, select

from bot.outcomes.models import ConversationOutcome, Outcome

COUNTED = (Outcome.answered, Outcome.handed_off, Outcome.not_understood)


class Period(Protocol):
    @property
    def start_utc(self) -> datetime: ...

    @property
    def end_utc(self) -> datetime: ...


@dataclass(frozen=True)
class AssistantFigures:
    answered: int = 0
    handed_off: int = 0
    not_understood: int = 0

    @property
    def conversations(self) -> int:
        return self.answered + self.handed_off + self.not_understood

    def share(self, outcome: Outcome) -> float | None:
        """The share of `outcome` among the counted conversations; None without any."""
        return getattr(self, outcome.value) / self.conversations if self.conversations else None

    def share_of(self, key: str) -> float | None:
        return self.share(Outcome(key))

    def __getitem__(self, key: str) -> int:
        return int(getattr(self, Outcome(key).value))


def assistant_figures(session: Session, *, period: Period) -> AssistantFigures:
    rows = session.exec(select(ConversationOutcome.outcome, func.count())
                        .where(col(ConversationOutcome.started_at) >= period.start_utc,
                               col(ConversationOutcome.started_at) < period.end_utc,
                               col(ConversationOutcome.outcome).in_(COUNTED))
                        .group_by(ConversationOutcome.outcome)).all()
    counts = {Outcome(outcome).value: int(n) for outcome, n in rows}
    return AssistantFigures(**counts)


__all__ = ["COUNTED", "AssistantFigures", "assistant_figures"]
