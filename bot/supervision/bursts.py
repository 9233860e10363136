"""Bursts (突增预警): an outlet or a complaint type of a bank whose complaints of the last 7 days
stand well above its own previous weeks, shown before any rule of Art. 43–48 is reached.

Each subject is compared with itself: the complaints received in the 7 days up to now against
the counts of the `baseline_weeks` 7-day spans before them (knowledge/rules.yml ``bursts``). A
burst is raised when the latest count reaches `min_count` and exceeds the baseline's mean by
`factor` spreads (the population standard deviation of the baseline weeks, but at least √mean —
the spread of a Poisson count — and `min_spread`, so that a subject that had exactly one complaint
every week is not "bursting" at two). Rolling spans rather than
calendar weeks: on a Monday morning the last 7 days are as full as on a Sunday.

Counted: complaints about a bank, once per matter (a duplicate joins its first case,
bot.ledger.duplicates), not found untrue, through any channel — a warning, not a count of
Art. 50. A district supervisor sees the bursts of their district's complaints only. Every burst
names its cases and its baseline, so it explains itself.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from bot.clock import as_utc
from bot.knowledge import Knowledge
from bot.ledger.models import Case, CaseKind, Ticket, TicketKind, Verification

OUTLET = "outlet"
COMPLAINT_TYPE = "complaint_type"
WEEK = timedelta(days=7)
CASES_LISTED = 20


@dataclass(frozen=True)
class BurstCase:
    id: int
    intent: str
    outlet: str | None
    district: str | None
    received_at: datetime
    ticket: str | None  # the transfer ticket's number


@dataclass(frozen=True)
class Burst:
    """One subject's last 7 days against its baseline weeks."""

    subject: str  # OUTLET | COMPLAINT_TYPE
    bank: str
    key: str  # the outlet's name or the complaint intent
    count: int
    weekly: tuple[int, ...]  # the baseline weeks' counts, oldest first
    mean: float
    spread: float
    limit: float  # the count had to exceed this
    since: datetime
    until: datetime
    cases: tuple[BurstCase, ...]  # the last 7 days' cases, newest first (up to CASES_LISTED)


def _baseline(weekly: list[int], *, factor: float, min_spread: float) -> tuple[float, float, float]:
    """(mean, spread, limit). Four weeks say little of a count's spread (4, 4, 3, 5 looks steadier than
    it is), so the spread is at least that of a Poisson count of that mean, √mean, and `min_spread`."""
    mean = statistics.fmean(weekly)
    spread = max(statistics.pstdev(weekly), math.sqrt(mean), min_spread)
    return mean, spread, mean + factor * spread


def bursts(session: Session, *, now: datetime, knowledge: Knowledge, scope: str | None = None) -> list[Burst]:
    """The bursts at `now`, the largest excess first; `scope` a district (None: the whole city).

    The weekly counts are grouped in the database (one row per subject and week, whatever the
    number of complaints); only the cases of a bursting subject are read.
    """
    rules = knowledge.rules.bursts
    until = as_utc(now)
    weeks = rules.baseline_weeks
    # 0: the last 7 days, k: the k-th 7-day span before them.
    age = case(*((Case.received_at > until - WEEK * (k + 1), k) for k in range(weeks)), else_=weeks)
    where: list[Any] = [Case.kind == CaseKind.complaint, col(Case.bank).is_not(None),
                        col(Case.duplicate_of).is_(None), Case.verification != Verification.not_true,
                        Case.received_at > until - WEEK * (weeks + 1), Case.received_at <= until]
    if scope is not None:
        where.append(Case.district == scope)
    columns = {OUTLET: Case.outlet, COMPLAINT_TYPE: Case.intent}
    found: list[tuple[float, Burst]] = []
    for subject in rules.subjects:
        column = columns[subject]
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (weeks + 1))
        grouped = (select(Case.bank, column, age.label("age"), func.count())
                   .where(*where, column.is_not(None)).group_by(Case.bank, column, age))  # type: ignore[union-attr]
        for bank, name, week, n in session.exec(grouped):  # type: ignore[call-overload]
            counts[(bank, name)][int(week)] += int(n)
        for (bank, name), weekly in counts.items():
            count, baseline = weekly[0], list(reversed(weekly[1:]))
            if count < rules.min_count:
                continue
            mean, spread, limit = _baseline(baseline, factor=rules.factor, min_spread=rules.min_spread)
            if count <= limit:
                continue
            cases = _cases(session, [*where, Case.bank == bank, column == name, Case.received_at > until - WEEK])
            found.append((count - limit, Burst(subject=subject, bank=bank, key=name, count=count,
                                               weekly=tuple(baseline), mean=mean, spread=spread, limit=limit,
                                               since=until - WEEK, until=until, cases=cases)))
    found.sort(key=lambda pair: (-pair[0], pair[1].bank, pair[1].subject, pair[1].key))
    return [burst for _, burst in found]


def _cases(session: Session, where: list[Any]) -> tuple[BurstCase, ...]:
    """A bursting subject's cases of the last 7 days, newest first, with their transfer tickets."""
    rows = session.exec(select(Case.id, Case.intent, Case.outlet, Case.district, Case.received_at, Ticket.number)
                        .join(Ticket, (col(Ticket.case_id) == col(Case.id)) & (Ticket.kind == TicketKind.transfer),
                              isouter=True)
                        .where(*where).order_by(col(Case.received_at).desc(), col(Case.id).desc())
                        .limit(CASES_LISTED)).all()
    return tuple(BurstCase(id=r[0], intent=r[1], outlet=r[2], district=r[3], received_at=r[4], ticket=r[5])
                 for r in rows)


def describe(burst: Burst, knowledge: Knowledge) -> tuple[str, str]:
    """The burst's title and its baseline, in the catalogue's words."""
    m, rules = knowledge.messages, knowledge.rules.bursts
    if burst.subject == OUTLET:
        title = m.render("burst_outlet_title", bank=burst.bank, outlet=burst.key, count=burst.count)
    else:
        title = m.render("burst_type_title", bank=burst.bank, type=knowledge.intent(burst.key).label,
                         count=burst.count)
    baseline = m.render("burst_baseline", weeks=len(burst.weekly), weekly="、".join(map(str, burst.weekly)),
                        mean=f"{burst.mean:.1f}", spread=f"{burst.spread:.1f}", limit=f"{burst.limit:.1f}",
                        factor=f"{rules.factor:g}", min_count=rules.min_count)
    return title, baseline


@dataclass(frozen=True)
class BurstView:
    """A burst as the supervision pages show it."""

    burst: Burst
    title: str
    baseline: str
    intent_labels: dict[str, str]


@dataclass(frozen=True)
class BurstPanel:
    title: str
    explanation: str
    items: list[BurstView]


def burst_panel(session: Session, *, now: datetime, knowledge: Knowledge, scope: str | None = None) -> BurstPanel:
    """The bursts of `scope` at `now` with their words, for the home and thresholds pages."""
    items = []
    for burst in bursts(session, now=now, knowledge=knowledge, scope=scope):
        title, baseline = describe(burst, knowledge)
        labels = {c.intent: knowledge.intent(c.intent).label for c in burst.cases}
        items.append(BurstView(burst=burst, title=title, baseline=baseline, intent_labels=labels))
    m = knowledge.messages
    return BurstPanel(title=m.text("alert_bursts_title"), explanation=m.text("alert_bursts_explanation"), items=items)
