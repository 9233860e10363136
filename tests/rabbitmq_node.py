"""A RabbitMQ server of a test's own, to stop and start again: the machine's broker (127.0.0.1:5672) is
shared by the other tests and is never touched.

The node has its own name, AMQP and distribution ports, data directory (kept across a restart, as a
real broker's disk is), log directory and Erlang cookie (HOME); it runs `rabbitmq-server` in the
foreground as a child of the test, which SIGTERM stops as a service stop does (the script passes it
to the Erlang VM, which shuts RabbitMQ down cleanly).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pika
import pika.exceptions

# The Debian package's server script, runnable as any user (the one in /usr/sbin switches to `rabbitmq`).
SERVER_SCRIPTS = (Path("/usr/lib/rabbitmq/bin/rabbitmq-server"),)
START_SECONDS = 120.0  # about 7 s on an idle machine
STOP_SECONDS = 60.0  # about 3 s


def server_script() -> Path | None:
    found = next((path for path in SERVER_SCRIPTS if path.exists()), None)
    return found or (Path(which) if (which := shutil.which("rabbitmq-server")) else None)


def _free_port() -> int:
    # The distribution port's CLI range is 10000 above it (rabbitmq-env): keep both below 65536.
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port < 50000:
            return port


class RabbitMQNode:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.port, self.dist_port = _free_port(), _free_port()
        self.name = f"sbktest-{uuid.uuid4().hex[:12]}@localhost"
        self.process: subprocess.Popen | None = None
        (base / "home").mkdir(parents=True, exist_ok=True)
        (base / "enabled_plugins").write_text("[].\n", encoding="utf-8")
        (base / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
                                            "loopback_users = none\n", encoding="utf-8")

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def _environment(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.base / "home"), "RABBITMQ_NODENAME": self.name,
                "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"), "RABBITMQ_LOG_BASE": str(self.base / "log"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
                "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
                # Not the machine's rabbitmq-env.conf, which names the machine's node.
                "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf")}

    def start(self) -> None:
        script = server_script()
        assert script is not None, "rabbitmq-server is not installed"
        output = (self.base / "server.out").open("ab")
        self.process = subprocess.Popen([str(script)], env=self._environment(), stdout=output,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        output.close()
        deadline = time.monotonic() + START_SECONDS
        once = pika.URLParameters(self.url + "?connection_attempts=1&socket_timeout=2")
        while True:
            try:
                pika.BlockingConnection(once).close()
                return
            except pika.exceptions.AMQPError:
                assert self.process.poll() is None, (self.base / "server.out").read_text(errors="replace")[-3000:]
                assert time.monotonic() < deadline, "the test's RabbitMQ did not start"
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the node as a service stop does, and wait until its port is closed."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the node's own process group (start_new_session)
                process.wait(timeout=10)
        deadline = time.monotonic() + STOP_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                return
            assert time.monotonic() < deadline, "the test's RabbitMQ did not stop"
            time.sleep(0.1)
