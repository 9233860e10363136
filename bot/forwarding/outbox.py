"""The delivery outbox: one row per event and bank, written in the same transaction as the change.

Because the row commits (or rolls back) together with the ticket change it reports, an event is
never lost when the service stops right after the change, and never sent for a change that did
not happen. The dispatcher (bot.forwarding.dispatcher) sends the rows later.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.forwarding.models import Delivery, DeliveryState
from bot.forwarding.payload import SCHEMA_VERSION, as_utc, canonical_json, iso_shanghai, ticket_payload
from bot.knowledge import Knowledge
from bot.ledger.models import Case, Ticket, TicketState

TICKET_CREATED = "ticket.created"
TICKET_ESCALATED = "ticket.escalated"
TICKET_UPDATED = "ticket.updated"
TICKET_CLOSED = "ticket.closed"

#: Events a bank may receive (X-SBK-Event). ticket.created: a new transfer ticket; ticket.escalated:
#: a supervision ticket (督办单) for an overdue one; ticket.updated: a state change; ticket.closed: closed.
EVENTS = (TICKET_CREATED, TICKET_ESCALATED, TICKET_UPDATED, TICKET_CLOSED)


class DeliveryNotFound(LookupError):
    """No delivery has this id."""


class DeliveryNotRetryable(ValueError):
    """The delivery cannot be retried in its current state (it was delivered)."""


def event_for_state(state: TicketState) -> str:
    """The event that reports a ticket entering `state` (closed → ticket.closed, else ticket.updated)."""
    return TICKET_CLOSED if TicketState(state) == TicketState.closed else TICKET_UPDATED


def envelope(*, event: str, delivery_id: uuid.UUID, occurred_at: datetime, ticket: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "event": event,
        "delivery_id": str(delivery_id),
        "occurred_at": iso_shanghai(occurred_at),
        "ticket": ticket,
    }


def enqueue(
    session: Session,
    *,
    ticket: Ticket,
    case: Case,
    event: str,
    knowledge: Knowledge,
    now: datetime,
    parent: Ticket | None = None,
) -> Delivery:
    """Add one outbox row for `event` about `ticket` to the caller's transaction (not committed here).

    The body is the canonical JSON text of the envelope, stored as is: every attempt sends and
    signs these same bytes, and its `delivery_id` equals the X-SBK-Delivery header.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}; expected one of {', '.join(EVENTS)}")
    if ticket.id is None:
        session.add(ticket)
        session.flush()
    if ticket.id is None:  # pragma: no cover - flush always assigns it
        raise ValueError("the ticket has no id")
    now = as_utc(now)
    delivery_id = uuid.uuid4()
    body = canonical_json(
        envelope(
            event=event,
            delivery_id=delivery_id,
            occurred_at=now,
            ticket=ticket_payload(ticket, case, knowledge, parent=parent),
        )
    )
    delivery = Delivery(
        id=delivery_id,
        ticket_id=ticket.id,
        bank=ticket.bank,
        event=event,
        body=body,
        state=DeliveryState.pending,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    session.flush()
    return delivery


def get_delivery(session: Session, delivery_id: uuid.UUID | str) -> Delivery:
    try:
        key = delivery_id if isinstance(delivery_id, uuid.UUID) else uuid.UUID(str(delivery_id))
    except ValueError:
        raise DeliveryNotFound(f"no delivery {delivery_id}") from None
    delivery = session.get(Delivery, key)
    if delivery is None:
        raise DeliveryNotFound(f"no delivery {key}")
    return delivery


def retry_parked(session: Session, delivery_id: uuid.UUID | str, *, now: datetime) -> Delivery:
    """Make a parked delivery due now with a fresh attempt budget; caller commits.

    The delivery keeps its id and body, so the bank sees the same X-SBK-Delivery again and can
    recognise a duplicate. A pending one that no dispatcher holds is just made due now (its attempts
    kept). Raises DeliveryNotFound for an unknown id and DeliveryNotRetryable for a delivered one or
    one a dispatcher is sending at this moment.
    """
    now = as_utc(now)
    delivery = get_delivery(session, delivery_id)
    state = DeliveryState(delivery.state)
    if state == DeliveryState.delivered:
        raise DeliveryNotRetryable(f"delivery {delivery.id} was already delivered")
    if state == DeliveryState.parked:
        delivery.state = DeliveryState.pending
        delivery.attempts = 0
        delivery.locked_by = None
        delivery.locked_until = None
    elif delivery.locked_until is not None and as_utc(delivery.locked_until) > now:
        raise DeliveryNotRetryable(f"delivery {delivery.id} is being sent right now by {delivery.locked_by}")
    delivery.next_attempt_at = now
    session.add(delivery)
    session.flush()
    return delivery


def list_deliveries(
    session: Session,
    *,
    state: DeliveryState | str | None = None,
    bank: str | None = None,
    limit: int | None = None,
) -> list[Delivery]:
    """Deliveries, oldest first, optionally of one state and bank."""
    query = select(Delivery).order_by(col(Delivery.created_at), col(Delivery.id))
    if state is not None:
        query = query.where(Delivery.state == DeliveryState(state))
    if bank is not None:
        query = query.where(Delivery.bank == bank)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def delivery_summary(delivery: Delivery, ticket_number: str | None = None,
                     endpoint_gone_at: datetime | None = None) -> dict[str, Any]:
    """What operators see of a delivery: everything but the body.

    `endpoint_gone_at`: when the bank's endpoint answered 410 Gone; a pending delivery of that bank
    is then held (not sent) until a URL is registered again, which `held` says.
    """

    def ts(value: datetime | None) -> str | None:
        return as_utc(value).isoformat() if value is not None else None

    return {
        "id": str(delivery.id),
        "ticket_id": delivery.ticket_id,
        "ticket_number": ticket_number,
        "bank": delivery.bank,
        "event": delivery.event,
        "state": DeliveryState(delivery.state).value,
        "attempts": delivery.attempts,
        "next_attempt_at": ts(delivery.next_attempt_at),
        "last_error": delivery.last_error,
        "locked_by": delivery.locked_by,
        "locked_until": ts(delivery.locked_until),
        "created_at": ts(delivery.created_at),
        "delivered_at": ts(delivery.delivered_at),
        "held": "endpoint_gone" if endpoint_gone_at is not None and state_is_pending(delivery) else None,
        "endpoint_gone_at": ts(endpoint_gone_at),
    }


def state_is_pending(delivery: Delivery) -> bool:
    return DeliveryState(delivery.state) == DeliveryState.pending
