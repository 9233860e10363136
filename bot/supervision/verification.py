"""The agency's finding on a complaint or praise (查实 / 不实, Art. 28, 50).

The finding is recorded by `bot.ledger.cases.verify_case` (which moves the tickets, tells the bank
and the citizen and re-evaluates the thresholds); this module only decides whether a supervisor may
record it now: the ticket must be within their scope, and the bank must have reported its result
on a ticket of the case first — a finding before the bank has answered would judge a matter the
bank has not handled yet.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.knowledge import Knowledge
from bot.knowledge.catalogue import Term
from bot.ledger.cases import verify_case
from bot.ledger.errors import LedgerError
from bot.ledger.events import Reactions
from bot.ledger.models import Case, CaseKind, Ticket, Verification
from bot.supervision.errors import VerificationRefused
from bot.supervision.tickets import visible_ticket


def verify_ticket_case(session: Session, *, number: str, found_true: bool, by: str, scope: str | None,
                       knowledge: Knowledge, now: datetime, reactions: Reactions) -> Case:
    """Record 查实 (found_true) or 不实 for the case behind ticket `number`.

    TicketNotVisible outside the scope; VerificationRefused before the bank's result report or
    when the case has a finding already. Runs in the caller's transaction.
    """
    ticket, case = visible_ticket(session, number=number, scope=scope)
    if case.verification is not Verification.received:
        finding = "finding_found_true" if case.verification is Verification.found_true else "finding_not_true"
        raise VerificationRefused("ticket_already_verified", number=number, finding=Term(finding))
    reported = session.exec(select(Ticket.number).where(Ticket.case_id == case.id,
                                                        Ticket.result_reported_at.is_not(None))  # type: ignore[union-attr]
                            ).first()
    if reported is None:
        raise VerificationRefused("verification_before_result", number=ticket.number)
    try:
        return verify_case(session, case_id=case.id, found_true=found_true, by=by,  # type: ignore[arg-type]
                           knowledge=knowledge, now=now, reactions=reactions)
    except LedgerError as exc:
        raise VerificationRefused(exc.code, field=exc.field, **exc.params) from exc


def verify_praise(session: Session, *, number: str, found_true: bool, by: str, scope: str | None,
                  knowledge: Knowledge, now: datetime, reactions: Reactions) -> Case:
    """The bare finding, for praise only: a complaint's finding is the verdict of its investigation
    report (Art. 28), filed through `bot.investigations.file_report`. VerificationRefused for a complaint."""
    _ticket, case = visible_ticket(session, number=number, scope=scope)
    if case.kind is CaseKind.complaint:
        raise VerificationRefused("investigation_complaint_needs_report", number=number)
    return verify_ticket_case(session, number=number, found_true=found_true, by=by, scope=scope,
                              knowledge=knowledge, now=now, reactions=reactions)
