"""Rasa's event broker of endpoints.yml (nlu_runtime/event_broker.py) against the real RabbitMQ.

A short script in the Rasa environment builds the broker and the tracker store from endpoints.yml
with Rasa's own factories, as the server does, and saves one conversation: Rasa's PikaEventBroker
publishes its events. The consumer of the application environment then writes the outcome. Without
RABBITMQ_URL the same endpoints.yml gives no broker, so Rasa runs on a machine without RabbitMQ.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pika
from sqlmodel import Session, select

from bot.clock import FixedClock
from bot.outcomes import Outcome
from bot.outcomes.consumer import consume
from bot.outcomes.models import ConversationOutcome
from tests.outcomes.test_consumer import URL, queue, waiting  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
PHONE = "13912345678"

SCRIPT = textwrap.dedent(f"""
    import asyncio, json
    from rasa.core.brokers.broker import EventBroker
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    async def main():
        endpoints = AvailableEndpoints.read_endpoints("endpoints.yml")
        broker = await EventBroker.create(endpoints.event_broker)
        if broker is None:
            print(json.dumps({{"broker": None}}))
            return
        domain = Domain.load("domain")
        store = TrackerStore.create(endpoints.tracker_store, domain, broker)
        tracker = DialogueStateTracker("telegram:42", domain.slots)
        for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                      UserUttered("我电话{PHONE}，那个事", parse_data={{"text": "我电话{PHONE}，那个事",
                                  "intent": {{"name": "nlu_fallback", "confidence": 0.3}}}}),
                      ActionExecuted("action_clarify"), BotUttered("您是想问哪一项？"),
                      SlotSet("low_confidence_turns", 1), ActionExecuted("action_listen")]:
            tracker.update(event)
        await store.save(tracker)
        while broker._background_tasks:  # publishing runs in tasks of its own
            await asyncio.sleep(0.05)
        await broker.close()
        print(json.dumps({{"broker": type(broker).__name__, "store_broker": type(store.event_broker).__name__}}))

    asyncio.run(main())
""")


def _run(db_url: str, **env: str) -> dict:
    environment = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                   "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore", **env}
    result = subprocess.run([str(RASA_PYTHON), "-c", SCRIPT], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _bodies(queue: str) -> list[str]:  # noqa: F811
    """The waiting messages, read and put back (not acknowledged)."""
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    channel, bodies = connection.channel(), []
    while (message := channel.basic_get(queue))[0] is not None:
        bodies.append(message[2].decode("utf-8"))
    connection.close()
    return bodies


def test_rasa_publishes_the_conversation_and_the_consumer_writes_its_outcome(db_url, engine, queue):  # noqa: F811
    ran = _run(db_url, RABBITMQ_URL=URL, RABBITMQ_QUEUE=queue)
    assert ran == {"broker": "ProductEventBroker", "store_broker": "ProductEventBroker"}
    bodies = _bodies(queue)
    assert len(bodies) == 8 and all(json.loads(b)["sender_id"] == "telegram:42" for b in bodies)
    assert PHONE not in "".join(bodies) and "139****5678" in "".join(bodies)  # masked before it left Rasa
    result = consume(url=URL, queue=queue, engine=engine, clock=FixedClock(datetime(2026, 12, 1, tzinfo=UTC)),
                     idle_seconds=1.0)
    assert result.applied == 8 and waiting(queue) == 0
    with Session(engine) as session:
        [row] = session.exec(select(ConversationOutcome)).all()
    assert (row.sender_id, row.outcome, row.unclear_turns) == ("telegram:42", Outcome.not_understood, 1)


def test_without_rabbitmq_url_rasa_runs_without_a_broker(db_url):
    assert _run(db_url, RABBITMQ_URL="") == {"broker": None}
