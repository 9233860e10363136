"""What a citizen who came through a channel is told when the ledger changes their ticket."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.knowledge import Knowledge
from bot.ledger.events import ResultReported, TicketEscalated, TicketVerified
from bot.ledger.models import Case, Ticket, TicketKind
from bot.notifications.outbox import queue_message


def _tell(session: Session, *, case: Case, ticket: Ticket, reply: str, knowledge: Knowledge, now,
          **values: object) -> None:
    """Queue reply template `reply` for the citizens behind `case`: its own and those of the duplicates
    that joined its ticket (bot.ledger.duplicates); a case taken by phone or at a counter has none."""
    joined = session.exec(select(Case.citizen_ref).where(Case.duplicate_of == case.id,
                                                         col(Case.citizen_ref).is_not(None))
                          .order_by(col(Case.id))).all()
    citizens = list(dict.fromkeys(ref for ref in (case.citizen_ref, *joined) if ref))
    if not citizens:
        return
    text = knowledge.messages.render(reply, number=ticket.number, service_phone=knowledge.operator.service_phone,
                                    **values)
    for citizen_ref in citizens:
        queue_message(session, citizen_ref=citizen_ref, ticket_id=ticket.id, text=text, now=now)


def tell_result(session: Session, event: ResultReported, knowledge: Knowledge) -> None:
    """The bank's result, in the bank's words."""
    _tell(session, case=event.case, ticket=event.ticket, reply="notice_result", knowledge=knowledge, now=event.at,
          result=event.result)


def tell_escalation(session: Session, event: TicketEscalated, knowledge: Knowledge) -> None:
    """The overdue ticket is now supervised by the agency, with the supervision ticket's number and due date."""
    _tell(session, case=event.case, ticket=event.ticket, reply="notice_escalated", knowledge=knowledge,
          now=event.at, supervision=event.supervision.number, due=event.supervision.due_date.isoformat())


def tell_finding(session: Session, event: TicketVerified, knowledge: Knowledge) -> None:
    """The agency's finding, once per case: on its transfer ticket, not again on a supervision ticket."""
    if event.ticket.kind is not TicketKind.transfer:
        return
    finding = knowledge.messages.render("notice_finding_true" if event.found_true else "notice_finding_not_true")
    _tell(session, case=event.case, ticket=event.ticket, reply="notice_verified", knowledge=knowledge,
          now=event.at, finding=finding)
