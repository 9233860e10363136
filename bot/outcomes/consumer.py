"""The consumer of Rasa's conversation events: RabbitMQ → `bot.outcomes.ingest` → the database.

Rasa's event broker (nlu_runtime/event_broker.py, Rasa's PikaEventBroker) publishes every event to a
fanout exchange bound to a durable queue, as persistent messages. This consumer declares the same
exchange, queue and binding (so events published while it is down wait in the queue) and
acknowledges each message only after the transaction that applied it has committed: stopped between
the two, it leaves the message in the queue for the next consumer, whose receipt check
(`ConversationEventReceipt`) recognises it if the write had gone through. A message that is not a
Rasa event is rejected without requeueing, so it cannot block the queue; a database that cannot be
written puts the message back and waits, doubling the wait up to a limit.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from collections.abc import Callable
from dataclasses import dataclass

import pika
from pika.adapters.blocking_connection import BlockingChannel
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.clock import Clock
from bot.outcomes.errors import InvalidEvent
from bot.outcomes.ingest import ingest, prune_receipts

logger = logging.getLogger(__name__)

# Rasa's PikaEventBroker declares its exchange with aio-pika's defaults (fanout, not durable); a
# declaration with other arguments would be refused by RabbitMQ, so these must stay as Rasa's.
RASA_EXCHANGE = "rasa-exchange"
DEFAULT_QUEUE = "sbk_conversation_events"
# A message written but not acknowledged comes back when the next consumer connects; receipts are kept
# this long so that even a consumer restarted weeks after a crash does not count it twice.
RECEIPT_DAYS = 30


@dataclass
class ConsumeResult:
    applied: int = 0  # written to the database
    repeated: int = 0  # delivered again after a lost acknowledgement: already applied
    rejected: int = 0  # not a Rasa event


def declare(channel: BlockingChannel, queue: str) -> None:
    """The exchange Rasa publishes to, the durable queue and its binding."""
    channel.exchange_declare(RASA_EXCHANGE, exchange_type="fanout", durable=False)
    channel.queue_declare(queue, durable=True)
    channel.queue_bind(queue, RASA_EXCHANGE)


def consume(*, url: str, queue: str, engine: Engine, clock: Clock, max_messages: int | None = None,
            idle_seconds: float | None = None, prefetch: int = 50, stop: Callable[[], bool] = lambda: False,
            db_retry_seconds: float = 1.0, db_retry_max_seconds: float = 30.0) -> ConsumeResult:
    """Apply the queue's messages until `max_messages` were handled, the queue stayed empty for
    `idle_seconds`, or `stop()` says so (checked at least every second); None means never."""
    result = ConsumeResult()
    with Session(engine) as session:
        prune_receipts(session, before=clock.now() - timedelta(days=RECEIPT_DAYS))
        session.commit()
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        declare(channel, queue)
        channel.basic_qos(prefetch_count=prefetch)
        idle_since = time.monotonic()
        wait = db_retry_seconds
        for method, _properties, body in channel.consume(queue, inactivity_timeout=1.0):
            if method is None or body is None:
                if stop() or (idle_seconds is not None and time.monotonic() - idle_since >= idle_seconds):
                    break
                continue
            idle_since = time.monotonic()
            try:
                with Session(engine) as session:
                    row = ingest(session, body=body, now=clock.now())
                    session.commit()
            except InvalidEvent as exc:
                logger.warning("message %s is not a Rasa event (%s): rejected", method.delivery_tag, exc.reason)
                channel.basic_reject(method.delivery_tag, requeue=False)
                result.rejected += 1
            except SQLAlchemyError:
                logger.exception("the database refused a conversation event; it goes back to the queue")
                channel.basic_nack(method.delivery_tag, requeue=True)
                time.sleep(wait)
                wait = min(wait * 2, db_retry_max_seconds)
                continue
            else:
                channel.basic_ack(method.delivery_tag)  # after the commit: a crash before it redelivers
                wait = db_retry_seconds
                if row is None:
                    result.repeated += 1
                else:
                    result.applied += 1
            if max_messages is not None and result.applied + result.repeated + result.rejected >= max_messages:
                break
            if stop():
                break
        channel.cancel()
    finally:
        if connection.is_open:
            connection.close()
    return result
