"""Rasa's event broker for the assistant's own figures: Rasa's PikaEventBroker, on when RABBITMQ_URL is set.

endpoints.yml names this class (``event_broker: type: nlu_runtime.event_broker.ProductEventBroker``).
Without RABBITMQ_URL in the environment it gives no broker, and Rasa runs as before, so `make run`
works on a machine without RabbitMQ. With it, Rasa publishes every conversation event to its fanout
exchange, bound to the durable queue RABBITMQ_QUEUE (default ``sbk_conversation_events``), as
persistent messages; `sbk events consume` writes them to the database (bot.outcomes), so the figures
never slow a reply. Like the tracker store, the connection details are read from the environment
rather than copied into endpoints.yml, and ID, phone and bank card numbers are masked in message
texts before they leave the process (Art. 9, 51): the queue holds no more than the stored conversation.

RabbitMQ failures (docs/deployment.md):

* unreachable at start: Rasa's broker would try 20 times, 5 s apart, then raise a bare
  "Cannot connect to event broker"; instead the launcher (nlu_runtime/server.py) calls
  `check_rabbitmq()` before loading the model, which raises `RabbitMQUnreachable` with a message
  naming the address (never the password) and what to start.
* unreachable while running: `publish` only puts the event in line, so a reply never waits for
  RabbitMQ and never fails because of it. One task sends the line from its head, in batches whose
  messages are written in order and each confirmed by RabbitMQ (publisher confirms, aio-pika's
  default); those not confirmed go back to the head. aio-pika's robust connection reconnects by
  itself every ``reconnect_interval`` seconds (5 by default; a query parameter of RABBITMQ_URL) and
  its reconnect callback starts the sending again, as Rasa's own broker does with its unpublished
  events. Rasa's line, though, has no bound, and new events overtake the kept ones (one published as
  the connection comes back, or a kept one that fails again); this one keeps at most `UNSENT_LIMIT`
  events, in order, and drops the oldest beyond it, counted in the log.

Runs in the Rasa environment; only plain-Python product modules are imported.
"""

from __future__ import annotations

import asyncio
import logging
import os
from asyncio import AbstractEventLoop
from collections import deque
from typing import Any
from urllib.parse import unquote, urlparse

import aio_pika
from aio_pika.exceptions import CONNECTION_EXCEPTIONS
from rasa.core.brokers.pika import PikaEventBroker
from rasa.utils.endpoints import EndpointConfig

from nlu_runtime.tracker_store import masked_event_data

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "sbk_conversation_events"  # bot.settings.Settings.rabbitmq_queue
# A citizen's turn publishes about ten events, some 3 kB of JSON in all, so while RabbitMQ is away this
# keeps some 5,000 turns in about 20 MB; beyond it the figures lose the oldest events rather than the
# server its memory.
UNSENT_LIMIT = 50_000
# Events sent together, each awaiting its own confirmation; aio-pika writes them in the order given.
SEND_BATCH = 200
# How long `close` waits for the events still in line before the connection goes.
CLOSE_WAIT_SECONDS = 5.0
# The launcher's check: long enough for a loaded RabbitMQ to answer, short next to Rasa's start.
CHECK_TIMEOUT_SECONDS = 5.0


class RabbitMQUnreachable(RuntimeError):
    """The RabbitMQ of RABBITMQ_URL does not accept a connection; the message says which one and what to start."""


def broker_arguments(url: str, queue: str) -> dict[str, Any]:
    """PikaEventBroker's keyword arguments for an AMQP URL (it wants the host, user and password apart)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("amqp", "amqps") or not parsed.hostname:
        raise ValueError("RABBITMQ_URL must be an amqp:// or amqps:// URL with a host")
    return {"host": url, "username": unquote(parsed.username or "guest"), "password": unquote(parsed.password or "guest"),
            "port": parsed.port or (5671 if parsed.scheme == "amqps" else 5672), "queues": [queue]}


def where(url: str) -> str:
    """host:port and virtual host of an AMQP URL, without its user and password."""
    parsed = urlparse(url)
    arguments = broker_arguments(url, DEFAULT_QUEUE)
    return f"{parsed.hostname}:{arguments['port']} (virtual host {unquote(parsed.path[1:]) or '/'})"


def check_rabbitmq(url: str) -> None:
    """RabbitMQUnreachable unless the RabbitMQ of `url` accepts an AMQP connection (user and password too)."""
    password = unquote(urlparse(url).password or "")

    async def connect() -> None:
        connection = await aio_pika.connect(url, timeout=CHECK_TIMEOUT_SECONDS)
        await connection.close()

    try:
        asyncio.run(connect())
    except (*CONNECTION_EXCEPTIONS, asyncio.TimeoutError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if password:
            reason = reason.replace(password, "******")
        raise RabbitMQUnreachable(
            f"The conversation event broker, RabbitMQ at {where(url)} from RABBITMQ_URL, does not accept a "
            f"connection ({reason}). Start RabbitMQ there (Debian: `systemctl start rabbitmq-server`, or "
            f"`rabbitmq-server -detached`) and check RABBITMQ_URL's user and password, or unset RABBITMQ_URL "
            f"to run Rasa without sending its events (the assistant's figures then stay as they are)."
        ) from None


class ProductEventBroker(PikaEventBroker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa's line of unpublished events, here the message of every event not yet confirmed (built at
        # once: its JSON body weighs less than the event's dict).
        self._unpublished_events: deque[aio_pika.Message] = deque()  # type: ignore[assignment]
        self._sender: asyncio.Task | None = None
        self._outage = False  # a send failed: the next success says how many waited
        self._kept_peak = 0
        self._dropped = 0

    @classmethod
    async def from_endpoint_config(cls, broker_config: EndpointConfig | None,
                                   event_loop: AbstractEventLoop | None = None) -> ProductEventBroker | None:
        url = os.environ.get("RABBITMQ_URL", "").strip()
        if not url:
            return None
        settings = dict(broker_config.kwargs) if broker_config is not None else {}
        settings.pop("queues", None)  # the queue is the consumer's, named once in the environment
        broker = cls(**broker_arguments(url, os.environ.get("RABBITMQ_QUEUE", "").strip() or DEFAULT_QUEUE),
                     event_loop=event_loop, **settings)
        await broker.connect()
        return broker

    async def connect(self) -> None:
        await super().connect()  # registers `_publish_unpublished_messages` as the reconnect callback
        self._send_soon()

    def publish(self, event: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """Put the event in line and return: nothing here waits for RabbitMQ."""
        try:
            message = self._message(masked_event_data(event), headers)
        except (TypeError, ValueError):  # not JSON: Rasa's broker would retry it for ever, a reply must not fail
            logger.exception("A conversation event of %s could not be serialised; it is not sent",
                             event.get("sender_id"))
            return
        if len(self._unpublished_events) >= UNSENT_LIMIT:
            self._unpublished_events.popleft()
            self._drop(1)
        self._unpublished_events.append(message)
        self._send_soon()

    def unsent(self) -> int:
        """Events published and not yet confirmed by RabbitMQ."""
        return len(self._unpublished_events)

    def _publish_unpublished_messages(self, *_: Any, **__: Any) -> None:
        self._send_soon()

    def _drop(self, count: int) -> None:
        if self._dropped == 0:
            logger.error("RabbitMQ is still unreachable and %d events wait to be sent: the oldest are dropped "
                         "from now on (nlu_runtime.event_broker.UNSENT_LIMIT)", UNSENT_LIMIT)
        self._dropped += count

    def _send_soon(self) -> None:
        connection = self._connection
        if self._exchange is None or connection is None:
            return  # not connected yet: `connect` starts the sender
        if not connection.connected.is_set():
            self._kept("the connection is down")  # aio-pika reconnects; its reconnect callback starts the sender
            return
        if self._sender is None or self._sender.done():
            self._sender = self._loop.create_task(self._send())
            self._background_tasks.add(self._sender)
            self._sender.add_done_callback(self._background_tasks.discard)

    def _kept(self, reason: str) -> None:
        self._kept_peak = max(self._kept_peak, len(self._unpublished_events))
        if not self._outage:
            self._outage = True
            logger.warning("RabbitMQ at %s does not take the conversation events (%s): they are kept, in order, "
                           "and sent when it is back (at most %d, then the oldest are dropped)", where(self.host),
                           reason, UNSENT_LIMIT)

    async def _send(self) -> None:
        line = self._unpublished_events
        while line and self._exchange is not None:
            batch = [line.popleft() for _ in range(min(SEND_BATCH, len(line)))]
            try:
                results = await asyncio.gather(*(self._exchange.publish(message, "") for message in batch),
                                               return_exceptions=True)
            except asyncio.CancelledError:  # the server stops: `close` counts what was not sent
                line.extendleft(reversed(batch))
                raise
            failed = [item for item, result in zip(batch, results) if isinstance(result, BaseException)]
            if not failed:
                continue
            # Back to the head of the line, in their order; the oldest go if newer events filled it meanwhile.
            line.extendleft(reversed(failed))
            excess = len(line) - UNSENT_LIMIT
            for _ in range(max(0, excess)):
                line.popleft()
            if excess > 0:
                self._drop(excess)
            error = next(result for result in results if isinstance(result, BaseException))
            self._kept(f"{type(error).__name__}: {error}")
            connection = self._connection
            if connection is not None and connection.connected.is_set():
                # Refused on a live connection (aio-pika reopens a channel the broker closed): try again shortly.
                await asyncio.sleep(1.0)
                continue
            return
        if self._outage:
            logger.warning("RabbitMQ at %s is back: the conversation events kept meanwhile (at most %d at once) "
                           "were sent in order%s", where(self.host), self._kept_peak,
                           f"; {self._dropped} older ones were dropped beyond the bound" if self._dropped else "")
            self._outage, self._kept_peak, self._dropped = False, 0, 0

    async def close(self) -> None:
        """Send what is still in line (for a few seconds at most), then close as Rasa does."""
        if self._unpublished_events:
            self._send_soon()
        if self._sender is not None and not self._sender.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._sender), CLOSE_WAIT_SECONDS)
            except asyncio.TimeoutError:
                pass
        if self._unpublished_events:
            logger.error("RabbitMQ at %s: %d conversation events were not sent before the server stopped",
                         where(self.host), len(self._unpublished_events))
        await super().close()
