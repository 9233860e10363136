"""RabbitMQ away, for Rasa's event broker (nlu_runtime/event_broker.py) and the launcher (nlu_runtime/server.py).

At start: the launcher stops before loading the model, naming the broker (never its password) and what
to start. While running: a RabbitMQ node of this module's own (tests/rabbitmq_node.py) is stopped and
started again, on the same port and data directory, while the broker of the Rasa environment publishes
six conversations' events, interleaved: before the stop (no consumer runs, so they wait in the durable
queue through the restart), while the node is down and right after it is started again. `publish`
never waits; every event reaches the queue once, in the order published, and the consumer writes the
figures the conversations stand for.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import time
from itertools import zip_longest

import pika
import pytest
from sqlmodel import Session, select

from bot.clock import FixedClock
from bot.outcomes import Outcome
from bot.outcomes.consumer import consume
from bot.outcomes.models import ConversationOutcome
from tests.nlu_runtime.test_lock_store import RASA_PYTHON, ROOT, free_port
from tests.outcomes.test_consumer import CLOCK, URL, queue  # noqa: F401 - fixture
from tests.outcomes.test_ingest import EVENTS
from tests.rabbitmq_node import RabbitMQNode, server_script

EXPECTED = {"answered": Outcome.answered, "requested_handoff": Outcome.handed_off, "recovered": Outcome.answered,
            "twice_unclear_handoff": Outcome.handed_off, "unclear_to_the_end": Outcome.not_understood,
            "default_fallback": Outcome.not_understood}


def _interleaved() -> list[dict]:
    """The six conversations' events, one of each in turn, as several citizens' conversations reach Rasa."""
    tagged = [[{**event, "sender_id": f"outage:{name}"} for event in events] for name, events in EVENTS.items()]
    return [event for turn in zip_longest(*tagged) for event in turn if event is not None]


STREAM = _interleaved()
PARTS = (len(STREAM) // 3, 2 * len(STREAM) // 3)  # before the stop | while down | right after the start
QUEUES = {"sqlite": "outage_figures_sqlite", "postgresql": "outage_figures_postgresql"}

SCRIPT = """
    import asyncio, json, os, sys, time
    from nlu_runtime.event_broker import ProductEventBroker, broker_arguments

    STREAM, PARTS = json.loads(sys.argv[1]), json.loads(sys.argv[2])

    def say(**line):
        print(json.dumps(line), flush=True)

    async def hear(word):
        line = await asyncio.to_thread(sys.stdin.readline)  # the event loop (and aio-pika) keeps running
        assert line.strip() == word, line

    async def all_sent(within):
        deadline = time.monotonic() + within
        while broker.unsent() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return broker.unsent() == 0

    def publish(events):
        slowest = 0.0
        for event in events:
            started = time.monotonic()
            broker.publish(event)  # what the tracker store does while a reply is being made
            slowest = max(slowest, time.monotonic() - started)
        return slowest

    async def main():
        global broker
        await hear("started")  # Rasa was imported while the node started
        # Rasa's broker as endpoints.yml makes it (tests/nlu_runtime/test_event_broker.py), with a queue per
        # database: each queue's binding to Rasa's exchange, which is not durable, is declared again by
        # aio-pika when it reconnects, as the one queue of RABBITMQ_QUEUE is in production.
        arguments = broker_arguments(os.environ["RABBITMQ_URL"], "")
        broker = ProductEventBroker(**{**arguments, "queues": json.loads(sys.argv[3])})
        await broker.connect()
        publish(STREAM[:PARTS[0]])
        say(step="up", sent=await all_sent(60))
        await hear("stopped")
        slowest = publish(STREAM[PARTS[0]:PARTS[1]])
        await asyncio.sleep(1.0)  # aio-pika's reconnection attempts go on meanwhile
        say(step="down", slowest=slowest, kept=broker.unsent())
        await hear("started")
        slowest = max(slowest, publish(STREAM[PARTS[1]:]))
        sent = await all_sent(90)
        await broker.close()
        say(step="back", slowest=slowest, sent=sent, unsent=broker.unsent())

    asyncio.run(main())
"""


def _bodies(url: str, queue: str) -> list[dict]:
    """The waiting messages in queue order, read and put back (not acknowledged)."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel, bodies = connection.channel(), []
    while (message := channel.basic_get(queue))[0] is not None:
        bodies.append(json.loads(message[2]))
    connection.close()
    return bodies


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    """The whole outage, once for both databases: each reads its own queue bound to Rasa's exchange."""
    if server_script() is None:
        pytest.skip("rabbitmq-server is not installed")
    node = RabbitMQNode(tmp_path_factory.mktemp("rabbitmq"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           # aio-pika's robust connection retries every second instead of every 5 (its default).
           "RABBITMQ_URL": node.url + "?reconnect_interval=1"}
    log_path = node.base / "broker.log"  # a file: aio-pika's warnings while the node is down never fill a pipe
    with log_path.open("w") as log_file:
        script = subprocess.Popen([str(RASA_PYTHON), "-c", textwrap.dedent(SCRIPT), json.dumps(STREAM),
                                   json.dumps(PARTS), json.dumps(list(QUEUES.values()))], cwd=ROOT, env=env,
                                  text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_file)

    def tell(word: str) -> None:
        script.stdin.write(word + "\n")
        script.stdin.flush()

    try:
        node.start()
        tell("started")
        steps = {}
        for step, then in (("up", node.stop), ("down", node.start), ("back", None)):
            line = script.stdout.readline()
            assert line, log_path.read_text(errors="replace")[-3000:]
            steps[step] = json.loads(line)
            assert steps[step]["step"] == step
            if then is not None:
                then()
                tell("stopped" if then == node.stop else "started")
        script.wait(timeout=60)
        log = log_path.read_text(errors="replace")
        assert script.returncode == 0, log[-3000:]
        yield {"steps": steps, "log": log, "url": node.url,
               "queued": {name: _bodies(node.url, queue) for name, queue in QUEUES.items()}}
    finally:
        if script.poll() is None:
            script.kill()
            script.wait(timeout=10)
        node.stop()


def test_publishing_while_rabbitmq_is_down_never_waits_and_keeps_the_events(outage):
    up, down, back = outage["steps"]["up"], outage["steps"]["down"], outage["steps"]["back"]
    assert up["sent"] is True
    assert down["kept"] == PARTS[1] - PARTS[0]  # none sent, none lost while it was down
    assert max(down["slowest"], back["slowest"]) < 0.1  # a reply goes on at once (measured: about 0.1 ms)
    assert back == {**back, "sent": True, "unsent": 0}
    assert "does not take the conversation events" in outage["log"] and "is back" in outage["log"]
    assert "guest:guest" not in outage["log"]


@pytest.mark.parametrize("name", list(QUEUES))
def test_every_event_reaches_the_queue_once_in_order_through_the_restart(outage, name):
    assert outage["queued"][name] == STREAM


def test_the_consumer_down_during_the_restart_writes_every_figure_after_it(outage, db_url, engine):
    queue = QUEUES["sqlite" if db_url.startswith("sqlite") else "postgresql"]
    result = consume(url=outage["url"], queue=queue, engine=engine, clock=CLOCK, idle_seconds=1.0)
    assert (result.applied, result.repeated, result.rejected) == (len(STREAM), 0, 0)
    with Session(engine) as session:
        outcomes = {row.sender_id: row.outcome for row in session.exec(select(ConversationOutcome))}
    assert outcomes == {f"outage:{name}": outcome for name, outcome in EXPECTED.items()}


def test_the_launcher_stops_before_loading_the_model_when_rabbitmq_is_unreachable():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RABBITMQ_URL": f"amqp://sbk:s3cret-word@127.0.0.1:{port}/%2F"}
    env.pop("REDIS_URL", None)
    started = time.monotonic()
    command = [str(RASA_PYTHON), "-m", "nlu_runtime.server", "run", "--enable-api", "-p", str(free_port()),
               "--model", "models/assistant.tar.gz", "--endpoints", "endpoints.yml"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"RabbitMQ at 127.0.0.1:{port} (virtual host /) from RABBITMQ_URL" in result.stderr
    assert "systemctl start rabbitmq-server" in result.stderr and "unset RABBITMQ_URL" in result.stderr
    assert "s3cret-word" not in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < 60  # no model was loaded, and Rasa's 20 attempts 5 s apart were not made


BOUND = """
    import asyncio, json, os, sys
    import nlu_runtime.event_broker as event_broker
    from nlu_runtime.event_broker import ProductEventBroker, broker_arguments

    event_broker.UNSENT_LIMIT = 5

    async def main():
        broker = ProductEventBroker(**broker_arguments(os.environ["RABBITMQ_URL"], os.environ["QUEUE"]))
        await broker.connect()
        # The connection dropped under the broker (as when RabbitMQ goes): aio-pika reconnects a second later.
        await broker._connection.transport.connection.close(ConnectionResetError("gone"))
        for n in range(8):
            broker.publish({"event": "action", "name": f"action_{n}", "sender_id": "bound", "timestamp": n})
        kept = broker.unsent()
        for _ in range(600):
            if not broker.unsent():
                break
            await asyncio.sleep(0.05)
        await broker.close()
        print(json.dumps({"kept": kept, "unsent": broker.unsent()}))

    asyncio.run(main())
"""


def test_beyond_the_bound_the_oldest_events_are_dropped_and_counted_in_the_log(queue):  # noqa: F811
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "RABBITMQ_URL": URL + "?reconnect_interval=1", "QUEUE": queue}
    result = subprocess.run([str(RASA_PYTHON), "-c", textwrap.dedent(BOUND)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"kept": 5, "unsent": 0}
    assert [body["name"] for body in _bodies(URL, queue)] == [f"action_{n}" for n in range(3, 8)]
    assert result.stderr.count("the oldest are dropped from now on") == 1
    assert "3 older ones were dropped beyond the bound" in result.stderr
