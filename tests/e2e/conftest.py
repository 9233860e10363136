"""Processes of the end-to-end tests, all on loopback: a local Telegram Bot API server (telegram-test-api
through harness.js), a fake Rasa REST server (fake_rasa.py), the real bot (`.venv/bin/sbk telegram`), and a
scripted citizen talking to the Bot API server as a Telegram client would."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from bot.channels.replies import Say
from bot.db import make_engine, upgrade
from bot.settings import PROJECT_ROOT

E2E = Path(__file__).resolve().parent
SBK = PROJECT_ROOT / ".venv" / "bin" / "sbk"
TOKEN = "123456:e2e-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def stop_process(process: subprocess.Popen | None, *, timeout: float = 10.0) -> int | None:
    """SIGTERM, then SIGKILL if it does not end in time; the process's exit status."""
    if process is None or process.poll() is not None:
        return None if process is None else process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(5)


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """telegram-test-api installed from tests/e2e/package-lock.json (npm ci when missing)."""
    package = E2E / "node_modules" / "telegram-test-api"
    if not package.is_dir():
        npm = shutil.which("npm")
        assert npm, "npm is needed for the end-to-end tests (telegram-test-api): install Node.js 20 and npm"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=E2E, check=True, timeout=300)
    assert package.is_dir()
    return package


class BotApiServer:
    """telegram-test-api on a free loopback port, patched by harness.js."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "bot-api.log"
        node = shutil.which("node")
        assert node, "node is needed for the end-to-end tests"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([node, str(E2E / "harness.js"), str(self.port)], cwd=E2E,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while f"READY {self.port}" not in self.output():
            assert self.process.poll() is None and time.monotonic() < deadline, \
                f"telegram-test-api did not start: {self.output()}"
            time.sleep(0.05)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_process(self.process)


class FakeRasa:
    """fake_rasa.py on a fixed port, so that it can go down and come back where the bot expects it."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tmp = tmp
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        with open(self.tmp / "rasa.log", "ab") as log:
            self.process = subprocess.Popen([sys.executable, str(E2E / "fake_rasa.py"), str(self.port)],
                                            cwd=E2E, stdout=subprocess.DEVNULL, stderr=log)
        wait_for_port(self.port, timeout=15, process=self.process)

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None
        # Down means refused connections from now on.
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{self.url}/log", timeout=1)

    def received(self) -> list[dict[str, str]]:
        return httpx.get(f"{self.url}/log", timeout=5).json()


class BotProcess:
    """The real bot, `.venv/bin/sbk telegram`, configured through its environment only."""

    def __init__(self, tmp: Path, *, bot_api: BotApiServer, rasa: FakeRasa, database_url: str,
                 token: str = TOKEN, name: str = "bot", **env: str) -> None:
        self.log = tmp / f"{name}.log"
        self.env = {
            **os.environ,
            "TELEGRAM_TOKEN": token,
            "TELEGRAM_BASE_URL": f"{bot_api.url}/bot",
            "TELEGRAM_WEBHOOK_URL": "",
            "TELEGRAM_PERSISTENCE_FILE": str(tmp / "telegram.pickle"),
            "TELEGRAM_POLL_INTERVAL": "0.1",
            "TELEGRAM_PUSH_INTERVAL": "0.5",
            "TELEGRAM_RASA_RETRY_SECONDS": "0.5",
            "TELEGRAM_RATE_PER_MINUTE": "20",
            "RASA_URL": rasa.url,
            "RASA_TIMEOUT": "5",
            "DATABASE_URL": database_url,
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        assert self.process is None
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([str(SBK), "telegram"], cwd=PROJECT_ROOT, env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT)

    def stop(self) -> int | None:
        status = stop_process(self.process, timeout=15)
        self.process = None
        return status

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


class Citizen:
    """Plays one Telegram user in a private chat with the bot, through telegram-test-api's client routes."""

    def __init__(self, bot_api: BotApiServer, chat_id: int, *, token: str = TOKEN) -> None:
        self.api = bot_api.url
        self.token = token
        self.chat_id = chat_id
        self.user = {"id": chat_id, "is_bot": False, "first_name": "市民", "language_code": "zh-hans"}
        self.chat = {"id": chat_id, "type": "private", "first_name": "市民"}
        self.inbox: list[dict] = []  # every bot message to this chat read so far, in order
        self.cursor = 0  # inbox[:cursor] has been matched by wait_for (messages are awaited in order)

    def _post(self, route: str, body: dict) -> dict:
        response = httpx.post(f"{self.api}/{route}", json=body, timeout=5)
        response.raise_for_status()
        return response.json()

    def send(self, text: str | None = None, **content: object) -> None:
        """A message (text, or other content such as sticker=… or photo=…)."""
        body = {"botToken": self.token, "from": self.user, "chat": self.chat, "date": int(time.time()), **content}
        if text is not None:
            body["text"] = text
            if text.startswith("/"):
                body["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
        self._post("sendMessage", body)

    def press(self, message: dict, title: str) -> None:
        """Press the inline button `title` of the bot's `message` (as read from the inbox)."""
        rows = message["message"]["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in rows for b in row if b["text"] == title)
        shown = {"message_id": message["messageId"], "date": int(time.time()), "chat": self.chat,
                 "text": message["message"]["text"]}
        self._post("sendCallback", {"botToken": self.token, "from": self.user, "message": shown, "data": data})

    def read(self) -> list[dict]:
        new = self._post("getUpdates", {"token": self.token, "chatId": self.chat_id})["result"]
        for item in new:
            markup = item["message"].get("reply_markup")
            if isinstance(markup, str):
                item["message"]["reply_markup"] = json.loads(markup)
        self.inbox.extend(new)
        return new

    def wait_for(self, predicate: Callable[[dict], bool], *, timeout: float = 10.0, what: str = "a message") -> dict:
        """The first bot message after the last one awaited that satisfies `predicate`, within `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            for index in range(self.cursor, len(self.inbox)):
                if predicate(self.inbox[index]):
                    self.cursor = index + 1
                    return self.inbox[index]
            if time.monotonic() > deadline:
                texts = [m["message"].get("text") for m in self.inbox[self.cursor:]]
                raise AssertionError(f"chat {self.chat_id}: no {what} within {timeout} s; got {texts}")
            self.read()
            time.sleep(0.1)

    def wait_for_text(self, text: str, *, timeout: float = 10.0) -> dict:
        return self.wait_for(lambda m: m["message"].get("text") == text, timeout=timeout, what=repr(text))

    def quiet_for(self, seconds: float) -> list[str]:
        """Texts the bot sent to this chat during the next `seconds`."""
        start = len(self.inbox)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.read()
            time.sleep(0.1)
        return [m["message"].get("text") for m in self.inbox[start:]]


@contextlib.contextmanager
def telegram_stack(tmp: Path, database_url: str) -> Iterator[tuple[BotApiServer, FakeRasa, BotProcess]]:
    """The Bot API server, the fake Rasa and the real bot on `database_url`, the bot answering when entered.

    On leaving, a traceback anywhere in the bot's log fails the test that used it.
    """
    bot_api = BotApiServer(tmp)
    rasa = FakeRasa(tmp)
    bot = BotProcess(tmp, bot_api=bot_api, rasa=rasa, database_url=database_url)
    try:
        rasa.start()
        bot.start()
        # Ready when it answers: /start is handled by the bot alone.
        first = Citizen(bot_api, 999)
        first.send("/start")
        first.wait_for(lambda m: Say()("channel_start_hint") in m["message"]["text"], timeout=30,
                       what="the answer to /start")
        yield bot_api, rasa, bot
    finally:
        output = bot.output() if bot.log.exists() else ""
        bot.stop()
        rasa.stop() if rasa.process else None
        bot_api.stop()
        assert "Traceback" not in output, output[-4000:]


@pytest.fixture(scope="module")
def stack(tmp_path_factory, node_modules):
    """One stack for a test module on its own migrated SQLite database: (bot_api, rasa, bot, engine, tmp)."""
    tmp = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{tmp / 'sbk.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with telegram_stack(tmp, database_url) as (bot_api, rasa, bot):
            yield bot_api, rasa, bot, engine, tmp
    finally:
        engine.dispose()


@pytest.fixture
def citizen(stack, request):
    bot_api, _rasa, bot, _engine, _tmp = stack
    assert bot.running(), bot.output()[-3000:]
    # A chat of its own for each test: the line the test starts on is unique in its file.
    return Citizen(bot_api, 1000 + request.node.function.__code__.co_firstlineno)
