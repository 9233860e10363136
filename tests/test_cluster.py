"""`make run-cluster`: the processes deploy/cluster.conf has supervisord start, and the load balancer
(bot/cluster.py): the generated HAProxy configuration is valid and names the servers supervisord starts;
supervisord starts a killed server again while the other goes on answering; a real HAProxy on loopback
spreads requests over both servers of a pool and keeps answering when one of them is down."""

from __future__ import annotations

import http.server
import configparser
import io
import os
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from supervisor.options import ServerOptions

from bot.cli.main import main as sbk
from bot.db import upgrade
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
CLUSTER_CONF = ROOT / "deploy" / "cluster.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_consecutive_ports() -> int:
    """A free port whose next port is free too (supervisord numbers a program's copies one after another)."""
    while True:
        port = free_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


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


def cluster_processes(config: Path = CLUSTER_CONF) -> dict[str, list[str]]:
    """Each process supervisord starts from `config`, as supervisord itself reads it: name -> argv."""
    options = ServerOptions()
    options.realize(args=["-c", str(config)])
    return {process.name: shlex.split(process.command)
            for group in options.process_group_configs for process in group.process_configs}


def test_supervisord_starts_the_servers_the_configuration_names(monkeypatch):
    monkeypatch.setenv("CONSOLE_TRUSTED_PROXIES", "127.0.0.1")
    # supervisord wants its log folder to exist; `make run-cluster` creates it (build/ is generated).
    (ROOT / "build" / "cluster" / "log").mkdir(parents=True, exist_ok=True)
    processes = cluster_processes()

    def ports(kind: str, option: str) -> list[str]:
        return [f"127.0.0.1:{argv[argv.index(option) + 1]}" for name, argv in sorted(processes.items())
                if name.startswith(kind)]

    assert ports("rasa", "-p") == list(DEFAULT_RASA)
    assert ports("actions", "--port") == list(DEFAULT_ACTIONS)
    assert ports("api", "--port") == list(DEFAULT_BACKOFFICE)
    # Two dispatchers, each with a name of its own in the delivery claims.
    assert sorted(argv[argv.index("--worker-id") + 1] for name, argv in processes.items()
                  if name.startswith("dispatcher")) == ["dispatcher1", "dispatcher2"]
    assert processes["balancer"][-1] == "build/cluster/haproxy.cfg"
    # One of each of these: an hourly scan, one reader of the bot's updates, one consumer of the queue.
    assert {name for name in processes if not name[-1].isdigit()} == {"balancer", "overdue", "telegram", "events"}


def _back_office_only(tmp_path: Path, first_port: int) -> Path:
    """deploy/cluster.conf with only its back-office program, on two free ports, its files in `tmp_path`."""
    parser = configparser.RawConfigParser()
    parser.read(CLUSTER_CONF, encoding="utf-8")
    for section in parser.sections():
        if section.startswith("program:") and section != "program:api":
            parser.remove_section(section)
    parser.set("program:api", "numprocs_start", str(first_port))
    parser.set("program:api", "command", parser.get("program:api", "command").replace("810%(process_num)d",
                                                                                        "%(process_num)d"))
    text = io.StringIO()
    parser.write(text)
    config = tmp_path / "cluster.conf"
    config.write_text(text.getvalue().replace("%(here)s/../build/cluster", str(tmp_path))
                      .replace("%(here)s/..", str(ROOT)), encoding="utf-8")
    (tmp_path / "log").mkdir()
    return config


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/console/login", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _pid(config: Path, process: str) -> int:
    said = subprocess.run([str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", str(config), "pid", process],
                          capture_output=True, text=True, check=True).stdout
    return int(said)


def _until(condition, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_supervisord_starts_a_killed_server_again_and_the_other_goes_on(tmp_path):
    first = free_consecutive_ports()
    config = _back_office_only(tmp_path, first)
    database = f"sqlite:///{tmp_path / 'sbk.db'}"
    upgrade(database)
    env = {**os.environ, "DATABASE_URL": database, "CONSOLE_TRUSTED_PROXIES": "127.0.0.1"}
    supervisord = subprocess.Popen([str(ROOT / ".venv" / "bin" / "supervisord"), "-c", str(config)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _until(lambda: _answers(first) and _answers(first + 1), 60, "both back-office processes answer")
        pid = _pid(config, f"api:api{first}")
        os.kill(pid, signal.SIGKILL)
        _until(lambda: not _answers(first), 10, "the killed process stops answering")
        assert _answers(first + 1)  # the other one was not touched
        _until(lambda: _answers(first), 60, "supervisord starts the killed process again")
        status = subprocess.run([str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", str(config), "status"],
                                capture_output=True, text=True, check=False).stdout
        assert status.count("RUNNING") == 2, status
        assert _pid(config, f"api:api{first}") != pid
    finally:
        supervisord.terminate()  # what Ctrl-C does: every process stops with supervisord
        supervisord.wait(timeout=30)
    assert not _answers(first) and not _answers(first + 1)


def test_the_default_configuration_is_valid_for_haproxy(tmp_path):
    config = tmp_path / "haproxy.cfg"
    assert sbk(["cluster", "haproxy-config", "--output", str(config)]) == 0
    text = config.read_text()
    for listen in ("127.0.0.1:5005", "127.0.0.1:5055", "127.0.0.1:8000"):
        assert f"bind {listen}" in text
    for server in (*DEFAULT_RASA, *DEFAULT_ACTIONS, *DEFAULT_BACKOFFICE):
        assert f" {server} check" in text
    # A saturated Rasa server is slow to answer its check, not dead: only its pool waits longer for it.
    rasa_backend = text[text.index("backend rasa"):text.index("frontend actions")]
    assert "timeout check 10s" in rasa_backend and text.count("timeout check 10s") == 1
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
