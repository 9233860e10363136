"""What the system itself knows for the annual assessment (Art. 39–40), per bank and year.

Each measure is a count of good cases over all cases, with the cases behind it:

* ``tickets_on_time`` — the transfer and supervision tickets due in the year (before the as-of day)
  and answered (result reported or closed) by their due date (Art. 9, 27, 48);
* ``satisfaction`` — the callbacks answered in the year 满意 or 基本满意 (Art. 25, 40 问卷调查);
* ``praise_share`` — of the year's found-true complaints and praise (Art. 50: found true only), the
  share that is praise (Art. 40 群众监督, 43);
* ``inspection_compliance`` — the checklist items found 符合 in the year's on-site inspections of the
  bank's outlets (Art. 29, the service rules of Art. 8–19);
* ``self_inspection_punctuality`` — the Art. 38 summaries due by now that came on time.

Which Art. 40 item a measure scores, and with what weight, is knowledge/assessment.yml's ``computed``.
Every query is grouped by bank in the database, so one bank's figures never hold another's cases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.inspections import OutletInspection
from bot.knowledge import Knowledge
from bot.ledger.models import Case, CaseKind, Ticket, Verification
from bot.satisfaction.models import Answer, CallbackState, SatisfactionCallback
from bot.satisfaction.rates import satisfaction_rates
from bot.self_inspections.status import InspectionStatus, bank_inspections
from bot.workdays import WorkdayCalendar

from . import labels
from .model import BankRow, CaseRef, MeasureScore
from .periods import Period

# How many cases a figure lists; the rest are counted (the console links to the full lists).
CASES_SHOWN = 20


def _measure(knowledge: Knowledge, code: str, good: int, total: int, cases: list[CaseRef],
             behind: int | None = None) -> MeasureScore:
    """`behind`: how many cases there are when `cases` was already cut short in the query."""
    m = knowledge.messages
    # The cases that cost the bank come first: they are what the reader looks for.
    ordered = sorted(cases, key=lambda c: c.counted)[:CASES_SHOWN]
    return MeasureScore(code=code, label=m.text(f"assessment_measure_{code}"), good=good, total=total,
                        summary=m.render(f"assessment_measure_{code}_counts", good=good, total=total,
                                         bad=total - good),
                        cases=ordered, more_cases=max(0, (len(cases) if behind is None else behind) - len(ordered)))


def _tickets_due(session: Session, period: Period, as_of: date) -> dict[str, int]:
    # Due before the as-of day, as the missed tickets are: a ticket due today can still be answered.
    rows = session.exec(
        select(Ticket.bank, func.count())
        .where(Ticket.due_date >= period.first_day, Ticket.due_date <= period.last_day, Ticket.due_date < as_of)
        .group_by(Ticket.bank))
    return {bank: int(n) for bank, n in rows}


def _tickets_on_time(session: Session, knowledge: Knowledge, *, period: Period, as_of: date,
                     missed: Iterable[tuple[Any, int]], banks: list[str]) -> dict[str, MeasureScore]:
    due = _tickets_due(session, period, as_of)
    late: dict[str, list[tuple[Any, int]]] = defaultdict(list)
    for ticket, days in missed:
        late[ticket.bank].append((ticket, days))
    out = {}
    for bank in banks:
        # Thousands of tickets can be late in a year: only those listed get a sentence.
        cases = [CaseRef(kind="ticket", ref=ticket.number, counted=False,
                         label=knowledge.messages.render(
                             "assessment_case_ticket_late", number=ticket.number, days=days,
                             kind=labels.ticket_kind(knowledge, getattr(ticket.kind, "value", ticket.kind))))
                 for ticket, days in late[bank][:CASES_SHOWN]]
        total = due.get(bank, 0)
        out[bank] = _measure(knowledge, "tickets_on_time", total - len(late[bank]), total, cases,
                             behind=len(late[bank]))
    return out


def _satisfaction(session: Session, knowledge: Knowledge, *, period: Period,
                  banks: list[str]) -> dict[str, MeasureScore]:
    rates = {r.bank: r for r in satisfaction_rates(session, period=period, by="bank")}
    unhappy_banks = [bank for bank in banks if rates.get(bank) and rates[bank].dissatisfied]
    numbers: dict[str, list[str]] = defaultdict(list)
    if unhappy_banks:
        # One pass over the year's unhappy answers for every bank (a few in a hundred of the answers), of
        # which each bank lists its first CASES_SHOWN.
        rows = session.exec(
            select(Ticket.bank, Ticket.number)
            .select_from(SatisfactionCallback)
            .join(Ticket, col(Ticket.id) == col(SatisfactionCallback.ticket_id))
            .where(col(Ticket.bank).in_(unhappy_banks), SatisfactionCallback.state == CallbackState.answered,
                   SatisfactionCallback.answer == Answer.dissatisfied,
                   col(SatisfactionCallback.answered_at) >= period.start_utc,
                   col(SatisfactionCallback.answered_at) < period.end_utc)
            .order_by(col(SatisfactionCallback.answered_at), col(SatisfactionCallback.id)))
        for bank, number in rows:
            if len(numbers[bank]) < CASES_SHOWN:
                numbers[bank].append(number)
    out = {}
    for bank in banks:
        r = rates.get(bank)
        # Referred to by its ticket: the ticket's page shows its callbacks to the supervisors.
        unhappy = [CaseRef(kind="callback", ref=number, counted=False,
                           label=knowledge.messages.render("assessment_case_dissatisfied", number=number))
                   for number in numbers.get(bank, [])]
        good = (r.satisfied + r.basically_satisfied) if r else 0
        out[bank] = _measure(knowledge, "satisfaction", good, r.answered if r else 0, unhappy,
                             behind=r.dissatisfied if r else 0)
    return out


def _found_true(session: Session, *, bank: str, kind: CaseKind, period: Period) -> list[str]:
    """The ticket numbers of `bank`'s cases of `kind` found true in `period`, the first CASES_SHOWN."""
    rows = session.exec(
        select(Ticket.number)
        .join(Case, col(Ticket.case_id) == col(Case.id))
        .where(Case.bank == bank, Case.kind == kind, Case.verification == Verification.found_true,
               Case.received_at >= period.start_utc, Case.received_at < period.end_utc)
        .order_by(col(Case.received_at), col(Ticket.number)).limit(CASES_SHOWN))
    return list(dict.fromkeys(rows))


def _praise_share(session: Session, knowledge: Knowledge, *, period: Period, rows: dict[str, BankRow],
                  banks: list[str]) -> dict[str, MeasureScore]:
    out = {}
    for bank in banks:
        row = rows.get(bank)
        praise = row.praise.found_true if row else 0
        complaints = row.complaints.found_true if row else 0
        cases = []
        for kind, count, counted, key in ((CaseKind.complaint, complaints, False, "assessment_case_complaint"),
                                          (CaseKind.praise, praise, True, "assessment_case_praise")):
            if count:
                cases += [CaseRef(kind="ticket", ref=number, counted=counted,
                                  label=knowledge.messages.render(key, number=number))
                          for number in _found_true(session, bank=bank, kind=kind, period=period)]
        out[bank] = _measure(knowledge, "praise_share", praise, praise + complaints, cases,
                             behind=praise + complaints)
    return out


def _inspection_compliance(session: Session, knowledge: Knowledge, *, period: Period,
                           banks: list[str]) -> dict[str, MeasureScore]:
    # The columns read, not the records: a year holds thousands, each with its staff and checklist.
    inspections = session.exec(
        select(OutletInspection.id, OutletInspection.bank, OutletInspection.outlet, OutletInspection.inspected_on,
               OutletInspection.findings)
        .where(col(OutletInspection.bank).in_(banks), OutletInspection.inspected_on >= period.first_day,
               OutletInspection.inspected_on <= period.last_day)
        .order_by(col(OutletInspection.inspected_on), col(OutletInspection.id)))
    good: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    cases: dict[str, list[CaseRef]] = defaultdict(list)
    for inspection_id, bank, outlet, inspected_on, findings in inspections:
        # Stored as recorded (bot.inspections validates each finding before it is saved).
        failed = sum(1 for item in findings if not item["compliant"])
        good[bank] += len(findings) - failed
        total[bank] += len(findings)
        cases[bank].append(CaseRef(
            kind="inspection", ref=str(inspection_id), counted=failed == 0,
            label=knowledge.messages.render("assessment_case_inspection", outlet=outlet,
                                            day=inspected_on.isoformat(), failed=failed, items=len(findings))))
    return {bank: _measure(knowledge, "inspection_compliance", good[bank], total[bank], cases[bank])
            for bank in banks}


def _self_inspection_punctuality(session: Session, knowledge: Knowledge, *, year: int, now: datetime,
                                 calendar: WorkdayCalendar, banks: list[str]) -> dict[str, MeasureScore]:
    out = {}
    for b in bank_inspections(session, year=year, now=now, knowledge=knowledge, calendar=calendar, banks=banks):
        cases = [CaseRef(kind="self_inspection", ref=p.period.key, counted=p.status is InspectionStatus.on_time,
                         label=knowledge.messages.render(f"assessment_case_self_inspection_{p.status.value}",
                                                         period=p.period.key))
                 for p in b.periods if p.status is not InspectionStatus.not_due]
        out[b.bank] = _measure(knowledge, "self_inspection_punctuality", b.punctuality.on_time,
                               b.punctuality.due, cases)
    return out


def measures(session: Session, *, knowledge: Knowledge, calendar: WorkdayCalendar, period: Period, as_of: date,
             now: datetime, rows: dict[str, BankRow], missed: Iterable[tuple[Any, int]],
             wanted: Iterable[str]) -> dict[str, dict[str, MeasureScore]]:
    """bank → measure code → its figure, for the measures in `wanted` and every bank of `rows`."""
    banks = list(rows)
    wanted = set(wanted)
    per_measure: dict[str, dict[str, MeasureScore]] = {}
    if "tickets_on_time" in wanted:
        per_measure["tickets_on_time"] = _tickets_on_time(session, knowledge, period=period, as_of=as_of,
                                                          missed=missed, banks=banks)
    if "satisfaction" in wanted:
        per_measure["satisfaction"] = _satisfaction(session, knowledge, period=period, banks=banks)
    if "praise_share" in wanted:
        per_measure["praise_share"] = _praise_share(session, knowledge, period=period, rows=rows, banks=banks)
    if "inspection_compliance" in wanted:
        per_measure["inspection_compliance"] = _inspection_compliance(session, knowledge, period=period,
                                                                      banks=banks)
    if "self_inspection_punctuality" in wanted:
        per_measure["self_inspection_punctuality"] = _self_inspection_punctuality(
            session, knowledge, year=period.year, now=now, calendar=calendar, banks=banks)
    return {bank: {code: figures[bank] for code, figures in per_measure.items()} for bank in banks}


__all__ = ["CASES_SHOWN", "measures"]
