"""Evaluating the threshold rules of Art. 43–48 for one bank, and listing what fired.

`evaluate` runs inside the ledger's transaction, after the change, while the caller holds
`bot.ledger.locks.lock_bank` for the bank: every count is then taken after the previous
writer for that bank has committed, so two complaints arriving at the same moment are both
counted by whichever transaction evaluates last. The unique constraint on
(rule_id, level, subject, period) and ON CONFLICT DO NOTHING make a rule fire exactly once
per level, subject and period, whatever the timing.

Formats (stable, shown in reports):
- subject: the bank ("中国建设银行"); for outlet rules the bank and outlet separated by one
  space ("中国建设银行 李村支行"); for rules grouped by complaint type the bank and the intent
  ("中国建设银行 complaint/fees"). Bank names contain no spaces, so `parse_subject` splits at
  the first one.
- period: "2026" (year), "2026-11" (month, Asia/Shanghai), "2026-11/123" (per-case rules: the
  month of the case, then its id).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from bot.knowledge import Knowledge
from bot.knowledge.models import ThresholdRule
from bot.ledger.models import Case, Ticket
from bot.thresholds.models import ThresholdFiring
from bot.thresholds.periods import as_utc, case_period, day_start, local_day, month_of, period_of, year_of
from bot.thresholds.selection import OFFICIAL, WARNING, articles, levels, selection

log = logging.getLogger(__name__)
_UNIQUE = ["rule_id", "level", "subject", "period"]
_PERIOD = re.compile(r"^\d{4}(-\d{2}(/\d+)?)?$")
_reported_uncountable: set[str] = set()


def subject_of(bank: str, *parts: str) -> str:
    """Stable subject of a firing: the bank, then outlet or complaint type, space-separated."""
    return " ".join((bank, *parts))


def parse_subject(subject: str) -> tuple[str, str | None]:
    """(bank, outlet or complaint type or None) of a firing's subject."""
    bank, _, rest = subject.partition(" ")
    return bank, rest or None


@dataclass
class _Hit:
    """A subject and period whose count reached the level's threshold."""

    subject: str
    period: str
    count: int
    case_ids: Callable[[], list[int]]


# --------------------------------------------------------------------------- counting


def _case_hits(session: Session, rule: ThresholdRule, level: str, threshold: int, *, bank: str,
               at: datetime, knowledge: Knowledge) -> Iterator[_Hit]:
    sel = selection(rule, level, knowledge)
    if sel is None:
        if rule.id not in _reported_uncountable:
            _reported_uncountable.add(rule.id)
            log.warning("threshold rule %s counts %s, but no intent in taxonomy.yml cites Art. %s: it cannot fire",
                        rule.id, rule.counts, rule.article)
        return
    period = period_of(rule.period, at)
    where: list[Any] = [
        Case.bank == bank,
        Case.received_at >= period.start,
        Case.received_at < period.end,
        Case.kind == sel.kind,
        Case.channel.in_(sel.channels),  # type: ignore[attr-defined]
        Case.verification.in_(sel.verifications),  # type: ignore[attr-defined]
        # A duplicate is the same matter as its first case: counted once (bot.ledger.duplicates).
        Case.duplicate_of.is_(None),  # type: ignore[union-attr]
    ]
    if sel.intents is not None:
        where.append(Case.intent.in_(sel.intents))  # type: ignore[attr-defined]

    if rule.period == "case":
        if threshold > 1:  # one case is all a per-case rule ever counts
            return
        for case_id, outlet in session.exec(select(Case.id, Case.outlet).where(*where).order_by(Case.id)):
            if rule.subject == "outlet" and outlet is None:
                continue
            subject = subject_of(bank, outlet) if rule.subject == "outlet" else subject_of(bank)
            yield _Hit(subject, case_period(period, case_id), 1, lambda case_id=case_id: [case_id])
        return

    groups: list[Any] = []
    if rule.subject == "outlet":
        groups.append(Case.outlet)
        where.append(Case.outlet.is_not(None))  # type: ignore[union-attr]
    if rule.group_by == "complaint_type":
        groups.append(Case.intent)
    count = func.count(Case.id)
    rows = session.exec(select(*groups, count).where(*where).group_by(*groups).having(count >= threshold)).all() \
        if groups else session.exec(select(count).where(*where).having(count >= threshold)).all()
    for row in rows:
        values = tuple(row[:-1]) if groups else ()
        total = row[-1] if groups else row

        def ids(values: tuple[Any, ...] = values) -> list[int]:
            match = [column == value for column, value in zip(groups, values)]
            query = select(Case.id).where(*where, *match).order_by(Case.received_at, Case.id)
            return list(session.exec(query))

        yield _Hit(subject_of(bank, *values), period.key, int(total), ids)


def _overdue_hits(session: Session, rule: ThresholdRule, threshold: int, *, bank: str,
                  at: datetime) -> Iterator[_Hit]:
    """Art. 48: tickets that became overdue during the month of `at`, up to `at`.

    A ticket becomes overdue on the Shanghai day after its due date when no result was
    reported by then; it counts in the month of that day, also if a result came later. Only
    tickets due in a window of one month are read.
    """
    month = period_of(rule.period, at)
    today = local_day(at)
    first_due = month.first_day - timedelta(days=1)
    last_due = min(today, month.next_first_day) - timedelta(days=1)
    if last_due < first_due:
        return
    rows = session.exec(
        select(Ticket.id, Ticket.case_id, Ticket.outlet, Ticket.due_date, Ticket.result_reported_at)
        .where(Ticket.bank == bank, Ticket.due_date >= first_due, Ticket.due_date <= last_due)
        .order_by(Ticket.due_date, Ticket.id)
    ).all()
    by_subject: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        became_overdue = day_start(row.due_date + timedelta(days=1))
        if row.result_reported_at is not None and as_utc(row.result_reported_at) < became_overdue:
            continue
        if rule.subject == "outlet":
            if row.outlet is None:
                continue
            by_subject[subject_of(bank, row.outlet)].append(row)
        else:
            by_subject[subject_of(bank)].append(row)
    for subject, tickets in by_subject.items():
        if len(tickets) >= threshold:
            case_ids = sorted({t.case_id for t in tickets})
            yield _Hit(subject, month.key, len(tickets), lambda case_ids=case_ids: case_ids)


def _hits(session: Session, rule: ThresholdRule, level: str, threshold: int, *, bank: str, at: datetime,
          knowledge: Knowledge) -> Iterator[_Hit]:
    if rule.counts == "overdue_ticket":
        if level == OFFICIAL:
            yield from _overdue_hits(session, rule, threshold, bank=bank, at=at)
        return
    yield from _case_hits(session, rule, level, threshold, bank=bank, at=at, knowledge=knowledge)


# --------------------------------------------------------------------------- recording


def _existing(session: Session, *, bank: str, at: datetime) -> set[tuple[str, str, str, str]]:
    month, year = month_of(at), year_of(at)
    query = select(ThresholdFiring.rule_id, ThresholdFiring.level, ThresholdFiring.subject, ThresholdFiring.period) \
        .where(ThresholdFiring.bank == bank,
               or_(ThresholdFiring.period.in_([month.key, year.key]),  # type: ignore[attr-defined]
                   ThresholdFiring.period.like(f"{month.key}/%")))  # type: ignore[attr-defined]
    return {tuple(row) for row in session.exec(query)}  # type: ignore[misc]


def _insert(session: Session, values: dict[str, Any]) -> int | None:
    """Insert one firing unless it exists; the new id, or None when it was already there."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert
    elif dialect == "sqlite":
        insert = sqlite.insert
    else:  # pragma: no cover - the product supports these two
        raise NotImplementedError(f"threshold firings need ON CONFLICT support for {dialect}")
    table = ThresholdFiring.__table__  # type: ignore[attr-defined]
    stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=_UNIQUE).returning(table.c.id)
    return session.connection().execute(stmt).scalar_one_or_none()


def _values(rule: ThresholdRule, level: str, hit: _Hit, bank: str, fired_at: datetime) -> dict[str, Any]:
    if level == WARNING and rule.warning is not None:
        consequence, next_steps = rule.warning.note or rule.consequence, []
    else:
        consequence, next_steps = rule.consequence, list(rule.next_steps)
    return {
        "rule_id": rule.id,
        "level": level,
        "subject": hit.subject,
        "bank": bank,
        "period": hit.period,
        "fired_at": as_utc(fired_at),
        "count": hit.count,
        "articles": articles(rule, level),
        "case_ids": hit.case_ids(),
        "consequence": consequence,
        "next_steps": next_steps,
    }


def evaluate(session: Session, *, bank: str, at: datetime, now: datetime,
             knowledge: Knowledge) -> list[ThresholdFiring]:
    """Record every threshold reached for `bank` in the periods containing `at`; return the new firings.

    Call it in the transaction that changed the ledger for `bank`, after the change and while
    holding `lock_bank(session, bank)`. `at` is the instant whose month and year are counted:
    the time a case was received (also when it is verified later), or the time of the overdue
    scan. A naive `at` is read as UTC. Per-case rules look at the cases of the month of `at`.
    `now` is the instant of the ledger change being evaluated: a firing is recorded at it, so
    the month a firing belongs to follows the change, not the clock of whoever runs this.
    Nothing is committed here.
    """
    existing = _existing(session, bank=bank, at=at)
    new_ids: list[int] = []
    for rule in knowledge.rules.thresholds:
        for level, threshold in levels(rule):
            for hit in _hits(session, rule, level, threshold, bank=bank, at=at, knowledge=knowledge):
                key = (rule.id, level, hit.subject, hit.period)
                if key in existing:
                    continue
                new_id = _insert(session, _values(rule, level, hit, bank, now))
                existing.add(key)
                if new_id is not None:
                    new_ids.append(new_id)
    if not new_ids:
        return []
    query = select(ThresholdFiring).where(ThresholdFiring.id.in_(new_ids)).order_by(ThresholdFiring.id)  # type: ignore[union-attr]
    return list(session.exec(query))


def firings(session: Session, *, bank: str | None = None, period: str | None = None,
            rule_id: str | None = None, level: str | None = None) -> list[ThresholdFiring]:
    """Recorded firings, oldest first, for reports and the console.

    `period` is "2026", "2026-11" or a per-case period "2026-11/123"; a year includes its
    months and their per-case firings, a month its per-case firings.
    """
    query = select(ThresholdFiring)
    if bank is not None:
        query = query.where(ThresholdFiring.bank == bank)
    if period is not None:
        if not _PERIOD.match(period):
            raise ValueError(f"period must look like 2026, 2026-11 or 2026-11/123, not {period!r}")
        query = query.where(or_(ThresholdFiring.period == period,
                                ThresholdFiring.period.like(f"{period}-%"),  # type: ignore[attr-defined]
                                ThresholdFiring.period.like(f"{period}/%")))  # type: ignore[attr-defined]
    if rule_id is not None:
        query = query.where(ThresholdFiring.rule_id == rule_id)
    if level is not None:
        query = query.where(ThresholdFiring.level == level)
    return list(session.exec(query.order_by(ThresholdFiring.fired_at, ThresholdFiring.id)))  # type: ignore[arg-type]
