"""The conversation benchmark's measuring function against a small fake REST channel (in-process uvicorn)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
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
    assert level.error_kinds == {"HTTP 500": 5}
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


def test_the_cluster_arms_balancer_is_the_generated_rasa_pool_and_valid_for_haproxy(tmp_path):
    config = tmp_path / "haproxy.cfg"
    config.write_text(benchmark._haproxy_config("127.0.0.1:15005", ["127.0.0.1:15105", "127.0.0.1:15106"],
                                                "127.0.0.1:15999"))
    text = config.read_text()
    assert "bind 127.0.0.1:15005" in text and "option httpchk GET /" in text
    assert "server rasa1 127.0.0.1:15105 check" in text and "server rasa2 127.0.0.1:15106 check" in text
    if not os.path.exists(benchmark.HAPROXY):
        pytest.skip("HAProxy is not installed")
    checked = subprocess.run([benchmark.HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_cpu_figures_grow_with_work():
    before, (busy, total) = benchmark.cpu_ticks(os.getpid(), children=False), benchmark.machine_ticks()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    assert benchmark.cpu_ticks(os.getpid(), children=False) > before
    busy_after, total_after = benchmark.machine_ticks()
    assert busy_after > busy and total_after > total and busy_after - busy <= total_after - total


def test_the_cluster_report_compares_the_arms_level_by_level():
    def arm(servers, concurrency, messages, seconds, errors=0):
        level = benchmark.LevelFigures(concurrency=concurrency, conversations=messages // 7, messages=messages,
                                       errors=errors, seconds=seconds, latencies_ms=[100.0, 200.0, 300.0])
        if errors:
            level.error_kinds["HTTP 503"] = errors
        return benchmark.ArmFigures(servers=servers, level=level, rasa_cpu_seconds=messages * 0.02,
                                    actions_cpu_seconds=messages * 0.003, bench_cpu_seconds=messages * 0.002,
                                    machine_busy_cores=1.9 + servers / 20)

    report = benchmark.ClusterReport(sizes=benchmark.CLUSTER_QUICK, load=(3.2, 4.3, 2.9), load_after=(4.5, 4.4, 3.0),
                                     startup_seconds={"Rasa server 1": 35.0},
                                     arms=[arm(1, 10, 210, 10.0), arm(2, 10, 210, 8.0), arm(1, 50, 700, 35.0, 3),
                                           arm(2, 50, 700, 25.0)])
    text = benchmark.render_cluster_markdown(report)
    assert "--cluster --quick" in text and "3.20 4.30 2.90" in text
    assert "| 10 | 1 | 30 | 210 | 200 / 290 / 298 ms | 21.0 | 0 | 20.0 / 25.0 ms | 1.95 of" in text
    assert "| 50 | 1 | 100 | 700 | 200 / 290 / 298 ms | 20.0 | 3 (3 HTTP 503) |" in text
    assert f"10 concurrent: with one server 1.95 of {os.cpu_count()} cores were busy; two servers give 1.25× the " \
        "messages per second of one" in text
    assert "two servers give 1.40×" in text
    # 25 ms of CPU per message: each core carries at most 40 messages/s.
    cores = os.cpu_count()
    assert "at least 25 ms of CPU per message" in text and f"at most about {cores * 40} messages/s" in text
    assert "this run got 28.0" in text
