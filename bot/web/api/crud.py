"""Reading tickets for the bank API (keyword-only, scoped to one bank) and shaping them for output."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from bot.knowledge import Knowledge
from bot.ledger.errors import NotFound
from bot.ledger.models import Case, Ticket, TicketKind, TicketState
from bot.web.api.models import BankTicketDetail, BankTicketPublic, CitizenContact

# The articles every ticket of a kind rests on: transfer (Art. 9, 27), supervision (Art. 27, 48).
KIND_ARTICLES = {TicketKind.transfer: (9, 27), TicketKind.supervision: (27, 48)}


def list_tickets(session: Session, *, bank: str, state: TicketState | None = None, limit: int,
                 offset: int) -> tuple[list[tuple[Ticket, Case]], int]:
    """One page of the bank's own tickets, newest first, and how many there are in all."""
    where = [Ticket.bank == bank]
    if state is not None:
        where.append(Ticket.state == state)
    count = session.exec(select(func.count()).select_from(Ticket).where(*where)).one()
    rows = session.exec(
        select(Ticket, Case).join(Case, Case.id == Ticket.case_id).where(*where)  # type: ignore[arg-type]
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())  # type: ignore[attr-defined,union-attr]
        .offset(offset).limit(limit)
    ).all()
    return [(t, c) for t, c in rows], int(count)


def lock_ticket(session: Session, *, number: str, bank: str) -> None:
    """Hold the bank's ticket row until the transaction ends, so two steps on it run one after the
    other (PostgreSQL; SQLite already serialises writers). Unknown or foreign numbers lock nothing."""
    session.exec(select(Ticket.id).where(Ticket.number == number, Ticket.bank == bank).with_for_update())


def case_of(session: Session, *, ticket: Ticket) -> Case:
    case = session.get(Case, ticket.case_id)
    if case is None:  # the foreign key makes this impossible; never show a half ticket
        raise NotFound("ticket_not_found", number=ticket.number)
    return case


def _articles(ticket: Ticket, case: Case, knowledge: Knowledge) -> list[int]:
    articles = set(KIND_ARTICLES.get(ticket.kind, ()))
    try:
        articles.update(knowledge.intent(case.intent).articles)
    except KeyError:
        pass
    return sorted(articles)


def ticket_public(ticket: Ticket, case: Case, *, knowledge: Knowledge) -> BankTicketPublic:
    return BankTicketPublic.model_validate(ticket, update={
        "intent": case.intent, "articles": _articles(ticket, case, knowledge),
        "verification": case.verification, "verified_at": case.verified_at,
    })


def ticket_detail(ticket: Ticket, case: Case, *, knowledge: Knowledge) -> BankTicketDetail:
    """The ticket with its case; the description masked, the contact only with the citizen's consent."""
    from bot.privacy import mask  # spaCy is loaded on first use only

    contact = None
    if case.consent_to_contact and (case.contact_name or case.contact_phone):
        contact = CitizenContact(name=case.contact_name, phone=case.contact_phone)
    public = ticket_public(ticket, case, knowledge=knowledge)
    return BankTicketDetail.model_validate(public, update={
        "channel": case.channel, "received_at": case.received_at, "district": case.district,
        "description": mask(case.description), "contact": contact,
    })
