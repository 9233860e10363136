"""The conversation benchmark's measuring function against a small fake REST channel (in-process uvicorn)."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections import Counter

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks import conversations as benchmark


class FakeRest:
    """Answers POST /webhooks/rest/webhook like Rasa's REST channel; every 5th message of a sender fails."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def webhook(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.received[body["sender"]] += 1
        await asyncio.sleep(0.002)
        if self.received[body["sender"]] % 5 == 0:
            return JSONResponse({"error": "boom"}, status_code=500)
        if body["message"] == "谢谢":
            return JSONResponse([])
        return JSONResponse([{"recipient_id": body["sender"], "text": "好的"}])


@pytest.fixture
def fake_rest():
    fake = FakeRest()
    app = Starlette(routes=[Route(benchmark.REST_PATH, fake.webhook, methods=["POST"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}", fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_measure_level_counts_and_orders_percentiles(fake_rest):
    url, fake = fake_rest
    script = ("你好", "社保卡丢了怎么办", "谢谢", "再见", "补卡要多久", "你好", "谢谢")  # 7 messages: one fails
    level = asyncio.run(benchmark.measure_level(url, concurrency=3, conversations=5, script=script, time_limit=30))

    assert level.concurrency == 3
    assert level.conversations == 5
    assert len(fake.received) == 5  # one sender id per conversation
    assert all(n == len(script) for n in fake.received.values())
    assert level.errors == 5  # the 5th message of each conversation
    assert level.messages == 5 * (len(script) - 1) == len(level.latencies_ms)
    assert level.empty_replies == 5 * 2  # "谢谢" twice, never the failing 5th message
    assert not level.stopped_early
    assert all(ms > 0 for ms in level.latencies_ms)
    assert min(level.latencies_ms) <= level.p50 <= level.p95 <= level.p99 <= max(level.latencies_ms)
    assert level.seconds > 0 and level.rate == pytest.approx(level.messages / level.seconds)


def test_measure_level_stops_starting_conversations_after_its_time_limit(fake_rest):
    url, fake = fake_rest
    level = asyncio.run(benchmark.measure_level(url, concurrency=2, conversations=1000, script=("你好",),
                                                time_limit=0.0))
    assert level.stopped_early
    assert level.conversations == 0 and level.messages == 0 and not fake.received


def test_report_rendering():
    fast = benchmark.LevelFigures(concurrency=10, conversations=2, messages=4, errors=0, seconds=1.0,
                                  latencies_ms=[10.0, 20.0, 30.0, 40.0])
    report = benchmark.Report(sizes=benchmark.QUICK, levels=[fast],
                              memory=[benchmark.memory_of("bench process", os.getpid(), children=False)],
                              startup_seconds={"Rasa server": 7.0}, load=(0.5, 0.6))
    text = benchmark.render_markdown(report)
    assert "| 10 | 2 | 4 | 25 / 38 / 40 ms | 4.0 | 0 | 0 |" in text
    assert "**met**" in text
    assert report.memory[0].rss_mb > 0 and report.memory[0].hwm_mb >= report.memory[0].rss_mb

    fast.latencies_ms = [400.0] * 4
    assert "**not met**" in benchmark.render_markdown(report)
