"""Monthly and yearly figures per bank, annual grades and suspension flags, and the report workbook.

For the city (and administrators) everything comes from `bot.reports` — the very report
`sbk report month|year` builds, so the console and the command can never disagree. A district
supervisor sees their district only: cases received in the period whose `Case.district` is theirs,
tallied per bank with the reports' own `Counts`, and the tickets of those cases overdue today; the
city's grades and suspension flags (a bank's standing, which decides whether its outlets in the
district may issue new cards), without the city-wide ledger figures behind them. The report
workbook is the city's and is not produced for a district.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from bot.assessments import AssessmentEntry, assessment_input
from bot.knowledge import Knowledge
from bot.knowledge.catalogue import Refusal
from bot.ledger.models import Case, Ticket
from bot.ledger.tickets import OPEN_STATES, local_day
from bot.reports import (
    AssessmentError,
    AssessmentInput,
    Period,
    Report,
    load_assessment,
    month_report,
    parse_month,
    parse_year,
    year_report,
)
from bot.reports.model import AssessmentRow, Counts
from bot.reports.periods import period_label
from bot.reports.xlsx import build_workbook
from bot.settings import PROJECT_ROOT
from bot.supervision.errors import InvalidFilters, SupervisionError
from bot.workdays import WorkdayCalendar

# What each page shows of the city's report (bot.reports.SECTIONS), so that it builds only that: the
# figures table per bank (not its lists), and the annual grades (one bank's assessment page reads the same).
FIGURES_SECTIONS = frozenset({"overdue_counts", "missed", "firing_counts"})
GRADES_SECTIONS = frozenset({"assessment"})

# The city agency's assessment file of a year (same format as `sbk report year --assessment FILE`).
ASSESSMENT_DIR = PROJECT_ROOT / "var" / "assessments"


def parse_period(text: str) -> Period:
    """"2026-11" (a month) or "2026" (a year); InvalidFilters in Chinese otherwise."""
    text = (text or "").strip()
    try:
        return parse_month(text) if "-" in text else parse_year(text)
    except ValueError:
        raise InvalidFilters({"period": Refusal("filter_period_invalid")}) from None


@dataclass(frozen=True)
class BankFigures:
    bank: str
    complaints: Counts
    praise: Counts
    overdue_tickets: int | None  # None: not shown for this period
    firings_official: int | None = None
    firings_warning: int | None = None
    missed_tickets: int | None = None


@dataclass
class Figures:
    period: Period
    scope: str | None
    title: str
    as_of_label: str
    banks: list[BankFigures]
    totals: dict[str, Counts]
    report: Report | None = None  # the city's report (None for a district)
    notes: list[str] = field(default_factory=list)


def assessment_path(year: int, directory: Path | None = None) -> Path:
    return (directory or ASSESSMENT_DIR) / f"{year}.yml"


def agency_assessment(session: Session, year: int, *, knowledge: Knowledge,
                      directory: Path | None = None) -> AssessmentInput | None:
    """The city agency's assessment of `year`: what it entered in the console, else its file if one
    exists (the format of `sbk report year --assessment`); SupervisionError if either is unusable."""
    try:
        entered = assessment_input(session, year=year, knowledge=knowledge)
    except AssessmentError as exc:  # an entry naming an item or event rules.yml no longer has
        raise SupervisionError("assessment_file_unusable", file=str(year), problem=str(exc)) from exc
    if entered is not None:
        return entered
    path = assessment_path(year, directory)
    if not path.is_file():
        return None
    try:
        return load_assessment(path, knowledge)
    except AssessmentError as exc:
        raise SupervisionError("assessment_file_unusable", file=path.name, problem=str(exc)) from exc


def city_report(session: Session, *, period: Period, knowledge: Knowledge, calendar: WorkdayCalendar,
                now: datetime, assessment_dir: Path | None = None, sections: Iterable[str] | None = None) -> Report:
    """The report `sbk report` builds for `period` (a year with the agency's assessment file, if any);
    `sections`: only those (bot.reports.SECTIONS) a page shows, the same figures as the whole report's."""
    if period.kind == "month":
        return month_report(session, month=period, knowledge=knowledge, calendar=calendar, now=now,
                            sections=sections)
    if sections is not None and "assessment" not in sections:
        assessment = None  # the agency's findings change the grades only
    else:
        assessment = agency_assessment(session, period.year, knowledge=knowledge, directory=assessment_dir)
    return year_report(session, year=period, knowledge=knowledge, calendar=calendar, assessment=assessment, now=now,
                       sections=sections)


def figures(session: Session, *, period: Period, scope: str | None, knowledge: Knowledge,
            calendar: WorkdayCalendar, now: datetime, assessment_dir: Path | None = None,
            sections: Iterable[str] | None = None) -> Figures:
    """Per-bank figures of `period` for the city (scope None) or one district. `sections`: of the city's
    report, only these (FIGURES_SECTIONS: what the figures page shows; default: the whole report)."""
    if scope is None:
        report = city_report(session, period=period, knowledge=knowledge, calendar=calendar, now=now,
                             assessment_dir=assessment_dir, sections=sections)
        banks = [BankFigures(bank=b.bank, complaints=b.complaints, praise=b.praise, overdue_tickets=b.overdue_tickets,
                             firings_official=b.firings_official, firings_warning=b.firings_warning,
                             missed_tickets=b.missed_tickets) for b in report.banks]
        return Figures(period=period, scope=None, title=report.title, as_of_label=report.as_of_label, banks=banks,
                       totals={"complaints": report.totals["complaints"], "praise": report.totals["praise"]},
                       report=report, notes=list(report.notes))
    return _district_figures(session, period=period, district=scope, knowledge=knowledge, now=now)


def _district_figures(session: Session, *, period: Period, district: str, knowledge: Knowledge,
                      now: datetime) -> Figures:
    rows = session.exec(
        select(Case.bank, Case.kind, Case.verification, func.count())
        .where(Case.district == district, Case.received_at >= period.start_utc, Case.received_at < period.end_utc,
               Case.duplicate_of.is_(None))  # type: ignore[union-attr]  # matters, not calls (as the report)
        .group_by(Case.bank, Case.kind, Case.verification))
    per_bank: dict[str, dict[str, Counts]] = {b.name: {"complaints": Counts(), "praise": Counts()}
                                              for b in knowledge.banks}
    totals = {"complaints": Counts(), "praise": Counts()}
    for bank, kind, verification, n in rows:
        group = "complaints" if getattr(kind, "value", kind) == "complaint" else "praise"
        verification = getattr(verification, "value", verification)
        totals[group].add(verification, n)
        if bank:
            per_bank.setdefault(bank, {"complaints": Counts(), "praise": Counts()})[group].add(verification, n)

    today = local_day(now)
    current = period.first_day <= today <= period.last_day
    overdue: dict[str, int] = {}
    if current:
        overdue = dict(session.exec(
            select(Ticket.bank, func.count()).join(Case, Case.id == Ticket.case_id)  # type: ignore[arg-type]
            .where(Case.district == district, Ticket.state.in_(OPEN_STATES), Ticket.due_date < today)  # type: ignore[attr-defined]
            .group_by(Ticket.bank)).all())
    banks = [BankFigures(bank=name, complaints=c["complaints"], praise=c["praise"],
                         overdue_tickets=overdue.get(name, 0) if current else None) for name, c in per_bank.items()]
    m = knowledge.messages
    title = "figures_district_title_month" if period.month else "figures_district_title_year"
    return Figures(
        period=period, scope=district, title=m.render(title, district=district, period=period_label(knowledge, period)),
        as_of_label=m.render("report_as_of_today", day=today.isoformat()) if current
        else m.text("figures_overdue_current_only"), banks=banks, totals=totals,
        notes=[m.text("figures_district_note_scope"), m.text("figures_district_note_art50")])


@dataclass(frozen=True)
class Grade:
    bank: str
    score: float | None
    grade_label: str
    complete: bool
    missing_items: int
    automatic_fail: list[str]
    suspended: bool
    suspensions: list[str]
    assessment: AssessmentRow | None  # the full row, city supervisors only


@dataclass
class Grades:
    year: int
    scope: str | None
    rows: list[Grade]
    assessment_file: str | None  # the agency's file the grades rest on, if any
    basis_note: str | None
    entered: bool = False  # the grades rest on what the city entered in the console (before any file)


def grades(session: Session, *, year: int, scope: str | None, knowledge: Knowledge, calendar: WorkdayCalendar,
           now: datetime, assessment_dir: Path | None = None) -> Grades:
    """Annual grades (Art. 41) and suspension flags (Art. 42, 49) as the yearly report computes them."""
    period = parse_year(year)
    report = city_report(session, period=period, knowledge=knowledge, calendar=calendar, now=now,
                         assessment_dir=assessment_dir, sections=GRADES_SECTIONS)
    from bot.reports.render import fail_event, suspension

    rows = [Grade(bank=a.bank, score=a.score, grade_label=a.grade_label, complete=a.complete,
                  missing_items=len(a.missing_items),
                  automatic_fail=[fail_event(knowledge, e) for e in a.automatic_fail],
                  suspended=a.suspended,
                  suspensions=[suspension(knowledge, s) for s in a.suspensions],
                  assessment=a if scope is None else None) for a in report.assessment or []]
    path = assessment_path(period.year, assessment_dir)
    basis = report.assessment_basis or {}
    entered = session.exec(select(func.count()).select_from(AssessmentEntry)
                           .where(AssessmentEntry.year == period.year)).one() > 0
    return Grades(year=period.year, scope=scope, rows=rows, entered=entered,
                  assessment_file=str(path) if path.is_file() and not entered else None,
                  basis_note=basis.get("ledger_points_note") if not basis.get("ledger_points_confirmed") else None)


def workbook_bytes(report: Report, *, knowledge: Knowledge) -> bytes:
    """The report's workbook exactly as `sbk report … --xlsx` writes it (the PNG charts aside)."""
    buffer = io.BytesIO()
    build_workbook(report, knowledge=knowledge).save(buffer)
    return buffer.getvalue()
