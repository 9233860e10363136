"""A real Rasa server with the trained assistant model, for tests that need the real NLU.

``start_rasa(work)`` starts the product's Rasa server (``python -m nlu_runtime.server run --enable-api``) on a free loopback port and
yields its URL once ``/status`` answers; the session-scoped fixture ``rasa_url`` in
tests/conftest.py shares one server among every test that asks for it. Nothing is trained here:
without ``models/assistant.tar.gz`` (or ``SBK_ASSISTANT_MODEL``) the fixture fails and says how
to train one.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
# The server as the Procfile starts it (nlu_runtime/server.py); `rasa` itself for `rasa test`.
RASA_SERVER = (str(ROOT / ".venv-rasa" / "bin" / "python"), "-m", "nlu_runtime.server")
MODEL = Path(os.environ.get("SBK_ASSISTANT_MODEL") or ROOT / "models" / "assistant.tar.gz")
TRAIN = ("PYTHONPATH=. .venv-rasa/bin/rasa train --config config.yml --domain domain "
         "--data nlu_data dialogue --out models --fixed-model-name assistant")
RASA_ENV = {"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONWARNINGS": "ignore"}
START_TIMEOUT = 300.0  # TensorFlow's start-up on two busy cores


class RasaStartError(RuntimeError):
    """The Rasa server could not be started; the message carries the end of its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def missing_requirements(model: Path = MODEL) -> str | None:
    """Why a Rasa server cannot be started here, or None."""
    if not model.is_file():
        return (f"no trained assistant model at {model}; train it first (from {ROOT}, after "
                f"`.venv/bin/sbk nlu build`):\n  {TRAIN}\nor set SBK_ASSISTANT_MODEL to a model archive.")
    if not RASA.exists():
        return f"the Rasa environment is missing ({RASA}); run `make install`"
    return None


def stop(process: subprocess.Popen) -> None:
    """Terminate a server process, killing it if it does not stop within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class RasaProcess:
    """One Rasa server process on a fixed port, which a test may kill and start again on that port."""

    def __init__(self, work: Path, *, model: Path = MODEL, endpoints: Path | None = None,
                 env: dict[str, str] | None = None, port: int | None = None) -> None:
        problem = missing_requirements(model)
        if problem:
            raise RasaStartError(problem)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = work / f"rasa-{self.port}.log"
        self.command = [*RASA_SERVER, "run", "--enable-api", "-i", "127.0.0.1", "-p", str(self.port), "--model",
                        str(model), "--credentials", str(ROOT / "credentials.yml")]
        if endpoints is not None:
            self.command += ["--endpoints", str(endpoints)]
        self.env = {**os.environ, **RASA_ENV, **(env or {})}
        self.process: subprocess.Popen | None = None

    def spawn(self) -> None:
        """Start the process (appending to its log); `wait_until_ready` waits for the model."""
        with self.log.open("a") as out:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT)

    def wait_until_ready(self, timeout: float = START_TIMEOUT) -> None:
        assert self.process is not None
        _wait_until_ready(self.url, self.process, self.log, timeout)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, whatever it was doing is cut off."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process)


@contextmanager
def rasa_process(work: Path, *, model: Path = MODEL, endpoints: Path | None = None, env: dict[str, str] | None = None,
                 port: int | None = None, timeout: float = START_TIMEOUT) -> Iterator[RasaProcess]:
    """A started and ready `RasaProcess`, stopped afterwards (also if a test killed and restarted it)."""
    server = RasaProcess(work, model=model, endpoints=endpoints, env=env, port=port)
    server.spawn()
    try:
        server.wait_until_ready(timeout)
        yield server
    finally:
        server.stop()


@contextmanager
def start_rasa(work: Path, *, model: Path = MODEL, endpoints: Path | None = None, env: dict[str, str] | None = None,
               timeout: float = START_TIMEOUT) -> Iterator[str]:
    """A Rasa server (HTTP API enabled) with `model`, its log in `work`; yields its base URL.

    `env` adds to the environment, e.g. the DATABASE_URL of endpoints.yml's tracker store."""
    with rasa_process(work, model=model, endpoints=endpoints, env=env, timeout=timeout) as server:
        yield server.url


def _wait_until_ready(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RasaStartError(f"Rasa exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            # /status answers once the model is loaded; before that parsing would fail.
            status = httpx.get(f"{url}/status", timeout=2)
            if status.status_code == 200 and status.json().get("model_file"):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise RasaStartError(f"Rasa did not answer at {url} within {timeout:.0f} s:\n"
                         f"{log.read_text(errors='replace')[-3000:]}")
