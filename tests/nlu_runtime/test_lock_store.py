"""The conversation lock (nlu_runtime/lock_store.py) and what the launcher (nlu_runtime/server.py) does
when it fails, in the Rasa environment against real Redis servers: the machine's (127.0.0.1:6379) for
the lock shared by two servers, and one started here, on a free port, for the failures (it is shut down
in the middle of the script, which the machine's Redis must never be)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import textwrap
import time
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
SHARED_REDIS = "redis://127.0.0.1:6379/1"
RETRY = yaml.safe_load((ROOT / "knowledge" / "replies.yml").read_text(encoding="utf-8"))["messages"][
    "channel_lock_unavailable"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(script: str, **env: str) -> dict:
    """Run `script` in the Rasa environment with `env` (REDIS_URL only when given); the JSON of its last line."""
    full_env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    full_env.update({"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore", **env})
    result = subprocess.run([str(RASA_PYTHON), "-c", textwrap.dedent(script)], cwd=ROOT, env=full_env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


TWO_SERVERS = """
    import asyncio, json, os
    from nlu_runtime.lock_store import ProductLockStore

    CONVERSATION = os.environ["CONVERSATION"]
    servers = [ProductLockStore(), ProductLockStore()]  # two Rasa servers, each with its own store
    seen = []

    async def turn(name, store):
        async with store.lock(CONVERSATION, wait_time_in_seconds=0.05):
            seen.append(f"{name} starts")
            await asyncio.sleep(0.3)
            seen.append(f"{name} ends")

    async def main():
        await asyncio.gather(turn("a", servers[0]), asyncio.sleep(0.05), turn("b", servers[1]))
        left = servers[0].get_lock(CONVERSATION)
        print(json.dumps({"kind": type(servers[0].store).__name__, "seen": seen, "left": left is not None,
                          "prefix": getattr(servers[0].store, "key_prefix", None)}))

    asyncio.run(main())
"""


def test_two_servers_take_one_citizens_messages_one_at_a_time():
    outcome = run(TWO_SERVERS, REDIS_URL=SHARED_REDIS, CONVERSATION=f"test:{uuid.uuid4().hex}")
    assert outcome["kind"] == "RedisLockStore"
    assert outcome["prefix"] == "sbk:lock:"  # the product's keys, apart from anything else in that database
    assert outcome["seen"] == ["a starts", "a ends", "b starts", "b ends"]
    assert outcome["left"] is False  # nothing stays in Redis once both turns are done


SAME_INSTANT = """
    import asyncio, json, os, threading, time, uuid
    from rasa.core.lock_store import LockError, RedisLockStore
    from nlu_runtime.lock_store import ProductLockStore

    ROUNDS = 30
    run = uuid.uuid4().hex
    # A timeout, so that a server whose round failed cannot leave the other waiting for ever.
    barrier = threading.Barrier(2, timeout=30)
    spans, refused, stuck = {}, [], []

    def server(name):
        # Two servers, each with its event loop and store, given one citizen's two messages at the same instant.
        if os.environ.get("STORE") == "rasa":
            store = RedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix="sbktest")
        else:
            store = ProductLockStore()

        async def turn(i):
            # A short lifetime bounds the wait behind a ticket that a lost update left in the lock.
            async with store.lock(f"test:{run}:{i}", lock_lifetime=2, wait_time_in_seconds=0.01):
                start = time.monotonic()
                await asyncio.sleep(0.02)
                spans[(name, i)] = (start, time.monotonic())

        async def main():
            for i in range(ROUNDS):
                barrier.wait()
                try:
                    await asyncio.wait_for(turn(i), timeout=5)
                except LockError:
                    refused.append((name, i))
                except asyncio.TimeoutError:
                    # A lost update can drop a waiting ticket from a lock that stays: it would wait for ever.
                    stuck.append((name, i))

        asyncio.run(main())

    threads = [threading.Thread(target=server, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    both = [i for i in range(ROUNDS) if ("a", i) in spans and ("b", i) in spans]
    overlaps = sum(1 for i in both
                   if spans[("a", i)][0] < spans[("b", i)][1] and spans[("b", i)][0] < spans[("a", i)][1])
    print(json.dumps({"rounds": ROUNDS, "turns": len(spans) + len(refused) + len(stuck), "overlaps": overlaps,
                      "refused": len(refused), "stuck": len(stuck)}))
"""


def test_two_messages_at_the_same_instant_are_still_taken_one_at_a_time():
    outcome = run(SAME_INSTANT, REDIS_URL=SHARED_REDIS)
    assert outcome == {"rounds": 30, "turns": 60, "overlaps": 0, "refused": 0, "stuck": 0}


def test_rasas_own_redis_lock_store_lets_such_messages_overlap():
    # Why the product's store takes a mutex around each read-change-write of a lock: with Rasa's own store,
    # a lost update lets both turns run at once, drops the lock under a waiting turn, or leaves a turn
    # waiting for a ticket that is no longer in the lock.
    outcome = run(SAME_INSTANT, STORE="rasa")
    assert outcome["turns"] == 60
    assert outcome["overlaps"] + outcome["refused"] + outcome["stuck"] > 0


AFTER_A_DEAD_SERVER = """
    import asyncio, json, os, time
    from rasa.core.lock_store import RedisLockStore
    from nlu_runtime.lock_store import ProductLockStore, redis_arguments

    CONVERSATION = os.environ["CONVERSATION"]
    LIFETIME = 1.5
    make = ((lambda: RedisLockStore(**redis_arguments(os.environ["REDIS_URL"]), key_prefix="sbk"))
            if os.environ["STORE"] == "rasa" else ProductLockStore)
    servers = [make(), make()]
    # A server killed while it processed this citizen's message: its ticket stays until it expires.
    servers[0].issue_ticket(CONVERSATION, LIFETIME)
    seen = []
    began = time.monotonic()

    async def turn(name, store, delay):
        await asyncio.sleep(delay)
        async with store.lock(CONVERSATION, lock_lifetime=LIFETIME, wait_time_in_seconds=0.05):
            seen.append((f"{name} starts", round(time.monotonic() - began, 2)))
            await asyncio.sleep(1.0)  # a turn that takes most of the lifetime
            seen.append((f"{name} ends", round(time.monotonic() - began, 2)))

    async def main():
        # The message sent again, to the live server, and the next resend of it a moment later.
        await asyncio.gather(turn("resend", servers[1], 0.1), turn("second resend", servers[1], 0.3))

    asyncio.run(main())
    print(json.dumps({"seen": seen}))
"""


@pytest.mark.parametrize("store, overlap", [("product", False), ("rasa", True)])
def test_a_turn_after_a_dead_servers_lock_is_not_overtaken_by_the_next(store, overlap):
    """The dead ticket runs out; the waiting messages are then served one after the other, each for a whole
    lifetime from its turn. Rasa's own store counts the lifetime from the issue, so the first waiting
    ticket expires in the middle of its turn and the next one starts beside it."""
    outcome = run(AFTER_A_DEAD_SERVER, REDIS_URL=SHARED_REDIS, CONVERSATION=f"test:{uuid.uuid4().hex}", STORE=store)
    order = [event for event, _ in outcome["seen"]]
    one_at_a_time = ["resend starts", "resend ends", "second resend starts", "second resend ends"]
    assert (order != one_at_a_time) == overlap, outcome
    if not overlap:
        # The dead server's ticket held the conversation for its lifetime, and no longer.
        assert 1.4 <= outcome["seen"][0][1] <= 3.0, outcome


def test_without_redis_url_each_server_has_its_own_locks():
    # What `make run` needs (one server) and why a cluster needs Redis: two servers would overlap.
    outcome = run(TWO_SERVERS, CONVERSATION="test:memory")
    assert outcome["kind"] == "InMemoryLockStore"
    assert outcome["seen"] == ["a starts", "b starts", "a ends", "b ends"]


def test_an_unreachable_redis_at_start_is_named_with_what_to_start():
    port = free_port()
    outcome = run("""
        import json
        from nlu_runtime.lock_store import ProductLockStore, RedisUnreachable
        try:
            ProductLockStore()
            print(json.dumps({"error": None}))
        except RedisUnreachable as exc:
            print(json.dumps({"error": str(exc)}))
    """, REDIS_URL=f"redis://127.0.0.1:{port}/1")
    assert f"Redis at 127.0.0.1:{port} (database 1) from REDIS_URL, is unreachable" in outcome["error"]
    assert "systemctl start redis-server" in outcome["error"] and "unset REDIS_URL" in outcome["error"]


def test_the_launcher_stops_before_loading_the_model_when_redis_is_unreachable():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REDIS_URL": f"redis://127.0.0.1:{port}/1"}
    started = time.monotonic()
    command = [str(RASA_PYTHON), "-m", "nlu_runtime.server", "run", "--enable-api", "-p", str(free_port()),
               "--model", "models/assistant.tar.gz", "--endpoints", "endpoints.yml"]
    result = subprocess.run(command,
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"Redis at 127.0.0.1:{port}" in result.stderr and "Start Redis there" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 60  # no model was loaded


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test alone (the script shuts it down)."""
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.terminate()
    process.wait(timeout=10)


def test_redis_down_while_running_asks_the_citizen_to_send_again(own_redis, tmp_path):
    outcome = run("""
        import asyncio, json, os, subprocess, time
        import redis
        from rasa.core.agent import Agent
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
        from nlu_runtime.lock_store import ProductLockStore
        from nlu_runtime.server import answer_lock_failures

        answer_lock_failures()
        store = ProductLockStore()
        processed = []

        class Dialogue:
            # Stands for Rasa's processor: answers, and for "stop" shuts Redis down in the middle of the turn.
            async def handle_message(self, message):
                processed.append(message.text)
                if message.text == "stop":
                    store.store.red.shutdown(nosave=True)
                await message.output_channel.send_text_message(message.sender_id, "answer to " + message.text)

        agent = Agent(lock_store=store)
        agent.processor = Dialogue()

        async def send(text):
            out = CollectingOutputChannel()
            await agent.handle_message(UserMessage(text, out, "telegram:7"))
            return [m["text"] for m in out.messages]

        async def main():
            replies = [await send("one"), await send("stop"), await send("three")]
            # Redis back on the same address: the same server goes on, without a restart.
            kwargs = store.store.red.connection_pool.connection_kwargs
            again = subprocess.Popen(["redis-server", "--port", str(kwargs["port"]), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", os.environ["REDIS_DIR"]],
                                     stdout=subprocess.DEVNULL)
            try:
                for _ in range(200):
                    try:
                        store.store.red.ping()
                        break
                    except redis.RedisError:
                        time.sleep(0.05)
                replies.append(await send("four"))
            finally:
                again.terminate()
                again.wait()
            print(json.dumps({"replies": replies, "processed": processed}, ensure_ascii=False))

        asyncio.run(main())
    """, REDIS_URL=own_redis, REDIS_DIR=str(tmp_path))
    assert outcome["replies"] == [["answer to one"], ["answer to stop"], [RETRY], ["answer to four"]]
    # The message that found Redis down never reached the dialogue: nothing of it is stored or half-done.
    assert outcome["processed"] == ["one", "stop", "four"]


def test_the_retry_sentence_has_no_placeholder():
    # The launcher reads it without the product's catalogue code (nlu_runtime/server.py).
    assert RETRY and "${" not in RETRY
