"""Rasa's event broker for the assistant's own figures: Rasa's PikaEventBroker, on when RABBITMQ_URL is set.

endpoints.yml names this class (``event_broker: type: nlu_runtime.event_broker.ProductEventBroker``).
Without RABBITMQ_URL in the environment it gives no broker, and Rasa runs as before, so `make run`
works on a machine without RabbitMQ. With it, Rasa publishes every conversation event to its fanout
exchange, bound to the durable queue RABBITMQ_QUEUE (default ``sbk_conversation_events``), as
persistent messages; `sbk events consume` writes them to the database (bot.outcomes), so the figures
never slow a reply. Like the tracker store, the connection details are read from the environment
rather than copied into endpoints.yml, and ID, phone and bank card numbers are masked in message
texts before they leave the process (Art. 9, 51): the queue holds no more than the stored conversation.

Runs in the Rasa environment; only plain-Python product modules are imported.
"""

from __future__ import annotations

import os
from asyncio import AbstractEventLoop
from typing import Any
from urllib.parse import unquote, urlparse

from rasa.core.brokers.pika import PikaEventBroker
from rasa.utils.endpoints import EndpointConfig

from nlu_runtime.tracker_store import masked_event_data

DEFAULT_QUEUE = "sbk_conversation_events"  # bot.settings.Settings.rabbitmq_queue


def broker_arguments(url: str, queue: str) -> dict[str, Any]:
    """PikaEventBroker's keyword arguments for an AMQP URL (it wants the host, user and password apart)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("amqp", "amqps") or not parsed.hostname:
        raise ValueError("RABBITMQ_URL must be an amqp:// or amqps:// URL with a host")
    return {"host": url, "username": unquote(parsed.username or "guest"), "password": unquote(parsed.password or "guest"),
            "port": parsed.port or (5671 if parsed.scheme == "amqps" else 5672), "queues": [queue]}


class ProductEventBroker(PikaEventBroker):
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

    def publish(self, event: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().publish(masked_event_data(event), headers)
