"""The consumer against the real RabbitMQ (127.0.0.1:5672): events published as Rasa's broker
publishes them (persistent JSON messages on its fanout exchange, bound to a durable queue) become
rows; a consumer stopped before acknowledging leaves the message for the next one, which counts it
once; a message that is not an event does not block the queue."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pika
import pytest
from pika.adapters.blocking_connection import BlockingChannel
from sqlmodel import Session, select

from bot.clock import FixedClock
from bot.outcomes import Outcome
from bot.outcomes.consumer import RASA_EXCHANGE, consume, declare
from bot.outcomes.models import ConversationEventReceipt, ConversationOutcome
from tests.outcomes.test_ingest import EVENTS

URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
CLOCK = FixedClock(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))


@pytest.fixture
def queue():
    """A durable queue of this test's own, bound to Rasa's exchange; deleted afterwards."""
    name = f"sbk_test_events_{uuid.uuid4().hex[:8]}"
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    channel = connection.channel()
    declare(channel, name)
    yield name
    channel.queue_delete(name)
    connection.close()


def publish(events: list[dict] | list[bytes]) -> None:
    """As Rasa's PikaEventBroker does: json.dumps of the event, persistent, to the fanout exchange."""
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    channel = connection.channel()
    for event in events:
        body = event if isinstance(event, bytes) else json.dumps(event).encode("utf-8")
        channel.basic_publish(RASA_EXCHANGE, "", body, pika.BasicProperties(delivery_mode=2))
    connection.close()


def waiting(queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    try:
        return connection.channel().queue_declare(queue, durable=True, passive=True).method.message_count
    finally:
        connection.close()


def _outcomes(engine) -> dict[str, Outcome]:
    with Session(engine) as session:
        return {r.sender_id: r.outcome for r in session.exec(select(ConversationOutcome))}


def test_published_events_become_conversation_outcomes(engine, queue):
    events = [e for name in ("answered", "requested_handoff", "unclear_to_the_end") for e in EVENTS[name]]
    publish(events)
    result = consume(url=URL, queue=queue, engine=engine, clock=CLOCK, idle_seconds=1.0)
    assert (result.applied, result.repeated, result.rejected) == (len(events), 0, 0)
    assert _outcomes(engine) == {"telegram:600": Outcome.answered, "telegram:601": Outcome.handed_off,
                                 "telegram:604": Outcome.not_understood}
    assert waiting(queue) == 0


class Killed(BaseException):
    """The consumer's process dies (a BaseException, as SIGKILL leaves nothing to catch)."""


def test_a_consumer_stopped_before_acknowledging_leaves_the_message_for_the_next(engine, queue, monkeypatch):
    events = EVENTS["recovered"]
    publish(events)

    def die(self, delivery_tag=0, multiple=False):
        raise Killed

    # The first consumer commits the first message's write and dies before its acknowledgement.
    with monkeypatch.context() as patch:
        patch.setattr(BlockingChannel, "basic_ack", die)
        with pytest.raises(Killed):
            consume(url=URL, queue=queue, engine=engine, clock=CLOCK, idle_seconds=1.0)
    with Session(engine) as session:
        assert len(session.exec(select(ConversationEventReceipt)).all()) == 1  # written, not acknowledged
    assert waiting(queue) == len(events)  # the connection closed: RabbitMQ put the message back
    result = consume(url=URL, queue=queue, engine=engine, clock=CLOCK, idle_seconds=1.0)
    assert (result.applied, result.repeated) == (len(events) - 1, 1)
    with Session(engine) as session:
        [row] = session.exec(select(ConversationOutcome)).all()
        assert (row.outcome, row.user_turns, row.recoveries) == (Outcome.answered, 2, 1)
        assert len(session.exec(select(ConversationEventReceipt)).all()) == len(events)
    assert waiting(queue) == 0


def test_a_consumer_that_is_down_loses_nothing_and_a_bad_message_does_not_block(engine, queue):
    publish([b"not an event", *[json.dumps(e).encode() for e in EVENTS["twice_unclear_handoff"]]])
    first = consume(url=URL, queue=queue, engine=engine, clock=CLOCK, max_messages=3)
    assert (first.applied, first.rejected) == (2, 1)
    assert waiting(queue) == len(EVENTS["twice_unclear_handoff"]) - 2  # the rest waits for the next run
    second = consume(url=URL, queue=queue, engine=engine, clock=CLOCK, idle_seconds=1.0)
    assert second.applied == len(EVENTS["twice_unclear_handoff"]) - 2
    assert _outcomes(engine) == {"telegram:603": Outcome.handed_off}


def test_a_database_that_refuses_a_write_puts_the_message_back(engine, queue, monkeypatch):
    from sqlalchemy.exc import OperationalError

    import bot.outcomes.consumer as consumer

    real, calls = consumer.ingest, []

    def flaky(session, *, body, now):
        calls.append(body)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(session, body=body, now=now)

    monkeypatch.setattr(consumer, "ingest", flaky)
    publish(EVENTS["answered"])
    result = consume(url=URL, queue=queue, engine=engine, clock=CLOCK, idle_seconds=1.0, db_retry_seconds=0.05)
    assert result.applied == len(EVENTS["answered"]) and len(calls) == len(EVENTS["answered"]) + 1
    assert _outcomes(engine) == {"telegram:600": Outcome.answered} and waiting(queue) == 0
