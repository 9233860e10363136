"""Filing, amending and reviewing investigation reports (Art. 28), and reading them back.

The district agency files the report of a complaint once the bank has reported its result; the
report's verdict is the case's finding (查实 / 不实), recorded through
`bot.supervision.verify_ticket_case` in the same transaction, so a refused finding leaves no report
behind and a report never exists without its finding. The city then approves the report or returns
it to be completed. A returned report can be completed and submitted again, but its verdict stands:
the finding has already been told to the bank and the citizen and counted toward the thresholds
(Art. 50), and a bank that disagrees has its objection under Art. 53, not a silent change.

A report the city files itself (a user without a district: a case with no district, or one the city
took over) needs no second review and is approved as it is filed.

Every step is a ticket event, so the ticket's history shows the report's life. Runs in the caller's
transaction; refusals are `InvestigationError`s, and `TicketNotVisible` for a ticket outside the
user's district, exactly as for a ticket that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.investigations.errors import InvestigationError, InvestigationRefused, ReportNotFound
from bot.investigations.models import (
    INVESTIGATOR_NAME_MAX,
    INVESTIGATORS_MAX,
    TEXT_MAX,
    InvestigationReport,
    InvestigationReportCreate,
    InvestigationReportPublic,
    ReviewState,
    Verdict,
)
from bot.knowledge import Knowledge
from bot.knowledge.catalogue import FieldRefusals, Refusal
from bot.ledger.events import Reactions
from bot.ledger.models import Case, CaseKind, Ticket
from bot.ledger.tickets import record_event
from bot.reports.periods import as_local
from bot.supervision import VerificationRefused, verify_ticket_case
from bot.supervision.tickets import visible_ticket

REVIEW_LIST_LIMIT = 200
# Names in one field, as people separate them.
_NAME_SEPARATORS = ("，", "、", "；", ";", " ", "\n")


class ReportInvalid(FieldRefusals, InvestigationError):
    """What a form typed cannot be filed; `problems` holds each field's refusal (all at once)."""


@dataclass(frozen=True)
class ReportDraft:
    """A report as typed into the form, every field as text (kept to show the form again)."""

    investigated_on: str = ""
    investigators: str = ""
    facts: str = ""
    verdict: str = ""
    responsibility: str = ""
    outlet_handling: str = ""
    staff_handling: str = ""

    @classmethod
    def of(cls, report: InvestigationReport | InvestigationReportPublic) -> ReportDraft:
        """The form filled with a stored report, to complete it after the city returned it."""
        return cls(investigated_on=report.investigated_on.isoformat(), investigators="、".join(report.investigators),
                   facts=report.facts, verdict=report.verdict.value, responsibility=report.responsibility or "",
                   outlet_handling=report.outlet_handling or "", staff_handling=report.staff_handling or "")


@dataclass(frozen=True)
class ReviewItem:
    """One line of the review list: no personal data (the ticket, where, the verdict, who, when)."""

    ticket_number: str
    bank: str | None
    outlet: str | None
    district: str | None
    verdict: Verdict
    filed_by: str
    filed_at: datetime  # Asia/Shanghai
    revision: int
    review: ReviewState


def _investigators(text: str) -> tuple[list[str], Refusal | None]:
    for separator in _NAME_SEPARATORS:
        text = text.replace(separator, ",")
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not names:
        return names, Refusal("investigation_investigators_missing")
    if len(names) > INVESTIGATORS_MAX or any(len(n) > INVESTIGATOR_NAME_MAX for n in names):
        return names, Refusal("investigation_investigators_too_long", max=INVESTIGATORS_MAX,
                              length=INVESTIGATOR_NAME_MAX)
    return names, None


def _day(text: str, *, received_on: date, today: date) -> tuple[date | None, Refusal | None]:
    text = text.strip()
    if not text:
        return None, Refusal("investigation_date_missing")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, Refusal("investigation_date_invalid", value=text[:20])
    if day > today:
        return None, Refusal("investigation_date_future", day=day.isoformat(), today=today.isoformat())
    if day < received_on:
        return None, Refusal("investigation_date_before_case", day=day.isoformat(), received=received_on.isoformat())
    return day, None


def parse_report(draft: ReportDraft, *, received_on: date, today: date,
                 verdict: Verdict | None = None) -> InvestigationReportCreate:
    """The report to file from what the form typed, or ReportInvalid naming every field at fault.

    `received_on` is the day the complaint was received (a check cannot precede it), `today` the
    Qingdao day (a check cannot be in the future). `verdict`, when given, is the verdict of a report
    being completed, which the form cannot change.
    """
    problems: dict[str, Refusal] = {}
    day, problem = _day(draft.investigated_on, received_on=received_on, today=today)
    if problem:
        problems["investigated_on"] = problem
    names, problem = _investigators(draft.investigators)
    if problem:
        problems["investigators"] = problem
    if verdict is None:
        try:
            verdict = Verdict(draft.verdict)
        except ValueError:
            problems["verdict"] = Refusal("investigation_verdict_missing")
    texts = {name: getattr(draft, name).strip() for name in
             ("facts", "responsibility", "outlet_handling", "staff_handling")}
    if not texts["facts"]:
        problems["facts"] = Refusal("investigation_facts_missing")
    if verdict is Verdict.found_true:
        # Art. 28: a report that holds the outlet or its staff responsible must propose how to handle them.
        if not texts["responsibility"]:
            problems["responsibility"] = Refusal("investigation_responsibility_missing")
        if not texts["outlet_handling"]:
            problems["outlet_handling"] = Refusal("investigation_handling_missing")
    for name, text in texts.items():
        if len(text) > TEXT_MAX:
            problems[name] = Refusal("investigation_text_too_long", max=TEXT_MAX, length=len(text))
    if problems:
        raise ReportInvalid(problems)
    assert day is not None and verdict is not None
    return InvestigationReportCreate(investigated_on=day, investigators=names, facts=texts["facts"], verdict=verdict,
                                     responsibility=texts["responsibility"] or None,
                                     outlet_handling=texts["outlet_handling"] or None,
                                     staff_handling=texts["staff_handling"] or None)


def _report_of_case(session: Session, case: Case) -> InvestigationReport | None:
    return session.exec(select(InvestigationReport).where(InvestigationReport.case_id == case.id)).first()


def file_report(session: Session, *, number: str, data: InvestigationReportCreate, by: str, scope: str | None,
                knowledge: Knowledge, now: datetime, reactions: Reactions) -> InvestigationReport:
    """File the report of the complaint behind ticket `number`; its verdict becomes the case's finding.

    InvestigationRefused for praise, a second report, or a finding that cannot be recorded yet
    (the bank has not reported, the case was already verified).
    """
    ticket, case = visible_ticket(session, number=number, scope=scope)
    if case.kind is not CaseKind.complaint:
        raise InvestigationRefused("investigation_not_complaint", number=number)
    if (existing := _report_of_case(session, case)) is not None:
        filed_on = session.get(Ticket, existing.ticket_id)
        raise InvestigationRefused("investigation_already_filed", number=filed_on.number if filed_on else number)
    try:
        verify_ticket_case(session, number=number, found_true=data.verdict is Verdict.found_true, by=by,
                           scope=scope, knowledge=knowledge, now=now, reactions=reactions)
    except VerificationRefused as exc:
        raise InvestigationRefused(exc.code, field=exc.field, **exc.params) from exc
    city_files = scope is None
    report = InvestigationReport.model_validate(data, update={
        "case_id": case.id, "ticket_id": ticket.id, "district": case.district, "filed_by": by, "filed_at": now,
        "review": ReviewState.approved if city_files else ReviewState.submitted,
        "reviewed_by": by if city_files else None, "reviewed_at": now if city_files else None,
    })
    session.add(report)
    session.flush()
    record_event(session, ticket, type="investigation_filed", actor=by, now=now, verdict=data.verdict.value)
    return report


def _visible_report(session: Session, *, number: str, scope: str | None) -> tuple[InvestigationReport, Ticket, Case]:
    ticket, case = visible_ticket(session, number=number, scope=scope)
    report = _report_of_case(session, case)
    if report is None:
        raise ReportNotFound("investigation_not_found", number=number)
    return report, ticket, case


def amend_report(session: Session, *, number: str, data: InvestigationReportCreate, by: str, scope: str | None,
                 now: datetime) -> InvestigationReport:
    """Complete a report the city returned and submit it again; the verdict cannot change."""
    report, ticket, _case = _visible_report(session, number=number, scope=scope)
    if report.review is not ReviewState.returned:
        raise InvestigationRefused("investigation_not_returned", number=number)
    if data.verdict is not report.verdict:
        raise InvestigationRefused("investigation_verdict_fixed", field="verdict", number=number)
    for name in ("investigated_on", "investigators", "facts", "responsibility", "outlet_handling", "staff_handling"):
        setattr(report, name, getattr(data, name))
    report.revision += 1
    report.amended_at = now
    report.review = ReviewState.submitted
    session.add(report)
    session.flush()
    record_event(session, ticket, type="investigation_amended", actor=by, now=now, revision=report.revision)
    return report


def review_report(session: Session, *, number: str, approve: bool, comment: str, by: str,
                  now: datetime) -> InvestigationReport:
    """The city's review: approve the report, or return it with what is to be completed (required)."""
    report, ticket, _case = _visible_report(session, number=number, scope=None)
    if report.review is not ReviewState.submitted:
        raise InvestigationRefused("investigation_not_awaiting_review", number=number)
    comment = comment.strip()
    if not approve and not comment:
        raise InvestigationRefused("investigation_return_reason_missing", field="comment")
    if len(comment) > TEXT_MAX:
        raise InvestigationRefused("investigation_text_too_long", field="comment", max=TEXT_MAX, length=len(comment))
    report.review = ReviewState.approved if approve else ReviewState.returned
    report.reviewed_by = by
    report.reviewed_at = now
    report.review_comment = comment or None
    session.add(report)
    session.flush()
    # The comment goes into the history too: a returned report's reasons stay readable after it is completed.
    record_event(session, ticket, type="investigation_approved" if approve else "investigation_returned", actor=by,
                 now=now, revision=report.revision, **({"comment": comment} if comment else {}))
    return report


def report_for_ticket(session: Session, *, number: str, scope: str | None) -> InvestigationReportPublic | None:
    """The report of the case behind ticket `number` (None if there is none yet), as shown and printed."""
    ticket, case = visible_ticket(session, number=number, scope=scope)
    report = _report_of_case(session, case)
    if report is None:
        return None
    filed_on = session.get(Ticket, report.ticket_id) or ticket
    return InvestigationReportPublic.model_validate(report, update={
        "ticket_number": filed_on.number, "bank": case.bank, "outlet": case.outlet, "district": case.district,
        "intent": case.intent, "received_at": as_local(case.received_at), "filed_at": as_local(report.filed_at),
        "amended_at": as_local(report.amended_at) if report.amended_at else None,
        "reviewed_at": as_local(report.reviewed_at) if report.reviewed_at else None,
    })


def review_list(session: Session, *, scope: str | None, review: ReviewState | None = None,
                limit: int = REVIEW_LIST_LIMIT) -> list[ReviewItem]:
    """Reports, newest first, within the scope; only those in `review` when given."""
    stmt = (select(InvestigationReport, Ticket.number, Case.bank, Case.outlet)
            .join(Ticket, col(Ticket.id) == InvestigationReport.ticket_id)
            .join(Case, col(Case.id) == InvestigationReport.case_id))
    if scope is not None:
        stmt = stmt.where(Case.district == scope)
    if review is not None:
        stmt = stmt.where(InvestigationReport.review == review)
    stmt = stmt.order_by(col(InvestigationReport.filed_at).desc(), col(InvestigationReport.id).desc()).limit(limit)
    return [ReviewItem(ticket_number=number, bank=bank, outlet=outlet, district=report.district,
                       verdict=report.verdict, filed_by=report.filed_by, filed_at=as_local(report.filed_at),
                       revision=report.revision, review=report.review)
            for report, number, bank, outlet in session.exec(stmt)]
