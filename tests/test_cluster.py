"""The load balancer of `make run-cluster` (bot/cluster.py, Procfile.cluster): the generated HAProxy
configuration is valid, names the servers Procfile.cluster starts, and a real HAProxy on loopback
spreads requests over both servers of a pool and keeps answering when one of them is down."""

from __future__ import annotations

import http.server
import re
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bot.cli.main import main as sbk
from bot.cluster import (
    DEFAULT_ACTIONS,
    DEFAULT_BACKOFFICE,
    DEFAULT_RASA,
    ClusterConfigError,
    Layout,
    Pool,
    default_layout,
    haproxy_config,
)

ROOT = Path(__file__).resolve().parents[1]
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Backend:
    """A tiny HTTP server that answers every GET with its own name."""

    def __init__(self, name: str) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                body = name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_procfile_cluster_starts_the_servers_the_configuration_names():
    procfile = (ROOT / "Procfile.cluster").read_text()
    rasa = re.findall(r"^rasa\d+:.* -p (\d+) ", procfile, flags=re.M)
    actions = re.findall(r"^actions\d+:.* --port (\d+)$", procfile, flags=re.M)
    api = re.findall(r"^api\d+:.* --port (\d+)$", procfile, flags=re.M)
    assert [f"127.0.0.1:{p}" for p in rasa] == list(DEFAULT_RASA)
    assert [f"127.0.0.1:{p}" for p in actions] == list(DEFAULT_ACTIONS)
    assert [f"127.0.0.1:{p}" for p in api] == list(DEFAULT_BACKOFFICE)
    # Two dispatchers, each with a name of its own in the delivery claims.
    assert sorted(re.findall(r"dispatch --worker-id (\S+)", procfile)) == ["dispatcher1", "dispatcher2"]
    assert "build/cluster/haproxy.cfg" in procfile


def test_the_default_configuration_is_valid_for_haproxy(tmp_path):
    config = tmp_path / "haproxy.cfg"
    assert sbk(["cluster", "haproxy-config", "--output", str(config)]) == 0
    text = config.read_text()
    for listen in ("127.0.0.1:5005", "127.0.0.1:5055", "127.0.0.1:8000"):
        assert f"bind {listen}" in text
    for server in (*DEFAULT_RASA, *DEFAULT_ACTIONS, *DEFAULT_BACKOFFICE):
        assert f" {server} check" in text
    checked = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_server_on_another_machine_is_added_by_its_address(capsys):
    assert sbk(["cluster", "haproxy-config", "--rasa", "127.0.0.1:5105", "--rasa", "10.0.0.7:5005"]) == 0
    text = capsys.readouterr().out
    assert "server rasa1 127.0.0.1:5105 check" in text and "server rasa2 10.0.0.7:5005 check" in text
    assert "127.0.0.1:5106" not in text


@pytest.mark.parametrize("address", ["10.0.0.7", "10.0.0.7:0", "10.0.0.7:99999", ":5005", "host name:80"])
def test_a_bad_address_is_refused(address, capsys):
    assert sbk(["cluster", "haproxy-config", "--rasa", address]) == 2
    assert "HOST:PORT" in capsys.readouterr().err
    with pytest.raises(ClusterConfigError):
        default_layout(rasa=[address])


def test_the_same_server_twice_is_refused():
    with pytest.raises(ClusterConfigError, match="twice"):
        default_layout(rasa=["127.0.0.1:5105", "127.0.0.1:5105"])


@pytest.fixture
def balanced(tmp_path):
    """HAProxy on a free loopback port in front of two backends; yields (url, backends)."""
    backends = [Backend("one"), Backend("two")]
    listen = f"127.0.0.1:{free_port()}"
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(Layout(pools=(Pool("rasa", listen, tuple(b.address for b in backends),
                                                          health_check="GET /"),))))
    log = (tmp_path / "haproxy.log").open("w")
    process = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{listen}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "haproxy.log").read_text()) from None
                time.sleep(0.1)
        yield url, backends
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        for backend in backends:
            try:
                backend.stop()
            except OSError:
                pass


def test_requests_are_spread_over_both_servers(balanced):
    url, _ = balanced
    with httpx.Client(timeout=2) as client:
        answers = [client.get(url, headers={"Connection": "close"}).text for _ in range(10)]
    assert Counter(answers) == {"one": 5, "two": 5}
    assert all(a != b for a, b in zip(answers, answers[1:])), answers  # round robin


def test_a_server_that_is_down_is_skipped(balanced):
    url, backends = balanced
    backends[0].stop()
    with httpx.Client(timeout=5) as client:
        answers = [client.get(url, headers={"Connection": "close"}) for _ in range(6)]
    # Refused connections are retried on the other server (nothing reached the stopped one).
    assert [(a.status_code, a.text) for a in answers] == [(200, "two")] * 6
