"""Satisfaction rates (Art. 25(二), 40): 满意 and 基本满意 over the callbacks answered in a month or year,
per bank, outlet or district. A callback counts in the period its answer was given in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy import case as when
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.ledger.models import Case, Ticket
from bot.satisfaction.models import Answer, CallbackState, SatisfactionCallback


class Period(Protocol):
    """A month or a year as `bot.reports.periods.Period` gives it (the reports read these rates, so the
    type is described here rather than imported)."""

    @property
    def start_utc(self) -> datetime: ...

    @property
    def end_utc(self) -> datetime: ...

Grouping = Literal["bank", "outlet", "district", "outlet_district"]
# What the console offers; "outlet_district" (bank, outlet and the case's district together) is the
# finest grouping, from which a report adds up all three at once with a single query.
GROUPINGS: tuple[Grouping, ...] = ("bank", "outlet", "district")


@dataclass(frozen=True)
class Rate:
    bank: str | None  # None when grouped by district
    outlet: str | None  # only when grouped by outlet (or outlet_district)
    district: str | None  # only when grouped by district (or outlet_district)
    answered: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int

    @property
    def rate(self) -> float | None:
        """The share of answers that were 满意 or 基本满意; None without answers."""
        return (self.satisfied + self.basically_satisfied) / self.answered if self.answered else None


def _count(answer: Answer):  # type: ignore[no-untyped-def]
    return func.sum(when((SatisfactionCallback.answer == answer, 1), else_=0))


def satisfaction_rates(session: Session, *, period: Period, by: Grouping, scope: str | None = None) -> list[Rate]:
    """One rate per bank, outlet (of a bank) or district with answers in `period`; `scope` limits to a district."""
    keys = {"bank": (col(Ticket.bank),), "outlet": (col(Ticket.bank), col(Ticket.outlet)),
            "district": (col(Case.district),),
            "outlet_district": (col(Ticket.bank), col(Ticket.outlet), col(Case.district))}[by]
    query = (select(*keys, func.count(), _count(Answer.satisfied), _count(Answer.basically_satisfied),
                    _count(Answer.dissatisfied))
             .select_from(SatisfactionCallback)
             .join(Ticket, col(Ticket.id) == col(SatisfactionCallback.ticket_id))
             .join(Case, col(Case.id) == col(Ticket.case_id))
             .where(SatisfactionCallback.state == CallbackState.answered,
                    col(SatisfactionCallback.answered_at) >= period.start_utc,
                    col(SatisfactionCallback.answered_at) < period.end_utc)
             .group_by(*keys).order_by(*keys))
    if scope is not None:
        query = query.where(Case.district == scope)
    rates = []
    for row in session.exec(query).all():
        values = tuple(row)
        counts = [int(v or 0) for v in values[len(keys):]]
        names = {"outlet": ("bank", "outlet"), "outlet_district": ("bank", "outlet", "district")}.get(by, (by,))
        named = dict(zip(names, values[:len(keys)], strict=True))
        rates.append(Rate(bank=named.get("bank"), outlet=named.get("outlet"), district=named.get("district"),
                          answered=counts[0], satisfied=counts[1], basically_satisfied=counts[2],
                          dissatisfied=counts[3]))
    return rates


def overall(rates: list[Rate]) -> Rate:
    """The sum of `rates` (one grouping's rows), for the total line."""
    return Rate(bank=None, outlet=None, district=None, answered=sum(r.answered for r in rates),
                satisfied=sum(r.satisfied for r in rates),
                basically_satisfied=sum(r.basically_satisfied for r in rates),
                dissatisfied=sum(r.dissatisfied for r in rates))


__all__ = ["GROUPINGS", "Grouping", "Rate", "overall", "satisfaction_rates"]
