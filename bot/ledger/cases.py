"""Recording complaints and praise, and their verification (查实 / 不实)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.knowledge import Knowledge
from bot.ledger.duplicates import find_duplicate
from bot.ledger.errors import InvalidInput, InvalidTransition, NotFound
from bot.ledger.events import BankCountsChanged, Reactions, TicketOpened, TicketVerified
from bot.ledger.locks import lock_bank
from bot.ledger.models import Case, CaseCreate, CaseKind, Ticket, TicketKind, TicketState, Verification
from bot.ledger.tickets import open_ticket, record_event
from bot.workdays import WorkdayCalendar

KIND_CATEGORY = {CaseKind.complaint: "complaint", CaseKind.praise: "praise"}


def _validated(data: CaseCreate, knowledge: Knowledge) -> CaseCreate:
    """Canonical values for a new case, or InvalidInput naming the field."""
    try:
        intent = knowledge.intent(data.intent)
    except KeyError:
        raise InvalidInput("unknown_intent", field="intent", intent=data.intent) from None
    if intent.category != KIND_CATEGORY[data.kind]:
        code = "intent_not_complaint" if data.kind is CaseKind.complaint else "intent_not_praise"
        raise InvalidInput(code, field="intent", intent=data.intent)
    bank = None
    if data.bank:
        bank = knowledge.canonical_bank(data.bank)
        if bank is None:
            raise InvalidInput("not_partner_bank", field="bank", bank=data.bank)
    district = None
    if data.district:
        district = knowledge.canonical_district(data.district)
        if district is None:
            raise InvalidInput("not_qingdao_district", field="district", district=data.district)
    try:
        knowledge.channel(data.channel)
    except KeyError:
        raise InvalidInput("unknown_channel", field="channel", channel=data.channel) from None
    if not data.description.strip():
        raise InvalidInput("description_missing", field="description")
    return data.model_copy(update={"bank": bank, "district": district,
                                   "outlet": (data.outlet or "").strip() or None})


def record_case(session: Session, *, data: CaseCreate, knowledge: Knowledge, calendar: WorkdayCalendar,
                now: datetime, reactions: Reactions) -> tuple[Case, Ticket | None]:
    """Record a complaint or praise; one aimed at a bank becomes a transfer ticket (Art. 27).

    Runs in the caller's transaction: the case, its ticket and what `reactions` do about them
    (the delivery to the bank, any threshold firing) are committed together or not at all.

    A complaint about a matter an open ticket already carries (bot.ledger.duplicates) joins that
    ticket: the case is kept with `duplicate_of` set, the ticket returned is the existing one, and
    nothing is delivered or counted again.
    """
    data = _validated(data, knowledge)
    if data.bank:
        lock_bank(session, data.bank)
    match = find_duplicate(session, data=data, knowledge=knowledge, now=now) if data.bank else None
    case = Case.model_validate(data, update={"received_at": now,
                                             "duplicate_of": match.case.id if match else None})
    session.add(case)
    session.flush()
    if match is not None:
        record_event(session, match.ticket, type="linked", actor="system", now=now, case=case.id,
                     channel=case.channel, **match.explanation())
        return case, match.ticket
    ticket = None
    if data.bank:
        ticket = open_ticket(session, case=case, kind=TicketKind.transfer, knowledge=knowledge,
                             calendar=calendar, now=now)
        reactions.publish(session, TicketOpened(ticket=ticket, case=case, at=now), knowledge=knowledge)
        reactions.publish(session, BankCountsChanged(bank=data.bank, period_at=now, at=now), knowledge=knowledge)
    return case, ticket


def verify_case(session: Session, *, case_id: int, found_true: bool, by: str, knowledge: Knowledge,
                now: datetime, reactions: Reactions) -> Case:
    """Record the agency's finding after the bank's report (Art. 28, 50); thresholds follow it."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("case_not_found", case_id=case_id)
    if case.verification is not Verification.received:
        raise InvalidTransition("case_already_verified")
    if case.bank:
        lock_bank(session, case.bank)
    case.verification = Verification.found_true if found_true else Verification.not_true
    case.verified_at = now
    case.verified_by = by
    session.add(case)
    session.flush()
    # The bank learns the finding (it may object within the Art. 53 window).
    for ticket in session.exec(select(Ticket).where(Ticket.case_id == case.id)):
        if ticket.state is TicketState.result_reported:
            ticket.state = TicketState.verified
        record_event(session, ticket, type="verified", actor=by, now=now, found_true=found_true)
        session.add(ticket)
        reactions.publish(session, TicketVerified(ticket=ticket, case=case, found_true=found_true, at=now),
                          knowledge=knowledge)
    if case.bank:
        # A finding counts in the period the case was received in (Art. 50).
        reactions.publish(session, BankCountsChanged(bank=case.bank, period_at=case.received_at, at=now),
                          knowledge=knowledge)
    return case
