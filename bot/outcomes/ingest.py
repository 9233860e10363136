"""From Rasa's events to conversation outcomes.

`apply` is the pure step: one serialised Rasa event (the dict Rasa's event broker publishes,
``{"sender_id": …, "event": …, "timestamp": …}``) moves a conversation's state. How a turn (a
citizen's message and what followed it) is read:

- ``action_handoff`` executed, or ``action_clarify`` resetting ``low_confidence_turns`` to 0 (the
  second unclear turn in a row hands the conversation over, actions/fallback.py): handed to a person;
- ``low_confidence_turns`` set to 1 or more (a clarifying question, asked by ``action_clarify`` or by
  an answer too unsure to give), or ``action_default_fallback`` (Rasa's core fallback): unclear;
- any other action after the message (an answer, a form, an utterance): understood, unless a later
  event of the same turn makes it unclear. An understood turn right after an unclear one recovers it.

`ingest` applies a batch of broker messages in a session: it finds or opens each sender's
conversation (a ``session_started`` event opens a new one) and skips a message whose digest it has
already recorded, so a message delivered again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from bot.outcomes.errors import InvalidEvent
from bot.outcomes.models import ConversationEventReceipt, ConversationOutcome, Outcome, Turn

LOW_TURNS = "low_confidence_turns"
HANDOFF_ACTION = "action_handoff"
CLARIFY_ACTION = "action_clarify"
FALLBACK_ACTION = "action_default_fallback"
# Rasa's own bookkeeping around every message: it says nothing about whether the message was understood.
BOOKKEEPING = frozenset({"action_listen", "action_session_start", "action_extract_slots", "action_unlikely_intent",
                         "action_back", "action_restart"})


@dataclass(frozen=True)
class State:
    """A conversation as its events have moved it. `unclear_turns` and `recoveries` count the turns
    before the current one, whose reading (`current`) a later event of the same turn may still change."""

    user_turns: int = 0
    unclear_turns: int = 0
    recoveries: int = 0
    previous: Turn = Turn.none
    current: Turn = Turn.none
    after_clarify: bool = False
    handed_off: bool = False

    @property
    def last_turn(self) -> Turn:
        return self.current if self.current is not Turn.none else self.previous

    @property
    def outcome(self) -> Outcome:
        if self.handed_off:
            return Outcome.handed_off
        if self.user_turns == 0 or self.last_turn is Turn.none:
            return Outcome.silent
        return Outcome.not_understood if self.last_turn is Turn.unclear else Outcome.answered

    @property
    def total_unclear(self) -> int:
        return self.unclear_turns + (self.current is Turn.unclear)

    @property
    def total_recoveries(self) -> int:
        return self.recoveries + (self.current is Turn.understood and self.previous is Turn.unclear)


def _next_message(state: State) -> State:
    """A new message from the citizen: the current turn's reading becomes final."""
    if state.user_turns == 0:
        return replace(state, user_turns=1)
    return State(user_turns=state.user_turns + 1, unclear_turns=state.total_unclear,
                 recoveries=state.total_recoveries, previous=state.last_turn, handed_off=state.handed_off)


def apply(state: State, event: Mapping[str, Any]) -> State:
    """`state` moved by one Rasa event; an event that says nothing about understanding leaves it as it is."""
    kind = event.get("event")
    if kind == "user":
        return _next_message(state)
    if state.user_turns == 0:
        return state
    if kind == "action":
        name = event.get("name")
        if name == HANDOFF_ACTION:
            return replace(state, handed_off=True, current=Turn.understood if state.current is Turn.none
                           else state.current)
        if name == FALLBACK_ACTION:
            return replace(state, current=Turn.unclear)
        if name == CLARIFY_ACTION:
            return replace(state, after_clarify=True)
        if name in BOOKKEEPING or state.current is not Turn.none:
            return state
        return replace(state, current=Turn.understood)
    if kind == "slot" and event.get("name") == LOW_TURNS:
        value = event.get("value")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1:
            return replace(state, current=Turn.unclear)
        if state.after_clarify:  # the second unclear turn in a row: handed to a person
            return replace(state, current=Turn.unclear, handed_off=True)
    return state


def replay(events: Iterable[Mapping[str, Any]], state: State | None = None) -> State:
    """The state after `events`, in order (from a fresh conversation unless `state` is given)."""
    state = state or State()
    for event in events:
        state = apply(state, event)
    return state


# --------------------------------------------------------------------------- into the database


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def parse_message(body: bytes) -> dict[str, Any]:
    """One broker message's event; InvalidEvent for a body that is not a Rasa event."""
    try:
        event = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidEvent("not_json") from None
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        raise InvalidEvent("no_event_type")
    if not isinstance(event.get("sender_id"), str) or not event["sender_id"] or len(event["sender_id"]) > 128:
        raise InvalidEvent("no_sender")
    return event


def _instant(event: Mapping[str, Any], now: datetime) -> datetime:
    stamp = event.get("timestamp")
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool):
        return datetime.fromtimestamp(stamp, UTC)
    return now


def _state(row: ConversationOutcome) -> State:
    """The row's state; the row counts the current turn too, the state only the turns before it."""
    current, previous = Turn(row.current_turn), Turn(row.previous_turn)
    return State(user_turns=row.user_turns, unclear_turns=row.unclear_turns - (current is Turn.unclear),
                 recoveries=row.recoveries - (current is Turn.understood and previous is Turn.unclear),
                 previous=previous, current=current, after_clarify=row.after_clarify, handed_off=row.handed_off)


def _store(row: ConversationOutcome, state: State) -> None:
    row.user_turns, row.unclear_turns, row.recoveries = state.user_turns, state.total_unclear, state.total_recoveries
    row.previous_turn, row.current_turn, row.after_clarify = state.previous, state.current, state.after_clarify
    row.handed_off, row.outcome = state.handed_off, state.outcome


def ingest(session: Session, *, body: bytes, now: datetime) -> ConversationOutcome | None:
    """Apply one broker message; None when it was applied before (a redelivery). The caller commits,
    then acknowledges the message, so a crash in between redelivers it and the digest skips it."""
    event = parse_message(body)
    key = digest(body)
    if session.get(ConversationEventReceipt, key) is not None:
        return None
    at = _instant(event, now)
    sender = event["sender_id"]
    row = session.exec(select(ConversationOutcome).where(ConversationOutcome.sender_id == sender)
                       .order_by(col(ConversationOutcome.started_at).desc(), col(ConversationOutcome.id).desc())
                       .limit(1)).first()
    if row is None or (event["event"] == "session_started" and row.user_turns > 0):
        # A session the citizen wrote nothing in yet is reused: Rasa starts one before the first message.
        row = ConversationOutcome(sender_id=sender, started_at=at, last_event_at=at)
    _store(row, apply(_state(row), event))
    row.last_event_at = max(row.last_event_at, at)
    session.add(row)
    session.add(ConversationEventReceipt(digest=key, received_at=now))
    session.flush()
    return row


def prune_receipts(session: Session, *, before: datetime) -> int:
    """Forget the receipts of messages applied before `before`: a message is delivered again only to the
    next consumer after a lost acknowledgement, so old receipts guard nothing. Returns how many went."""
    result = session.exec(delete(ConversationEventReceipt).where(col(ConversationEventReceipt.received_at) < before))
    return int(result.rowcount or 0)
