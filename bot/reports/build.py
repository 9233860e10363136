"""Building the monthly and yearly supervision reports from the ledger.

Every query is bounded by the period: cases by ``received_at`` (indexed), tickets by ``due_date``
(indexed) and state, firings by their period key or ``fired_at``. Cases are counted in the
database (GROUP BY), so no case row — and no description or contact field — is ever loaded.

`sbk report` and the workbook build every section; a console page asks for the ``SECTIONS`` it
shows (bot.supervision.figures), whose figures are those of the whole report.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from bot.board import BoardRow, Share, TicketStanding, three_rates, ticket_standings
from bot.inspections import period_compliance
from bot.knowledge import Knowledge
from bot.knowledge.models import chinese_number
from bot.ledger.models import Case, Ticket
from bot.ledger.tickets import OPEN_STATES, overdue
from bot.self_inspections import due_of
from bot.self_inspections import parse_period as parse_inspection_period
from bot.satisfaction.rates import Rate, satisfaction_rates
from bot.thresholds.models import ThresholdFiring

from . import labels
from .assessment import AssessmentConfig, AssessmentInput, assess, checked_config, default_config, effective_config
from .computed import measures
from .model import (
    BankRow,
    Counts,
    DistrictInspectionRow,
    DistrictSatisfactionRow,
    FiringRow,
    LedgerFacts,
    OutletRow,
    OutletSatisfactionRow,
    OverdueRow,
    Report,
    RateCell,
    SatisfactionRow,
    SelfInspectionRow,
    ThreeRatesRow,
    TypeCounts,
)
from .periods import SHANGHAI, Period, as_local, parse_month, parse_year, period_label


@functools.lru_cache(maxsize=4096)
def clean(text: str) -> str:
    """Free text taken from the ledger, with personal data masked (Art. 9, 51)."""
    from bot.privacy import mask  # spaCy is loaded only when a report needs it

    return mask(text)


def _value(x: Any) -> Any:
    return getattr(x, "value", x)


# The sections a report can hold beside its case counts per bank and outlet (always there). The
# command and the workbook build them all; a console page builds only those it shows (a year's 三率
# table alone reads tens of thousands of tickets).
SECTIONS = frozenset({
    "overdue",  # the tickets overdue at the as-of day, and each bank's count of them
    "overdue_counts",  # each bank's count of overdue tickets only
    "missed",  # each bank's tickets due in the period and not completed by their due date
    "firings",  # the period's threshold firings, and each bank's counts of them
    "firing_counts",  # each bank's counts of firings only
    "self_inspection",  # the Art. 38 summaries due in the period
    "district_inspections",  # Art. 29 per district
    "satisfaction",  # the satisfaction tables by bank, outlet and district
    "three_rates",  # the 三率 table by bank and by district
    "assessment",  # the year's annual assessment per bank (a year report only)
})
# What the annual assessment reads from the rest of the report. The overdue counts come too: a bank
# known only by its overdue tickets has a row, and so an assessment, in the full report.
_ASSESSMENT_NEEDS = frozenset({"overdue_counts", "missed", "firing_counts"})


def _sections(sections: Iterable[str] | None) -> frozenset[str]:
    if sections is None:
        return SECTIONS
    wanted = frozenset(sections)
    if wanted - SECTIONS:
        raise ValueError(f"unknown report sections: {', '.join(sorted(wanted - SECTIONS))}")
    return wanted | _ASSESSMENT_NEEDS if "assessment" in wanted else wanted


@dataclass
class _Context:
    knowledge: Knowledge
    calendar: Any
    period: Period
    now: datetime

    @property
    def today(self) -> date:
        return self.now.astimezone(SHANGHAI).date()


# --------------------------------------------------------------------------- cases


def _case_rows(session: Session, period: Period) -> list[tuple[Any, ...]]:
    stmt = (
        select(Case.bank, Case.outlet, Case.district, Case.kind, Case.intent, Case.verification, func.count())
        # Matters, not calls: a duplicate is counted with its first case (bot.ledger.duplicates).
        .where(Case.received_at >= period.start_utc, Case.received_at < period.end_utc,
               Case.duplicate_of.is_(None))  # type: ignore[union-attr]
        .group_by(Case.bank, Case.outlet, Case.district, Case.kind, Case.intent, Case.verification)
    )
    return list(session.exec(stmt))


def _complaint_intents(knowledge: Knowledge, seen: set[str]) -> list[dict[str, str]]:
    intents = [{"intent": i.name, "label": i.label} for i in knowledge.intents_in("complaint")]
    known = {i["intent"] for i in intents}
    intents += [{"intent": name, "label": name} for name in sorted(seen - known)]
    return intents


def _type_counts(intents: list[dict[str, str]]) -> list[TypeCounts]:
    return [TypeCounts(intent=i["intent"], label=i["label"]) for i in intents]


# --------------------------------------------------------------------------- tickets


def _as_of(ctx: _Context) -> tuple[date, bool]:
    """(as-of day, current?) of the overdue list.

    A period that has ended is looked at as of its end: due before the next period's first day and
    not completed (result reported or closed) before the period ended. The current period (or one
    not yet begun) is looked at as of today, with the ledger's own ``overdue``.
    """
    period = ctx.period
    if ctx.today <= period.last_day:
        return ctx.today, period.first_day <= ctx.today
    return period.next_first_day, False


def _overdue_where(ctx: _Context, as_of: date) -> list[Any]:
    """What makes a ticket overdue at the as-of day (see `_as_of`): for the current period, the
    ledger's own ``overdue``."""
    period = ctx.period
    if ctx.today <= period.last_day:
        return [Ticket.due_date < ctx.today, Ticket.state.in_(OPEN_STATES)]  # type: ignore[attr-defined]
    done_at = func.coalesce(Ticket.result_reported_at, Ticket.closed_at)
    return [Ticket.due_date < as_of, Ticket.created_at < period.end_utc,
            or_(Ticket.state.in_(OPEN_STATES), done_at >= period.end_utc)]  # type: ignore[attr-defined]


def _overdue_rows(session: Session, ctx: _Context, as_of: date) -> list[Ticket]:
    """The tickets past due and open at the as-of day."""
    if ctx.today <= ctx.period.last_day:
        return overdue(session, today=ctx.today)
    stmt = select(Ticket).where(*_overdue_where(ctx, as_of)).order_by(Ticket.due_date, Ticket.number)
    return list(session.exec(stmt))


def _overdue_counts(session: Session, ctx: _Context, as_of: date) -> dict[str, int]:
    """bank → how many of its tickets `_overdue_rows` holds, counted in the database; a bank not in
    knowledge/banks.yml gets its row where its first ticket in that list would give it one."""
    stmt = (select(Ticket.bank, func.count()).where(*_overdue_where(ctx, as_of)).group_by(Ticket.bank)
            .order_by(func.min(Ticket.due_date), func.min(Ticket.number)))
    return {bank: int(n) for bank, n in session.exec(stmt)}


def _done_day(ticket: Any) -> date | None:
    done = ticket.result_reported_at or ticket.closed_at
    return as_local(done).date() if done else None


def _missed_tickets(session: Session, ctx: _Context, as_of: date) -> list[tuple[Any, int]]:
    """Tickets due within the period (and before the as-of day) not completed by their due date,
    with the days they were or are overdue. Each ticket is a row of the columns the report and the
    assessment read (number, kind, bank, …), not an object: a year can hold thousands."""
    period = ctx.period
    # Only open tickets and those completed after the start of their due date (UTC, or the server's
    # zone on PostgreSQL) can have been late: a superset of the late ones, which the loop below
    # decides by the Shanghai day. A year holds tens of thousands of tickets done in time; they are
    # not loaded.
    done_at = func.coalesce(Ticket.result_reported_at, Ticket.closed_at)
    stmt = (
        select(Ticket.id, Ticket.number, Ticket.kind, Ticket.bank, Ticket.outlet, Ticket.due_date, Ticket.state,
               Ticket.result_reported_at, Ticket.closed_at)
        .where(Ticket.due_date >= period.first_day, Ticket.due_date <= period.last_day, Ticket.due_date < as_of,
               or_(Ticket.state.in_(OPEN_STATES), done_at > Ticket.due_date))  # type: ignore[attr-defined]
        .order_by(Ticket.due_date, Ticket.number)
    )
    out = []
    for ticket in session.exec(stmt):
        done = _done_day(ticket)
        if ticket.state in OPEN_STATES:
            out.append((ticket, (as_of - ticket.due_date).days))
        elif done is not None and done > ticket.due_date:
            out.append((ticket, (done - ticket.due_date).days))
    return out


# --------------------------------------------------------------------------- firings


def _firings(session: Session, ctx: _Context, *, whole: bool = True) -> list[ThresholdFiring]:
    """Firings of the period: month/year rules by their period key, per-case rules by when they fired.

    A year rule (Art. 43, 44) appears in a month's report when it fired during that month. Without
    `whole`, only what counting them per bank and rule reads (their case lists and texts are the bulk).
    """
    period, rules = ctx.period, {r.id: r for r in ctx.knowledge.rules.thresholds}
    in_range = and_(ThresholdFiring.fired_at >= period.start_utc, ThresholdFiring.fired_at < period.end_utc)
    keys = [period.key] if period.month else [period.key] + [m.key for m in period.months()]
    # Plain rows with the firing's columns as attributes: a year holds thousands of firings, and
    # building an ORM object for each cost more than the query.
    columns = (ThresholdFiring.__table__.columns if whole  # type: ignore[attr-defined]
               else (ThresholdFiring.id, ThresholdFiring.rule_id, ThresholdFiring.level, ThresholdFiring.bank,
                     ThresholdFiring.period, ThresholdFiring.fired_at))
    stmt = (select(*columns)
            .where(or_(ThresholdFiring.period.in_(keys), in_range))  # type: ignore[attr-defined]
            .order_by(ThresholdFiring.fired_at, ThresholdFiring.id))
    out = []
    for firing in session.exec(stmt):
        rule = rules.get(firing.rule_id)
        kind = rule.period if rule else "case"
        fired_in = period.contains(firing.fired_at)
        if kind == "month":
            keep = firing.period == period.key if period.month else firing.period in keys
        elif kind == "year":
            keep = firing.period == str(period.year) and (period.month is None or fired_in)
        else:
            keep = fired_in
        if keep:
            out.append(firing)
    return out


def _firing_row(f: ThresholdFiring, knowledge: Knowledge) -> FiringRow:
    return FiringRow(
        rule_id=f.rule_id, rule_label=labels.rule_label(knowledge, f.rule_id), level=f.level,
        level_label=labels.firing_level(knowledge, f.level), articles=list(f.articles or []), bank=f.bank,
        subject=clean(f.subject), period=f.period, fired_at=as_local(f.fired_at).replace(microsecond=0),
        count=f.count, case_ids=list(f.case_ids or []), consequence=clean(f.consequence),
        next_steps=[clean(s) for s in (f.next_steps or [])],
    )


# --------------------------------------------------------------------------- Art. 38


def _inspection_periods(period: Period, kinds: set[str], knowledge: Knowledge) -> list[tuple[str, str, str, int, int]]:
    """(key, kind, label, year, last month) of every self-inspection period ending in ``period``."""
    render = knowledge.messages.render
    out = []
    for month in period.months():
        y, m = month.year, month.month or 12
        if "month" in kinds:
            out.append((month.key, "month", period_label(knowledge, month), y, m))
        if "quarter" in kinds and m % 3 == 0:
            label = render("report_inspection_quarter", year=y, quarter=chinese_number(m // 3))
            out.append((f"{y}-Q{m // 3}", "quarter", label, y, m))
        if "half_year" in kinds and m % 6 == 0:
            half = "report_inspection_first_half" if m == 6 else "report_inspection_second_half"
            out.append((f"{y}-H{m // 6}", "half_year", render(half, year=y), y, m))
        if "year" in kinds and m == 12:
            out.append((f"{y}", "year", render("report_inspection_year", year=y), y, m))
    return out


def self_inspection_due(period: Period, *, knowledge: Knowledge, calendar: Any) -> list[SelfInspectionRow]:
    """Art. 38: reports are due the 3rd of the following month 17:00 (Asia/Shanghai); when that day
    is not a working day, the next working day 17:00. ``provisional`` when the calendar of that
    year is not known yet."""
    rule = knowledge.rules.deadlines.self_inspection
    by_label = labels.inspection_kind_by_label(knowledge)
    kinds = {by_label[p] for p in rule.periods if p in by_label}
    rows = []
    for key, kind, label, _y, _m in _inspection_periods(period, kinds, knowledge):
        due = due_of(parse_inspection_period(key), knowledge=knowledge, calendar=calendar)
        rows.append(SelfInspectionRow(
            period=key, period_kind=kind, period_kind_label=labels.inspection_period(knowledge, kind), period_label=label,
            nominal_date=due.nominal_date, due_date=due.due_date, due_time=rule.due_time,
            due_at=due.due_at_local, moved=due.moved, provisional=due.provisional, article=rule.article,
        ))
    return rows


# --------------------------------------------------------------------------- assembling


def _build(session: Session, ctx: _Context, sections: frozenset[str] = SECTIONS
           ) -> tuple[Report, list[ThresholdFiring], dict[str, int], list[tuple[Any, int]]]:
    """The report, the period's firings, each bank's longest overdue span and the missed tickets with
    their days overdue (for the assessment). A section not in `sections` is left empty (its totals 0)."""
    knowledge, period = ctx.knowledge, ctx.period
    case_rows = _case_rows(session, period)
    seen_types = {r[4] for r in case_rows if _value(r[3]) == "complaint"}
    intents = _complaint_intents(knowledge, seen_types)

    banks: dict[str, BankRow] = {}
    outlets: dict[tuple[str, str | None], OutletRow] = {}
    for bank in knowledge.banks:
        banks[bank.name] = BankRow(bank=bank.name, code=bank.code, configured=True,
                                   complaint_types=_type_counts(intents))
        for o in bank.outlets.items:
            outlets[(bank.name, o.name)] = OutletRow(bank=bank.name, outlet=o.name, outlet_label=o.name,
                                                     district=o.district, configured=True)

    def bank_row(name: str) -> BankRow:
        if name not in banks:
            banks[name] = BankRow(bank=name, code=None, configured=False, complaint_types=_type_counts(intents))
        return banks[name]

    def outlet_row(bank: str, outlet: str | None, district: str | None) -> OutletRow:
        key = (bank, outlet)
        if key not in outlets:
            label = clean(outlet) if outlet else knowledge.messages.text("report_unassigned_outlet")
            outlets[key] = OutletRow(bank=banks[bank].bank, outlet=clean(outlet) if outlet else None,
                                     outlet_label=label, district=district, configured=False)
        row = outlets[key]
        if row.district is None and district:
            row.district = district
        return row

    unassigned = {"complaints": Counts(), "praise": Counts()}
    totals = {"complaints": Counts(), "praise": Counts()}
    for bank, outlet, district, kind, intent, verification, n in case_rows:
        kind, verification = _value(kind), _value(verification)
        group = "complaints" if kind == "complaint" else "praise"
        totals[group].add(verification, n)
        if not bank:
            unassigned[group].add(verification, n)
            continue
        brow = bank_row(bank)
        orow = outlet_row(bank, outlet, district)
        getattr(brow, group).add(verification, n)
        getattr(orow, group).add(verification, n)
        if kind == "complaint":
            next(t for t in brow.complaint_types if t.intent == intent).add(verification, n)
            typed = next((t for t in orow.complaint_types if t.intent == intent), None)
            if typed is None:
                label = next(i["label"] for i in intents if i["intent"] == intent)
                typed = TypeCounts(intent=intent, label=label)
                orow.complaint_types.append(typed)
            typed.add(verification, n)
    order = {i["intent"]: n for n, i in enumerate(intents)}
    for orow in outlets.values():
        orow.complaint_types.sort(key=lambda t: order[t.intent])

    as_of, current = _as_of(ctx)
    overdue_tickets = _overdue_rows(session, ctx, as_of) if "overdue" in sections else []
    if "overdue" not in sections and "overdue_counts" in sections:
        for bank, n in _overdue_counts(session, ctx, as_of).items():
            bank_row(bank).overdue_tickets += n
    overdue_rows = []
    for t in overdue_tickets:
        bank_row(t.bank).overdue_tickets += 1
        overdue_rows.append(OverdueRow(
            number=t.number, kind=_value(t.kind), kind_label=labels.ticket_kind(knowledge, _value(t.kind)),
            bank=banks[t.bank].bank, outlet=clean(t.outlet) if t.outlet else None,
            created_on=as_local(t.created_at).date(), due_date=t.due_date, days_overdue=(as_of - t.due_date).days,
            state=_value(t.state), state_label=labels.ticket_state(knowledge, _value(t.state)),
            escalated=t.escalated_at is not None,
        ))
    missed = _missed_tickets(session, ctx, as_of) if "missed" in sections else []
    max_days: dict[str, int] = defaultdict(int)
    for t, days in missed:
        bank_row(t.bank).missed_tickets += 1
        max_days[t.bank] = max(max_days[t.bank], days)

    firings = (_firings(session, ctx, whole="firings" in sections)
               if sections & {"firings", "firing_counts"} else [])
    for f in firings:
        row = bank_row(f.bank)
        if f.level == "official":
            row.firings_official += 1
        else:
            row.firings_warning += 1

    bank_rows = list(banks.values())
    outlet_rows = sorted(outlets.values(), key=_outlet_order(knowledge, list(banks)))
    # Once, at the finest grouping: the bank, outlet and district tiers (and the 三率 table's) are its sums.
    answers = (satisfaction_rates(session, period=period, by="outlet_district")
               if sections & {"satisfaction", "three_rates"} else [])
    totals_out: dict[str, Any] = {
        **totals,
        "overdue_tickets": sum(b.overdue_tickets for b in banks.values()),
        "missed_tickets": len(missed),
        "firings_official": sum(1 for f in firings if f.level == "official"),
        "firings_warning": sum(1 for f in firings if f.level != "official"),
    }

    render = knowledge.messages.render
    label = period_label(knowledge, period)
    as_of_label = (render("report_as_of_today", day=as_of.isoformat()) if current or ctx.today < period.first_day
                   else render("report_as_of_period_end", day=period.last_day.isoformat()))
    standings = (ticket_standings(session, period=period, knowledge=knowledge, calendar=ctx.calendar, now=ctx.now)
                 if "three_rates" in sections else [])
    three_rates_of = "three_rates" in sections
    satisfaction_of = "satisfaction" in sections
    report = Report(
        kind=period.kind, period=period.key, period_label=label,
        title=render("report_title_month" if period.month else "report_title_year", period=label),
        timezone="Asia/Shanghai",
        first_day=period.first_day, last_day=period.last_day, generated_at=ctx.now.astimezone(SHANGHAI).replace(microsecond=0),
        current=current, as_of=as_of, as_of_label=as_of_label, complaint_types=intents, banks=bank_rows,
        outlets=outlet_rows, unassigned=unassigned, totals=totals_out,
        firings=[_firing_row(f, knowledge) for f in firings] if "firings" in sections else [],
        overdue=overdue_rows,
        self_inspection=(self_inspection_due(period, knowledge=knowledge, calendar=ctx.calendar)
                         if "self_inspection" in sections else []),
        district_inspections=_district_inspections(session, ctx) if "district_inspections" in sections else [],
        satisfaction=_satisfaction(answers, [b.bank for b in bank_rows]) if satisfaction_of else [],
        satisfaction_outlets=_satisfaction_outlets(answers, knowledge, outlet_rows) if satisfaction_of else [],
        satisfaction_districts=_satisfaction_districts(answers, knowledge) if satisfaction_of else [],
        three_rates_banks=(_three_rates(session, ctx, "bank", [b.bank for b in bank_rows], standings, answers)
                           if three_rates_of else []),
        three_rates_districts=_three_rates(session, ctx, "district", [], standings, answers) if three_rates_of else [],
        notes=_notes(knowledge, period),
    )
    return report, firings, dict(max_days), missed


def _district_inspections(session: Session, ctx: _Context) -> list[DistrictInspectionRow]:
    """Art. 29 per district: the weeks of the period that ended by today, met or not."""
    rows = period_compliance(session, first_day=ctx.period.first_day, last_day=ctx.period.last_day,
                             today=ctx.today, knowledge=ctx.knowledge)
    return [DistrictInspectionRow(district=r.district, weeks=r.weeks, weeks_met=r.weeks_met,
                                  inspections=r.inspections, late=r.late) for r in rows]


def _outlet_order(knowledge: Knowledge, bank_order: list[str]):
    configured = {(o.bank, o.name): n for n, o in enumerate(knowledge.outlets)}
    banks = {name: n for n, name in enumerate(bank_order)}

    def key(row: OutletRow) -> tuple:
        return (banks.get(row.bank, len(banks)), row.outlet is None,
                configured.get((row.bank, row.outlet or ""), len(configured)), row.outlet or "")

    return key


def _satisfaction(answers: list[Rate], bank_order: list[str]) -> list[SatisfactionRow]:
    """Every bank's satisfaction rate in the period, in the report's order of banks (zero without answers)."""
    rates = _answers(answers, lambda r: r.bank)
    order = bank_order + sorted(b for b in rates if b is not None and b not in bank_order)
    return [SatisfactionRow(bank=bank, **_rate_fields(rates.get(bank))) for bank in order]


def _answers(rates: list[Rate], key: Callable[[Rate], Any]) -> dict[Any, list[int]]:
    """answered, 满意, 基本满意, 不满意 per key; rates whose keys coincide (outlet names that read the same
    once cleaned) are added up."""
    out: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in rates:
        counts = out[key(r)]
        for i, n in enumerate((r.answered, r.satisfied, r.basically_satisfied, r.dissatisfied)):
            counts[i] += n
    return out


def _rate_fields(counts: list[int] | None) -> dict[str, Any]:
    answered, satisfied, basically, dissatisfied = counts or (0, 0, 0, 0)
    return {"answered": answered, "satisfied": satisfied, "basically_satisfied": basically,
            "dissatisfied": dissatisfied, "rate": (satisfied + basically) / answered if answered else None}


def _satisfaction_outlets(rates: list[Rate], knowledge: Knowledge,
                          outlet_rows: list[OutletRow]) -> list[OutletSatisfactionRow]:
    """Every outlet of the report (configured ones with or without answers) in its order, then any other
    outlet with answers in the period."""
    answers = _answers(rates, lambda r: (r.bank or "", clean(r.outlet) if r.outlet else None))
    rows = [OutletSatisfactionRow(bank=o.bank, outlet=o.outlet, outlet_label=o.outlet_label, district=o.district,
                                  **_rate_fields(answers.get((o.bank, o.outlet)))) for o in outlet_rows]
    listed = {(o.bank, o.outlet) for o in outlet_rows}
    unassigned = knowledge.messages.text("report_unassigned_outlet")
    for bank, outlet in sorted((k for k in answers if k not in listed), key=lambda k: (k[0], k[1] is None, k[1] or "")):
        found = knowledge.bank(bank).outlet(outlet) if outlet and knowledge.canonical_bank(bank) == bank else None
        rows.append(OutletSatisfactionRow(bank=bank, outlet=outlet, outlet_label=outlet or unassigned,
                                          district=found.district if found else None,
                                          **_rate_fields(answers[(bank, outlet)])))
    return rows


def _satisfaction_districts(rates: list[Rate], knowledge: Knowledge) -> list[DistrictSatisfactionRow]:
    """Every district of knowledge/districts.yml in its order, then any other with answers, then cases naming none."""
    answers = _answers(rates, lambda r: r.district)
    names = [d.name for d in knowledge.districts]
    names += sorted(d for d in answers if d is not None and d not in names)
    rows = [DistrictSatisfactionRow(district=name, district_label=name, **_rate_fields(answers.get(name)))
            for name in names]
    if None in answers:
        rows.append(DistrictSatisfactionRow(district=None,
                                            district_label=knowledge.messages.text("report_unassigned_district"),
                                            **_rate_fields(answers[None])))
    return rows


def _three_rates(session: Session, ctx: _Context, by: str, order: list[str], standings: list[TicketStanding],
                 answers: list[Rate]) -> list[ThreeRatesRow]:
    """The 三率 board of the period (bot.board): every bank of the report, then any other with tickets."""
    board = {r.key: r for r in three_rates(session, period=ctx.period, by=by, knowledge=ctx.knowledge,  # type: ignore[arg-type]
                                           calendar=ctx.calendar, now=ctx.now, standings=standings,
                                           answers=answers).rows}
    names = order + [k for k in board if k not in order]

    def cell(share: Share) -> RateCell:
        return RateCell(count=share.count, of=share.of, rate=share.rate)

    rows = []
    for name in names:
        row = board.get(name) or BoardRow(key=name)
        rows.append(ThreeRatesRow(name=name, response=cell(row.response), completion=cell(row.completion),
                                  satisfaction=cell(row.satisfaction)))
    return rows


def _notes(knowledge: Knowledge, period: Period) -> list[str]:
    notes = [knowledge.messages.text("report_note_art50"), knowledge.messages.text("report_note_counting")]
    validity = knowledge.rules.validity
    if validity.valid_until and period.last_day > validity.valid_until and validity.note:
        notes.append(validity.note)
    return notes


def _now(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _period(value: str | int | Period, parse) -> Period:
    return value if isinstance(value, Period) else parse(value)


def month_report(session: Session, *, month: str | Period, knowledge: Knowledge, calendar: Any,
                 now: datetime, sections: Iterable[str] | None = None) -> Report:
    """The monthly supervision report for ``month`` ("YYYY-MM", Asia/Shanghai calendar month).

    ``calendar`` is a ``bot.workdays.WorkdayCalendar`` (Art. 38 due dates); ``now`` (aware) fixes
    "today" for the overdue list and the generation time. ``sections``: only these of ``SECTIONS``
    beside the case counts (default: all; the others are left empty).
    """
    ctx = _Context(knowledge, calendar, _period(month, parse_month), _now(now))
    if ctx.period.kind != "month":
        raise ValueError("month_report needs a month")
    return _build(session, ctx, _sections(sections) - {"assessment"})[0]


def year_report(session: Session, *, year: int | str | Period, knowledge: Knowledge, calendar: Any,
                assessment: AssessmentInput | None = None, config: AssessmentConfig | None = None,
                now: datetime, sections: Iterable[str] | None = None) -> Report:
    """The yearly report: the month report's sections over the calendar year, plus the annual
    assessment per bank (Art. 41: score, grade, automatic 不合格; Art. 42, 49: suspension).

    ``assessment`` holds the city agency's findings (item scores, confirmed events); ``config`` how
    ledger facts become points (default: knowledge/assessment.yml). ``sections``: only these of
    ``SECTIONS`` beside the case counts (default: all; the others are left empty, ``assessment`` None
    without "assessment").
    """
    ctx = _Context(knowledge, calendar, _period(year, parse_year), _now(now))
    if ctx.period.kind != "year":
        raise ValueError("year_report needs a year")
    if assessment is not None:
        assessment = assessment.checked(knowledge)
        if assessment.year is not None and assessment.year != ctx.period.year:
            raise ValueError(f"the assessment file is for {assessment.year}, not {ctx.period.year}")
    cfg = checked_config(effective_config(config or default_config(), assessment), knowledge)
    wanted = _sections(sections)
    report, firings, max_days, missed = _build(session, ctx, wanted)
    if "assessment" not in wanted:
        return report
    rules = knowledge.rules
    kinds = _assessed_rules(knowledge)
    measured = measures(session, knowledge=knowledge, calendar=calendar, period=ctx.period, as_of=report.as_of,
                        now=ctx.now, rows={b.bank: b for b in report.banks}, missed=missed,
                        wanted={w.measure for ws in cfg.computed.values() for w in ws})
    rows = []
    for brow in report.banks:
        official = [f for f in firings if f.bank == brow.bank and f.level == "official"]
        facts = LedgerFacts(
            complaints_found_true=brow.complaints.found_true, praise_found_true=brow.praise.found_true,
            same_type_months=sum(1 for f in official if f.rule_id in kinds["same_type"]),
            volume_months=sum(1 for f in official if f.rule_id in kinds["volume"]),
            forced_selling_cases=sum(1 for f in official if f.rule_id in kinds["forced_selling"]),
            missed_tickets=brow.missed_tickets,
            max_days_overdue=max_days.get(brow.bank, 0),
            city_commendation_candidate=any(f.rule_id in kinds["commendation"] for f in official),
        )
        findings = assessment.banks.get(brow.bank) if assessment else None
        rows.append(assess(bank=brow.bank, code=brow.code, facts=facts, findings=findings, knowledge=knowledge,
                           config=cfg, measured=measured.get(brow.bank)))
    report.assessment = rows
    report.assessment_basis = {
        "weights_source": "knowledge/rules.yml score_weights",
        "weights_note": rules.score_weights.note,
        "ledger_points": cfg.ledger_points.model_dump(),
        "serious_overdue": cfg.serious_overdue.model_dump(),
        "ledger_points_confirmed": cfg.confirmed,
        "ledger_points_note": cfg.note,
        "agency_findings": sorted(assessment.banks) if assessment else [],
        "computed": {item: [w.model_dump() for w in ws] for item, ws in cfg.computed.items()},
    }
    return report


def _assessed_rules(knowledge: Knowledge) -> dict[str, set[str]]:
    """Threshold rules by what they mean for the assessment, read from their definition."""
    out: dict[str, set[str]] = {"same_type": set(), "volume": set(), "forced_selling": set(), "commendation": set()}
    for r in knowledge.rules.thresholds:
        if r.counts == "complaint" and r.subject == "bank" and r.group_by == "complaint_type":
            out["same_type"].add(r.id)
        elif r.counts == "complaint" and r.subject == "bank" and r.group_by is None:
            out["volume"].add(r.id)
        elif r.counts == "forced_selling":
            out["forced_selling"].add(r.id)
        elif r.counts == "praise" and r.subject == "bank" and r.assessment == "bonus":
            out["commendation"].add(r.id)
    return out


__all__ = ["SECTIONS", "month_report", "self_inspection_due", "year_report"]
