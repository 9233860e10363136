"""Searching tickets and reading one ticket with everything behind it, within a supervisor's scope.

A ticket's district is its case's (`Case.district`); a district supervisor's scope is one district,
and every query here joins the case and filters on it, so a ticket of another district is neither
listed, nor counted, nor readable (it is "not found", exactly like a ticket that does not exist).

Queries are bounded: one page of rows (LIMIT/OFFSET over an indexed order) and one COUNT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from bot.forwarding.models import Delivery
from bot.knowledge import Knowledge
from bot.ledger.models import Case, Ticket, TicketEvent, TicketState, Verification
from bot.ledger.tickets import OPEN_STATES, last_extension_day
from bot.reports import labels
from bot.reports.periods import as_local
from bot.supervision.errors import TicketNotVisible
from bot.supervision.filters import TicketFilters
from bot.supervision.masking import mask_free_text, mask_name, mask_phone
from bot.workdays import WorkdayCalendar

PAGE_SIZE = 50


def _value(x: Any) -> Any:
    return getattr(x, "value", x)


@dataclass(frozen=True)
class TicketRow:
    """One line of the ticket list: no personal data (numbers, bank, outlet, dates, states)."""

    number: str
    kind: str
    kind_label: str
    bank: str
    outlet: str | None
    district: str | None
    state: str
    state_label: str
    created_at: datetime  # Asia/Shanghai
    due_date: date
    due_provisional: bool
    open: bool
    days_overdue: int  # 0 when not overdue
    case_kind: str
    intent: str
    intent_label: str
    verification: str
    verification_label: str


@dataclass(frozen=True)
class TicketPage:
    rows: list[TicketRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _due_horizon(today: date, working_days: int, calendar: WorkdayCalendar) -> date:
    """The last day of "due within N working days" (0: today only)."""
    return today if working_days == 0 else calendar.add_working_days(today, working_days).due


def _conditions(filters: TicketFilters, *, scope: str | None, today: date,
                calendar: WorkdayCalendar) -> tuple[list[Any], bool]:
    """(WHERE conditions, whether they need the case joined)."""
    where: list[Any] = []
    needs_case = False
    district = scope if scope is not None else filters.district
    if district is not None:
        where.append(Case.district == district)
        needs_case = True
    if filters.bank:
        where.append(Ticket.bank == filters.bank)
    if filters.outlet:
        where.append(Ticket.outlet.contains(filters.outlet, autoescape=True))  # type: ignore[union-attr]
    if filters.state is not None:
        where.append(Ticket.state == filters.state)
    if filters.kind is not None:
        where.append(Ticket.kind == filters.kind)
    if filters.overdue:
        # The ledger's own definition (bot.ledger.tickets.overdue): open and due before today.
        where += [Ticket.state.in_(OPEN_STATES), Ticket.due_date < today]  # type: ignore[attr-defined]
    if filters.due_within is not None:
        where += [Ticket.state.in_(OPEN_STATES), Ticket.due_date >= today,  # type: ignore[attr-defined]
                  Ticket.due_date <= _due_horizon(today, filters.due_within, calendar)]
    if filters.number:
        where.append(Ticket.number.contains(filters.number, autoescape=True))  # type: ignore[attr-defined]
    return where, needs_case


def _list_columns() -> tuple[Any, ...]:
    return (Ticket.number, Ticket.kind, Ticket.bank, Ticket.outlet, Ticket.state, Ticket.created_at, Ticket.due_date,
            Ticket.due_provisional, Case.district, Case.kind.label("case_kind"),  # type: ignore[attr-defined]
            Case.intent, Case.verification)


def _order(filters: TicketFilters) -> tuple[Any, ...]:
    if filters.sort == "due":
        return (Ticket.due_date, Ticket.id)
    return (Ticket.created_at.desc(), Ticket.id.desc())  # type: ignore[attr-defined,union-attr]


def _row(t: Any, today: date, knowledge: Knowledge) -> TicketRow:
    state, kind = _value(t.state), _value(t.kind)
    is_open = TicketState(state) in OPEN_STATES
    return TicketRow(
        number=t.number, kind=kind, kind_label=labels.ticket_kind(knowledge, kind), bank=t.bank,
        outlet=mask_free_text(t.outlet) if t.outlet else None, district=t.district, state=state,
        state_label=labels.ticket_state(knowledge, state), created_at=as_local(t.created_at), due_date=t.due_date,
        due_provisional=bool(t.due_provisional), open=is_open,
        days_overdue=(today - t.due_date).days if is_open and t.due_date < today else 0,
        case_kind=_value(t.case_kind), intent=t.intent, intent_label=intent_label(knowledge, t.intent),
        verification=_value(t.verification),
        verification_label=labels.verification(knowledge, _value(t.verification)),
    )


def search_tickets(session: Session, *, filters: TicketFilters, scope: str | None, today: date,
                   calendar: WorkdayCalendar, knowledge: Knowledge, page_size: int = PAGE_SIZE) -> TicketPage:
    """One page of tickets matching `filters` inside `scope` (a district, or None for the city),
    and how many match in all. `today` is the Asia/Shanghai day overdue and due dates are judged on."""
    where, needs_case = _conditions(filters, scope=scope, today=today, calendar=calendar)
    count = select(func.count()).select_from(Ticket)
    if needs_case:
        count = count.join(Case, Case.id == Ticket.case_id)  # type: ignore[arg-type]
    total = int(session.exec(count.where(*where)).one())

    pages = max(1, -(-total // page_size))
    page = min(filters.page, pages)
    stmt = (select(*_list_columns()).join(Case, Case.id == Ticket.case_id)  # type: ignore[arg-type]
            .where(*where).order_by(*_order(filters)).limit(page_size).offset((page - 1) * page_size))
    rows = [_row(t, today, knowledge) for t in session.exec(stmt)]
    return TicketPage(rows=rows, total=total, page=page, page_size=page_size)


# --------------------------------------------------------------------------- one ticket


@dataclass(frozen=True)
class EventRow:
    at: datetime  # Asia/Shanghai
    type: str
    type_label: str
    actor: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class DeliveryRow:
    event: str
    state: str
    state_label: str
    attempts: int
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class CaseView:
    """The case behind a ticket, as a supervisor may see it: contacts masked (Art. 9, 51)."""

    id: int
    kind: str
    kind_label: str
    intent: str
    intent_label: str
    bank: str | None
    outlet: str | None
    district: str | None
    channel: str
    channel_label: str
    description: str
    contact_name: str | None
    contact_phone: str | None
    consent_to_contact: bool
    received_at: datetime
    verification: str
    verification_label: str
    verified_at: datetime | None
    verified_by: str | None


@dataclass(frozen=True)
class TicketDetail:
    number: str
    kind: str
    kind_label: str
    bank: str
    outlet: str | None
    state: str
    state_label: str
    created_at: datetime
    due_date: date
    due_provisional: bool
    open: bool
    days_overdue: int
    last_extension_day: date | None  # Art. 9: the last day the bank may still ask, while open
    acknowledged_at: datetime | None
    extension_requested_until: date | None
    process_report: str | None
    result_report: str | None
    result_reported_at: datetime | None
    escalated_at: datetime | None
    closed_at: datetime | None
    parent: str | None  # the transfer ticket a supervision ticket escalates
    children: list[str]  # supervision tickets opened for this one
    case: CaseView
    related_result: bool  # a ticket of this case carries the bank's result report
    events: list[EventRow] = field(default_factory=list)
    deliveries: list[DeliveryRow] = field(default_factory=list)

    @property
    def can_verify(self) -> bool:
        return self.related_result and self.case.verification == Verification.received.value


def _local(at: datetime | None) -> datetime | None:
    return as_local(at) if at is not None else None


def visible_ticket(session: Session, *, number: str, scope: str | None) -> tuple[Ticket, Case]:
    """The ticket with this number and its case, if the scope may see it; else TicketNotVisible."""
    stmt = select(Ticket, Case).join(Case, Case.id == Ticket.case_id).where(Ticket.number == number)  # type: ignore[arg-type]
    if scope is not None:
        stmt = stmt.where(Case.district == scope)
    found = session.exec(stmt).first()
    if found is None:
        raise TicketNotVisible("ticket_not_found", number=number)
    return found[0], found[1]


def ticket_detail(session: Session, *, number: str, scope: str | None, today: date, calendar: WorkdayCalendar,
                  knowledge: Knowledge) -> TicketDetail:
    """The ticket, its case (contacts masked), its history, its deliveries to the bank, and the
    tickets it escalated to or from. TicketNotVisible for a number outside the scope."""
    ticket, case = visible_ticket(session, number=number, scope=scope)
    events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                          .order_by(TicketEvent.at, TicketEvent.id)).all()  # type: ignore[arg-type]
    deliveries = session.exec(select(Delivery).where(Delivery.ticket_id == ticket.id)
                              .order_by(Delivery.created_at)).all()  # type: ignore[arg-type]
    family = session.exec(select(Ticket.number, Ticket.id, Ticket.parent_id, Ticket.result_reported_at)
                          .where(Ticket.case_id == case.id).order_by(Ticket.id)).all()  # type: ignore[arg-type]
    parent = next((f.number for f in family if f.id == ticket.parent_id), None)
    children = [f.number for f in family if f.parent_id == ticket.id]

    state, kind = _value(ticket.state), _value(ticket.kind)
    is_open = TicketState(state) in OPEN_STATES
    try:
        channel_label = knowledge.channel(case.channel).name
    except KeyError:
        channel_label = case.channel
    case_view = CaseView(
        id=case.id or 0, kind=_value(case.kind), kind_label=labels.case_kind(knowledge, _value(case.kind)),
        intent=case.intent, intent_label=intent_label(knowledge, case.intent), bank=case.bank,
        outlet=mask_free_text(case.outlet) if case.outlet else None, district=case.district, channel=case.channel,
        channel_label=channel_label, description=mask_free_text(case.description),
        contact_name=mask_name(case.contact_name), contact_phone=mask_phone(case.contact_phone),
        consent_to_contact=case.consent_to_contact, received_at=as_local(case.received_at),
        verification=_value(case.verification),
        verification_label=labels.verification(knowledge, _value(case.verification)),
        verified_at=_local(case.verified_at), verified_by=case.verified_by,
    )
    return TicketDetail(
        number=ticket.number, kind=kind, kind_label=labels.ticket_kind(knowledge, kind), bank=ticket.bank,
        outlet=mask_free_text(ticket.outlet) if ticket.outlet else None, state=state,
        state_label=labels.ticket_state(knowledge, state), created_at=as_local(ticket.created_at),
        due_date=ticket.due_date, due_provisional=ticket.due_provisional, open=is_open,
        days_overdue=(today - ticket.due_date).days if is_open and ticket.due_date < today else 0,
        last_extension_day=last_extension_day(ticket.due_date, calendar) if is_open else None,
        acknowledged_at=_local(ticket.acknowledged_at), extension_requested_until=ticket.extension_requested_until,
        process_report=mask_free_text(ticket.process_report) if ticket.process_report else None,
        result_report=mask_free_text(ticket.result_report) if ticket.result_report else None,
        result_reported_at=_local(ticket.result_reported_at), escalated_at=_local(ticket.escalated_at),
        closed_at=_local(ticket.closed_at), parent=parent, children=children, case=case_view,
        related_result=any(f.result_reported_at is not None for f in family),
        events=[EventRow(at=as_local(e.at), type=e.type, type_label=labels.ticket_event(knowledge, e.type), actor=e.actor,
                         detail={k: mask_free_text(v) if isinstance(v, str) else v for k, v in (e.detail or {}).items()})
                for e in events],
        deliveries=[DeliveryRow(event=d.event, state=_value(d.state),
                                state_label=labels.delivery_state(knowledge, _value(d.state)), attempts=d.attempts,
                                created_at=as_local(d.created_at), delivered_at=_local(d.delivered_at),
                                last_error=d.last_error) for d in deliveries],
    )


def intent_label(knowledge: Knowledge, intent: str) -> str:
    """The Chinese label of a taxonomy intent (the name itself for one the taxonomy no longer has)."""
    try:
        return knowledge.intent(intent).label
    except KeyError:
        return intent


def iter_tickets(session: Session, *, filters: TicketFilters, scope: str | None, today: date,
                 calendar: WorkdayCalendar, knowledge: Knowledge, batch: int = 1000):  # noqa: ANN201
    """Every ticket matching `filters` inside `scope`, in the list's order, read in batches (for a
    CSV download, which may hold the whole ledger without holding it in memory)."""
    where, _ = _conditions(filters, scope=scope, today=today, calendar=calendar)
    stmt = (select(*_list_columns()).join(Case, Case.id == Ticket.case_id)  # type: ignore[arg-type]
            .where(*where).order_by(*_order(filters)).execution_options(yield_per=batch))
    for t in session.exec(stmt):
        yield _row(t, today, knowledge)
