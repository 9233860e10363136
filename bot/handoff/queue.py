"""The handoff queue: a conversation handed to a 12333 operator, the operator's replies to the citizen.

The assistant opens a handoff with the conversation so far; while it is open, the citizen's channel
passes what the citizen writes here instead of to the assistant; the operator takes it, replies
(each reply is queued in the citizen-notice outbox, which the citizen's channel pushes) and closes
it, after which the assistant answers again. Every function works inside the caller's transaction
and commits nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.handoff.errors import HandoffClosed, HandoffNotFound, ReplyRejected, TakenByAnother
from bot.handoff.models import TEXT_LIMIT, Handoff, HandoffMessage, HandoffReason, HandoffState, MessageAuthor
from bot.knowledge import Knowledge
from bot.notifications import CitizenMessage, queue_message

# Channels that can deliver an operator's reply (they push the citizen-message outbox).
REPLYABLE_CHANNELS = frozenset({"telegram"})
TRANSCRIPT_TURNS = 10  # the citizen's last messages, with the assistant's answers, that the operator sees
REPLY_LIMIT = 2000  # characters of one operator reply
QUEUE_LIMIT = 200  # open handoffs one page of the queue shows


@dataclass(frozen=True)
class TranscriptLine:
    """One message of the conversation before the handoff, as the assistant's tracker recorded it."""

    at: datetime
    author: MessageAuthor
    text: str


@dataclass(frozen=True)
class Received:
    """A citizen's message stored in their open handoff; `first` is the first since it opened."""

    handoff_id: int
    first: bool


@dataclass(frozen=True)
class QueueItem:
    """One open handoff as the queue lists it, with the citizen's latest message."""

    handoff: Handoff
    last_citizen_text: str | None
    messages: int


def last_turns(transcript: Sequence[TranscriptLine], turns: int = TRANSCRIPT_TURNS) -> list[TranscriptLine]:
    """The transcript from the citizen's `turns`-th last message on (what the operator needs, not a whole day)."""
    starts = [i for i, line in enumerate(transcript) if line.author is MessageAuthor.citizen]
    if len(starts) <= turns:
        return list(transcript)
    return list(transcript[starts[-turns]:])


def _stored_text(text: str) -> str:
    return text.strip()[:TEXT_LIMIT]


def open_handoff_for(session: Session, *, citizen_ref: str) -> Handoff | None:
    """The citizen's handoff that is not closed yet, if any."""
    return session.exec(select(Handoff).where(Handoff.citizen_ref == citizen_ref,
                                              Handoff.state != HandoffState.closed)).first()


def open_handoff(session: Session, *, citizen_ref: str, channel: str, reason: HandoffReason,
                 transcript: Sequence[TranscriptLine], now: datetime) -> Handoff:
    """Put the citizen's conversation in the queue with the last turns of `transcript`.

    Idempotent: a citizen whose handoff is still open gets that one back, transcript unchanged.
    """
    existing = open_handoff_for(session, citizen_ref=citizen_ref)
    if existing is not None:
        return existing
    handoff = Handoff(citizen_ref=citizen_ref, channel=channel, reason=reason, opened_at=now, last_message_at=now)
    try:
        # The partial unique index settles two openings at the same moment: the loser reads the winner's.
        with session.begin_nested():
            session.add(handoff)
    except IntegrityError:
        existing = open_handoff_for(session, citizen_ref=citizen_ref)
        if existing is None:
            raise
        return existing
    for line in last_turns(transcript):
        text = _stored_text(line.text)
        if text:
            session.add(HandoffMessage(handoff_id=handoff.id, author=line.author, text=text, at=line.at))
    return handoff


def add_citizen_message(session: Session, *, citizen_ref: str, text: str, now: datetime) -> Received | None:
    """Store what the citizen wrote in their open handoff; None when they have none (the assistant answers)."""
    handoff = session.exec(select(Handoff).where(Handoff.citizen_ref == citizen_ref,
                                                 Handoff.state != HandoffState.closed).with_for_update()).first()
    if handoff is None:
        return None
    session.add(HandoffMessage(handoff_id=handoff.id, author=MessageAuthor.citizen, text=_stored_text(text), at=now))
    first = handoff.citizen_messages == 0
    handoff.citizen_messages += 1
    handoff.last_message_at = now
    session.add(handoff)
    return Received(handoff_id=handoff.id, first=first)


def get_handoff(session: Session, *, handoff_id: int, for_update: bool = False) -> Handoff:
    query = select(Handoff).where(Handoff.id == handoff_id)
    handoff = session.exec(query.with_for_update() if for_update else query).first()
    if handoff is None:
        raise HandoffNotFound("handoff_not_found")
    return handoff


def _open_for_operator(session: Session, handoff_id: int, operator: str) -> Handoff:
    handoff = get_handoff(session, handoff_id=handoff_id, for_update=True)
    if handoff.state is HandoffState.closed:
        raise HandoffClosed("handoff_closed")
    if handoff.state is HandoffState.taken and handoff.taken_by != operator:
        raise TakenByAnother("handoff_taken_by_another", operator=handoff.taken_by)
    return handoff


def _notify(session: Session, handoff: Handoff, text: str, now: datetime) -> CitizenMessage:
    return queue_message(session, citizen_ref=handoff.citizen_ref, text=text, now=now)


def _render(knowledge: Knowledge, key: str, **values: object) -> str:
    return knowledge.messages.render(key, service_phone=knowledge.operator.service_phone, **values)


def take(session: Session, *, handoff_id: int, operator: str, now: datetime, knowledge: Knowledge) -> Handoff:
    """The operator starts serving the citizen, who is told a person has joined. Taking it again is a no-op."""
    handoff = _open_for_operator(session, handoff_id, operator)
    if handoff.state is HandoffState.taken:
        return handoff
    handoff.state, handoff.taken_by, handoff.taken_at = HandoffState.taken, operator, now
    session.add(handoff)
    _notify(session, handoff, _render(knowledge, "handoff_taken"), now)
    return handoff


def reply(session: Session, *, handoff_id: int, operator: str, text: str, now: datetime,
          knowledge: Knowledge) -> HandoffMessage:
    """Store the operator's reply and queue it for the citizen's channel; a waiting handoff is taken by it.

    ReplyRejected for an empty or too long text, before anything is written.
    """
    text = text.strip()
    if not text:
        raise ReplyRejected("handoff_reply_empty")
    if len(text) > REPLY_LIMIT:
        raise ReplyRejected("handoff_reply_too_long", limit=REPLY_LIMIT, length=len(text))
    handoff = take(session, handoff_id=handoff_id, operator=operator, now=now, knowledge=knowledge)
    message = HandoffMessage(handoff_id=handoff.id, author=MessageAuthor.operator, operator=operator, text=text,
                             at=now)
    session.add(message)
    handoff.last_message_at = now
    session.add(handoff)
    _notify(session, handoff, _render(knowledge, "handoff_operator_reply", text=text), now)
    session.flush()
    return message


def close(session: Session, *, handoff_id: int, operator: str, now: datetime, knowledge: Knowledge,
          override: bool = False) -> Handoff:
    """The operator ends the handoff; the citizen is told the assistant answers again. Closing twice is a no-op.

    Only the operator serving the citizen may end a handoff that is taken, unless `override` (an
    administrator ending a conversation its operator left behind).
    """
    handoff = get_handoff(session, handoff_id=handoff_id, for_update=True)
    if handoff.state is HandoffState.closed:
        return handoff
    if handoff.state is HandoffState.taken and handoff.taken_by != operator and not override:
        raise TakenByAnother("handoff_close_by_another", operator=handoff.taken_by)
    handoff.state, handoff.closed_at, handoff.closed_by = HandoffState.closed, now, operator
    session.add(handoff)
    _notify(session, handoff, _render(knowledge, "handoff_closed_by_operator"), now)
    return handoff


def end_by_citizen(session: Session, *, citizen_ref: str, now: datetime) -> Handoff | None:
    """The citizen ends their open handoff (/cancel); None when they had none. Their channel tells them."""
    handoff = open_handoff_for(session, citizen_ref=citizen_ref)
    if handoff is None:
        return None
    handoff.state, handoff.closed_at, handoff.closed_by = HandoffState.closed, now, None
    session.add(handoff)
    return handoff


def _listed(session: Session, state: HandoffState, limit: int) -> list[QueueItem]:
    handoffs = list(session.exec(select(Handoff).where(Handoff.state == state)
                                 .order_by(Handoff.opened_at, Handoff.id).limit(limit)))
    if not handoffs:
        return []
    ids = [h.id for h in handoffs]
    counts = dict(session.exec(select(HandoffMessage.handoff_id, func.count())
                               .where(col(HandoffMessage.handoff_id).in_(ids)).group_by(HandoffMessage.handoff_id)).all())
    latest = (select(func.max(HandoffMessage.id)).where(col(HandoffMessage.handoff_id).in_(ids),
                                                       HandoffMessage.author == MessageAuthor.citizen)
              .group_by(HandoffMessage.handoff_id))
    texts = dict(session.exec(select(HandoffMessage.handoff_id, HandoffMessage.text)
                              .where(col(HandoffMessage.id).in_(latest))).all())
    return [QueueItem(handoff=h, last_citizen_text=texts.get(h.id), messages=counts.get(h.id, 0)) for h in handoffs]


def waiting(session: Session, *, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """Handoffs nobody has taken yet, oldest first: the queue's head."""
    return _listed(session, HandoffState.waiting, limit)


def in_service(session: Session, *, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """Handoffs an operator is serving, oldest first."""
    return _listed(session, HandoffState.taken, limit)


def messages(session: Session, *, handoff_id: int, after_id: int = 0, limit: int = 500) -> list[HandoffMessage]:
    """The handoff's messages in order; `after_id` gives only those newer than a message already shown."""
    return list(session.exec(select(HandoffMessage).where(HandoffMessage.handoff_id == handoff_id,
                                                          HandoffMessage.id > after_id)
                             .order_by(HandoffMessage.id).limit(limit)))
