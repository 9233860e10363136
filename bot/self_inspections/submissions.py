"""Storing and reading the banks' summaries (keyword-only, in the caller's transaction).

A bank sees only its own submissions: another bank's is "not found", exactly like one that does
not exist. Nothing is written when a submission is refused: every check comes before the insert.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from bot.banks.models import BankAccount
from bot.knowledge import Knowledge
from bot.workdays import WorkdayCalendar

from .documents import check_document, clean_filename
from .due import due_of, period_label, required_kinds
from .errors import InvalidPeriod, PeriodNotEnded, SubmissionConflict, SubmissionNotFound
from .models import SelfInspection, SelfInspectionCreate
from .periods import InspectionPeriod, parse_period


def accepted_period(text: str, *, now: datetime, knowledge: Knowledge) -> InspectionPeriod:
    """The period `text` names, if Art. 38 asks a summary for it and it has ended by `now`."""
    period = parse_period(text)
    if period.kind not in required_kinds(knowledge):
        raise InvalidPeriod("inspection_period_not_required", field="period", period=period.key)
    if not period.has_ended(now):
        raise PeriodNotEnded("inspection_period_not_ended", field="period", period=period_label(period, knowledge),
                             last_day=period.last_day.isoformat())
    return period


def submit(session: Session, *, bank: str, data: SelfInspectionCreate, max_bytes: int, now: datetime,
           knowledge: Knowledge, calendar: WorkdayCalendar) -> SelfInspection:
    """Store `bank`'s summary for a period as its next version; late when after the due instant."""
    period = accepted_period(data.period, now=now, knowledge=knowledge)
    document = check_document(data.content, max_bytes=max_bytes)
    filename = clean_filename(data.filename, document=document, fallback=period.key)
    due = due_of(period, knowledge=knowledge, calendar=calendar)
    # One bank's uploads take their version numbers one after the other (PostgreSQL; SQLite already
    # serialises writers): the bank's account row is held until the transaction ends.
    session.exec(select(BankAccount.id).where(BankAccount.bank == bank).with_for_update())
    latest = session.exec(select(func.max(SelfInspection.version))
                          .where(SelfInspection.bank == bank, SelfInspection.period == period.key)).one()
    row = SelfInspection(bank=bank, period=period.key, period_kind=period.kind, version=(latest or 0) + 1,
                         filename=filename, media_type=document.media_type, size_bytes=len(data.content),
                         sha256=hashlib.sha256(data.content).hexdigest(), content=data.content,
                         submitted_at=now, due_at=due.due_at, due_provisional=due.provisional,
                         late=due.has_passed(now))
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # a bank without an account row, sending the same period twice at once
        raise SubmissionConflict("inspection_submit_conflict", period=period.key) from exc
    return row


def list_submissions(session: Session, *, bank: str, period: str | None = None) -> list[SelfInspection]:
    """`bank`'s submissions, newest first, without their documents' bytes; one period's if given."""
    query = (select(SelfInspection).options(defer(SelfInspection.content))  # type: ignore[arg-type]
             .where(SelfInspection.bank == bank))
    if period is not None:
        query = query.where(SelfInspection.period == parse_period(period).key)
    return list(session.exec(query.order_by(col(SelfInspection.submitted_at).desc(), col(SelfInspection.id).desc())))


def get_submission(session: Session, *, submission_id: int, bank: str | None,
                   with_content: bool = False) -> SelfInspection:
    """One submission (its document's bytes only `with_content`); `bank` None for the city agency,
    which sees every bank's."""
    options = [] if with_content else [defer(SelfInspection.content)]  # type: ignore[arg-type]
    row = session.get(SelfInspection, submission_id, options=options)
    if row is None or (bank is not None and row.bank != bank):
        raise SubmissionNotFound("self_inspection_not_found", submission_id=submission_id)
    return row
