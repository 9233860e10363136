"""Threshold rules that fired (Art. 43–48, counted per Art. 50), with the cases behind them and
what must happen next — as `bot.thresholds` recorded them; nothing is re-counted here.

Periods follow `bot.thresholds.firings`: "2026" holds the year's firings, its months' and their
per-case ones; "2026-11" the month's and its per-case ones, and — as in the monthly report — the
yearly rules' firings that happened during that month.

A firing belongs to a bank (or a bank's outlet) and counts cases city-wide. A district supervisor
sees only the firings with at least one case of their district, only those cases, and the number
of them — not the city-wide count, which would tell them about other districts' matters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from bot.knowledge import Knowledge
from bot.knowledge.catalogue import Refusal
from bot.ledger.models import Case, Ticket
from bot.reports import labels
from bot.reports.periods import as_local, parse_month, parse_year
from bot.reports.render import articles_label
from bot.supervision.errors import InvalidFilters
from bot.supervision.masking import mask_free_text
from bot.supervision.tickets import intent_label
from bot.thresholds import OFFICIAL, WARNING, parse_subject
from bot.thresholds.models import ThresholdFiring

FIRINGS_PER_PAGE = 20
CASES_PER_FIRING = 10
LEVELS = (OFFICIAL, WARNING)  # named by bot.reports.labels.firing_level


@dataclass(frozen=True)
class RuleFilters:
    period: str  # "2026" or "2026-11"
    bank: str | None = None
    rule_id: str | None = None
    level: str | None = None
    page: int = 1

    def query(self, **changes: object) -> dict[str, str]:
        values = {"period": self.period, "bank": self.bank, "rule": self.rule_id, "level": self.level,
                  "page": self.page, **changes}
        return {k: str(v) for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}


def parse_rule_filters(params: dict[str, str] | Any, *, knowledge: Knowledge, default_period: str) -> RuleFilters:
    """Filters of the rules page from query parameters; InvalidFilters naming every bad field."""
    errors: dict[str, Refusal] = {}

    def raw(name: str) -> str:
        value = params.get(name)
        return value.strip() if isinstance(value, str) else ""

    period = raw("period") or default_period
    try:
        parse_month(period) if "-" in period else parse_year(period)
    except ValueError:
        errors["period"] = Refusal("filter_period_invalid")
        period = default_period
    bank = None
    if raw("bank"):
        bank = knowledge.canonical_bank(raw("bank"))
        if bank is None:
            errors["bank"] = Refusal("not_partner_bank", bank=raw("bank")[:64])
    rule_id = raw("rule") or None
    if rule_id is not None and rule_id not in {r.id for r in knowledge.rules.thresholds}:
        errors["rule"] = Refusal("filter_rule_unknown")
        rule_id = None
    level = raw("level") or None
    if level is not None and level not in LEVELS:
        errors["level"] = Refusal("filter_level_invalid")
        level = None
    page = 1
    if raw("page"):
        page = int(raw("page")) if raw("page").isdigit() else 0
        if not 1 <= page <= 100_000:
            errors["page"] = Refusal("filter_page_invalid")
            page = 1
    if errors:
        raise InvalidFilters(errors)
    return RuleFilters(period=period, bank=bank, rule_id=rule_id, level=level, page=page)


@dataclass(frozen=True)
class FiredCase:
    id: int
    kind_label: str
    intent_label: str
    outlet: str | None
    district: str | None
    received_at: datetime
    verification_label: str
    tickets: list[str]


@dataclass
class FiredRule:
    id: int
    rule_id: str
    rule_label: str
    level: str
    level_label: str
    articles: str
    bank: str
    subject: str
    detail: str | None  # outlet or complaint type of the subject
    period: str
    fired_at: datetime
    count: int  # the rule's count; for a district supervisor, the cases of their district
    count_is_scoped: bool
    consequence: str
    next_steps: list[str]
    cases: list[FiredCase] = field(default_factory=list)
    more_cases: int = 0


@dataclass
class FiredRules:
    filters: RuleFilters
    rows: list[FiredRule]
    total: int
    page: int
    page_size: int
    summary: list[tuple[str, str, int]]  # (rule label, level label, firings)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _conditions(filters: RuleFilters) -> list[Any]:
    period = filters.period
    in_period = [ThresholdFiring.period == period,
                 ThresholdFiring.period.like(f"{period}-%"),  # type: ignore[attr-defined]
                 ThresholdFiring.period.like(f"{period}/%")]  # type: ignore[attr-defined]
    if "-" in period:
        # As in the monthly report: a yearly rule (Art. 43, 44) belongs to the month it fired in.
        month = parse_month(period)
        in_period.append(and_(ThresholdFiring.period == str(month.year),
                              ThresholdFiring.fired_at >= month.start_utc, ThresholdFiring.fired_at < month.end_utc))
    where: list[Any] = [or_(*in_period)]
    if filters.bank:
        where.append(ThresholdFiring.bank == filters.bank)
    if filters.rule_id:
        where.append(ThresholdFiring.rule_id == filters.rule_id)
    if filters.level:
        where.append(ThresholdFiring.level == filters.level)
    return where


def _district_case_ids(session: Session, district: str) -> set[int]:
    return set(session.exec(select(Case.id).where(Case.district == district)))  # type: ignore[arg-type]


def fired_rules(session: Session, *, filters: RuleFilters, scope: str | None, knowledge: Knowledge,
                page_size: int = FIRINGS_PER_PAGE, cases_per_firing: int = CASES_PER_FIRING) -> FiredRules:
    """One page of the firings matching `filters`, newest first, each with its cases (up to
    `cases_per_firing`) and their tickets, plus a count per rule and level."""
    where = _conditions(filters)
    order = (ThresholdFiring.fired_at.desc(), ThresholdFiring.id.desc())  # type: ignore[attr-defined,union-attr]
    if scope is None:
        total = int(session.exec(select(func.count()).select_from(ThresholdFiring).where(*where)).one())
        pages = max(1, -(-total // page_size))
        page = min(filters.page, pages)
        firings = list(session.exec(select(ThresholdFiring).where(*where).order_by(*order)
                                    .limit(page_size).offset((page - 1) * page_size)))
        summary_rows = session.exec(select(ThresholdFiring.rule_id, ThresholdFiring.level, func.count())
                                    .where(*where).group_by(ThresholdFiring.rule_id, ThresholdFiring.level)).all()
        summary_counts = Counter({(r, lv): n for r, lv, n in summary_rows})
        own: dict[int, list[int]] = {f.id: list(f.case_ids or []) for f in firings}  # type: ignore[misc]
    else:
        mine = _district_case_ids(session, scope)
        candidates = session.exec(select(ThresholdFiring.id, ThresholdFiring.rule_id, ThresholdFiring.level,
                                         ThresholdFiring.case_ids).where(*where).order_by(*order)).all()
        kept = [(fid, rule, level, [c for c in (ids or []) if c in mine]) for fid, rule, level, ids in candidates]
        kept = [k for k in kept if k[3]]
        total = len(kept)
        pages = max(1, -(-total // page_size))
        page = min(filters.page, pages)
        shown = kept[(page - 1) * page_size: page * page_size]
        own = {fid: ids for fid, _, _, ids in shown}
        by_id = {f.id: f for f in session.exec(select(ThresholdFiring).where(
            ThresholdFiring.id.in_(list(own))))} if own else {}  # type: ignore[union-attr]
        firings = [by_id[fid] for fid, *_ in shown]
        summary_counts = Counter((rule, level) for _, rule, level, _ in kept)

    cases = _cases(session, [i for ids in own.values() for i in ids[:cases_per_firing]], knowledge)
    rows = []
    for f in firings:
        ids = own[f.id]  # type: ignore[index]
        _, detail = parse_subject(f.subject)
        if detail and detail.startswith(("complaint/", "praise")):
            detail = intent_label(knowledge, detail)
        rows.append(FiredRule(
            id=f.id, rule_id=f.rule_id, rule_label=labels.rule_label(knowledge, f.rule_id),  # type: ignore[arg-type]
            level=f.level,
            level_label=labels.firing_level(knowledge, f.level), articles=articles_label(knowledge, f.articles or []),
            bank=f.bank, subject=mask_free_text(f.subject), detail=mask_free_text(detail) if detail else None,
            period=f.period, fired_at=as_local(f.fired_at), count=len(ids) if scope is not None else f.count,
            count_is_scoped=scope is not None, consequence=mask_free_text(f.consequence),
            next_steps=[mask_free_text(s) for s in (f.next_steps or [])],
            cases=[cases[i] for i in ids[:cases_per_firing] if i in cases],
            more_cases=max(0, len(ids) - cases_per_firing)))
    rule_order = {r.id: n for n, r in enumerate(knowledge.rules.thresholds)}
    summary = [(labels.rule_label(knowledge, rule), labels.firing_level(knowledge, level), n) for (rule, level), n in
               sorted(summary_counts.items(), key=lambda kv: (rule_order.get(kv[0][0], 99), kv[0][1] != OFFICIAL))]
    return FiredRules(filters=filters, rows=rows, total=total, page=page, page_size=page_size, summary=summary)


def _cases(session: Session, ids: list[int], knowledge: Knowledge) -> dict[int, FiredCase]:
    """The listed cases (no contact, no description) with the numbers of their tickets."""
    if not ids:
        return {}
    tickets: dict[int, list[str]] = {}
    for case_id, number in session.exec(select(Ticket.case_id, Ticket.number).where(Ticket.case_id.in_(ids))  # type: ignore[attr-defined]
                                        .order_by(Ticket.id)):
        tickets.setdefault(case_id, []).append(number)
    out = {}
    for c in session.exec(select(Case.id, Case.kind, Case.intent, Case.outlet, Case.district, Case.received_at,
                                 Case.verification).where(Case.id.in_(ids))):  # type: ignore[union-attr]
        kind, verification = getattr(c.kind, "value", c.kind), getattr(c.verification, "value", c.verification)
        out[c.id] = FiredCase(id=c.id, kind_label=labels.case_kind(knowledge, kind),
                              intent_label=intent_label(knowledge, c.intent),
                              outlet=mask_free_text(c.outlet) if c.outlet else None, district=c.district,
                              received_at=as_local(c.received_at),
                              verification_label=labels.verification(knowledge, verification),
                              tickets=tickets.get(c.id, []))
    return out


def warning_count(session: Session, *, period: str, scope: str | None, knowledge: Knowledge) -> int:
    """How many early-warning firings (received, not yet found true) of `period` the scope sees."""
    filters = RuleFilters(period=period, level=WARNING)
    return fired_rules(session, filters=filters, scope=scope, knowledge=knowledge, page_size=1,
                       cases_per_firing=0).total
