"""Forwarding tickets to partner banks: signed webhooks from a transactional outbox.

- `ticket_payload(ticket, case, knowledge)`: the ticket as a bank sees it (contact only with consent).
- `enqueue(session, ticket=…, case=…, event=…, knowledge=…, now=…)`: one outbox row in the caller's
  transaction, its body the canonical JSON bytes every attempt signs.
- `sign(body, secret)` / `verify(body, secret, header)`: X-SBK-Signature.
- `Dispatcher(engine, client=…, …)`: claims due rows, POSTs them, retries with back-off, parks.
- `retry_parked(session, delivery_id, now=…)`: an operator sends a parked delivery again.

The contract banks integrate with is described in docs/bank-integration.md.
"""

from bot.forwarding.dispatcher import Dispatcher, Outcome, backoff_delay, retry_delay
from bot.forwarding.outbox import (
    EVENTS,
    TICKET_CLOSED,
    TICKET_CREATED,
    TICKET_ESCALATED,
    TICKET_UPDATED,
    DeliveryNotFound,
    DeliveryNotRetryable,
    delivery_summary,
    enqueue,
    event_for_state,
    get_delivery,
    list_deliveries,
    retry_parked,
)
from bot.forwarding.payload import canonical_json, ticket_payload
from bot.forwarding.signing import sign, verify

__all__ = [
    "EVENTS",
    "TICKET_CLOSED",
    "TICKET_CREATED",
    "TICKET_ESCALATED",
    "TICKET_UPDATED",
    "DeliveryNotFound",
    "DeliveryNotRetryable",
    "Dispatcher",
    "Outcome",
    "backoff_delay",
    "canonical_json",
    "delivery_summary",
    "enqueue",
    "event_for_state",
    "get_delivery",
    "list_deliveries",
    "retry_delay",
    "retry_parked",
    "sign",
    "ticket_payload",
    "verify",
]
