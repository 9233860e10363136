"""The assist page's one-click ticket: the operator's form checked field by field, then recorded
through the ledger (bot.ledger.cases.record_case) as a 12333 matter.

Every field's problem is reported at once, in the catalogue's words, next to the field; nothing is written
until every field is right.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlmodel import Session, col, select

from bot.knowledge import Knowledge
from bot.ledger.cases import record_case
from bot.ledger.errors import InvalidInput, LedgerError
from bot.ledger.events import Reactions
from bot.ledger.duplicates import SIMILAR_TEXT
from bot.ledger.models import Case, CaseCreate, CaseKind, Ticket, TicketEvent
from bot.ledger.phones import normalize_phone
from bot.workdays import WorkdayCalendar

CHANNEL = "hotline_12333"
MAX_DESCRIPTION = 4000
MAX_OUTLET = 64
MAX_NAME = 64
KINDS = {"complaint": CaseKind.complaint, "praise": CaseKind.praise}


@dataclass
class TicketForm:
    """The form as typed (values kept as they were, to show them again)."""

    contact_phone: str = ""
    contact_name: str = ""
    consent: bool = False
    bank: str = ""
    outlet: str = ""
    district: str = ""
    intent: str = ""
    description: str = ""

    def values(self) -> dict[str, object]:
        return asdict(self)


class FormErrors(Exception):
    """The form's problems: field → what the operator is told."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


def ticket_intents(knowledge: Knowledge) -> list[tuple[str, str]]:
    """(intent, label) an operator may file: complaints and praise."""
    return [(i.name, f"{knowledge.category(i.category).label} · {i.label}") for i in knowledge.intents
            if i.category in KINDS]


def case_from_form(form: TicketForm, knowledge: Knowledge) -> CaseCreate:
    """The case to record, or FormErrors naming every field at fault."""
    messages = knowledge.messages
    errors: dict[str, str] = {}
    kind = None
    try:
        kind = KINDS.get(knowledge.intent(form.intent).category) if form.intent else None
    except KeyError:
        pass
    if kind is None:
        errors["intent"] = messages.render("console_ticket_intent_missing")
    bank = knowledge.canonical_bank(form.bank.strip()) if form.bank.strip() else None
    if bank is None:
        errors["bank"] = messages.render("console_ticket_bank_missing") if not form.bank.strip() \
            else messages.render("not_partner_bank", bank=form.bank[:32])
    district = None
    if form.district.strip():
        district = knowledge.canonical_district(form.district)
        if district is None:
            errors["district"] = messages.render("not_qingdao_district", district=form.district[:16])
    if len(form.outlet.strip()) > MAX_OUTLET:
        errors["outlet"] = messages.render("console_ticket_outlet_too_long", max=MAX_OUTLET)
    if len(form.contact_name.strip()) > MAX_NAME:
        errors["contact_name"] = messages.render("console_ticket_name_too_long", max=MAX_NAME)
    phone = None
    if form.contact_phone.strip():
        try:
            phone = normalize_phone(form.contact_phone)
        except InvalidInput as exc:
            errors["contact_phone"] = messages.explain(exc)
    elif form.consent:
        errors["contact_phone"] = messages.render("console_ticket_phone_needed")
    description = form.description.strip()
    if not description:
        errors["description"] = messages.render("description_missing")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = messages.render("console_ticket_description_too_long", max=MAX_DESCRIPTION,
                                                length=len(description))
    if errors:
        raise FormErrors(errors)
    try:
        return CaseCreate(kind=kind, intent=form.intent, bank=bank, outlet=form.outlet.strip() or None,
                          district=district, channel=CHANNEL, description=description,
                          contact_name=form.contact_name.strip() or None, contact_phone=phone,
                          consent_to_contact=form.consent)
    except ValidationError as exc:  # limits the checks above already cover, kept typed
        name = str(exc.errors()[0]["loc"][0]) if exc.errors() else "description"
        raise FormErrors({name: messages.render("console_ticket_invalid")}) from exc


def linked_note(session: Session, *, case: Case, ticket: Ticket, knowledge: Knowledge) -> str | None:
    """What the operator tells the caller when the complaint joined an open ticket; None for a new ticket."""
    if case.duplicate_of is None:
        return None
    detail = session.exec(select(TicketEvent.detail).where(TicketEvent.ticket_id == ticket.id,
                                                           TicketEvent.type == "linked")
                          .order_by(col(TicketEvent.id).desc())).first() or {}
    messages, days = knowledge.messages, knowledge.rules.duplicates.window_days
    if detail.get("rule") == SIMILAR_TEXT:
        reason = messages.render("console_ticket_linked_similar_text", days=days,
                                 similarity=f"{float(detail.get('similarity', 0)):.0%}")
    else:
        reason = messages.render("console_ticket_linked_same_citizen", days=days)
    return messages.render("console_ticket_linked", ticket=ticket.number, reason=reason)


def file_ticket(session: Session, *, form: TicketForm, knowledge: Knowledge, calendar: WorkdayCalendar,
                now: datetime, reactions: Reactions) -> tuple[Case, Ticket]:
    """Record the form's case and its transfer ticket in the caller's transaction, or FormErrors."""
    data = case_from_form(form, knowledge)
    try:
        case, ticket = record_case(session, data=data, knowledge=knowledge, calendar=calendar, now=now,
                                   reactions=reactions)
    except LedgerError as exc:
        raise FormErrors({exc.field or "description": knowledge.messages.explain(exc)}) from exc
    if ticket is None:  # cannot happen with a bank, which the form requires
        raise FormErrors({"bank": knowledge.messages.render("console_ticket_bank_missing")})
    return case, ticket
