"""In-process stand-ins for the bot's two peers, both at the HTTP level (httpx.MockTransport):
a Telegram Bot API that records what the bot sends, and a Rasa REST channel scripted per test."""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from telegram import Update
from telegram.request import HTTPXRequest

from bot.answers.layout import Answer, as_text, to_payload
from bot.channels.rasa import RasaClient
from bot.channels.telegram import build_application
from bot.db import make_engine, upgrade
from bot.settings import Settings

TOKEN = "123456:handler-test"
RASA_URL = "http://rasa.test"


class FakeBotApi:
    """Answers python-telegram-bot's calls as the Bot API would and keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.blocked: set[int] = set()  # chats whose user blocked the bot: 403
        self.refuse_html = False  # answer messages in HTML as Telegram does HTML it cannot parse: 400
        self._ids = itertools.count(1)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        params = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if "reply_markup" in params:
            params["reply_markup"] = json.loads(params["reply_markup"])
        self.calls.append((method, params))
        if method == "getMe":
            result: object = {"id": 666, "is_bot": True, "first_name": "SBK", "username": "sbk_test_bot"}
        elif method == "sendMessage":
            chat_id = int(params["chat_id"])
            if chat_id in self.blocked:
                return httpx.Response(403, json={"ok": False, "error_code": 403,
                                                 "description": "Forbidden: bot was blocked by the user"})
            if self.refuse_html and params.get("parse_mode") == "HTML":
                return httpx.Response(400, json={
                    "ok": False, "error_code": 400,
                    "description": "Bad Request: can't parse entities: unsupported start tag \"b\" at byte offset 0"})
            result = {"message_id": next(self._ids), "date": int(time.time()), "text": params["text"],
                      "chat": {"id": chat_id, "type": "private"}}
        elif method in ("answerCallbackQuery", "deleteWebhook"):
            result = True
        else:
            return httpx.Response(404, json={"ok": False, "error_code": 404, "description": "Not Found"})
        return httpx.Response(200, json={"ok": True, "result": result})

    def sent(self, chat_id: int) -> list[dict]:
        return [p for m, p in self.calls if m == "sendMessage" and int(p["chat_id"]) == chat_id]

    def texts(self, chat_id: int) -> list[str]:
        return [p["text"] for p in self.sent(chat_id)]


class ScriptedRasa:
    """Rasa's REST channel: echoes (收到：…), with two buttons for a message containing 按钮; `down`
    refuses connections, `answer` replaces the reply for the next messages."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.down = False
        self.answer: Callable[[str, str], httpx.Response] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        body = json.loads(request.content)
        self.received.append(body)
        if self.answer is not None:
            return self.answer(body["sender"], body["message"])
        if "按钮" in body["message"]:
            return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": "请确认",
                                              "buttons": [{"title": "是", "payload": "/other_affirm"},
                                                          {"title": "否", "payload": "/other_deny"}]}])
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": f"收到：{body['message']}"}])

    def messages(self, chat_id: int) -> list[str]:
        return [b["message"] for b in self.received if b["sender"] == f"telegram:{chat_id}"]


def rest_answer(answer: Answer, *, buttons: list[dict] | None = None, before=(), after=()) -> list[dict]:
    """What Rasa 3.6's REST channel (CollectingOutputChannel) answers for the actions'
    utter_message(text=…, json_message=…): the text as one message with its buttons, or else one
    message per paragraph (split at blank lines), then the custom payload as a message of its own."""
    text = as_text(answer)
    if buttons:
        messages = [{"recipient_id": "telegram:42", "text": text, "buttons": buttons}]
    else:
        messages = [{"recipient_id": "telegram:42", "text": p} for p in text.strip().split("\n\n")]
    return [*before, *messages, {"recipient_id": "telegram:42", "custom": to_payload(answer)}, *after]


@pytest.fixture(scope="session")
def ledger_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'sbk.db'}"
    upgrade(url)
    return url


@pytest.fixture
def ledger(ledger_url):
    engine = make_engine(ledger_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path, ledger_url) -> Settings:
    return Settings(database_url=ledger_url, telegram_token=TOKEN, telegram_base_url="http://telegram.test/bot",
                    telegram_persistence_file=tmp_path / "telegram.pickle", telegram_rate_per_minute=5,
                    telegram_max_chars=50, telegram_push_interval=3600, telegram_rasa_retry_seconds=0.05,
                    rasa_url=RASA_URL, rasa_cancel_message="取消")


@pytest.fixture
def bot_api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def rasa() -> ScriptedRasa:
    return ScriptedRasa()


@contextlib.asynccontextmanager
async def running(settings: Settings, *, bot_api: FakeBotApi, rasa: ScriptedRasa, engine=None, clock=None):
    """The application as `sbk telegram` runs it (post_init included), without polling: updates are fed."""
    client = RasaClient(httpx.AsyncClient(transport=httpx.MockTransport(rasa)), base_url=settings.rasa_url,
                        max_tries=2, base_delay=0.001)
    application = build_application(settings, rasa=client, engine=engine, clock=clock,
                                     request=HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(bot_api)}))
    await application.initialize()
    await application.post_init(application)
    await application.start()
    try:
        yield application
    finally:
        await application.stop()
        await application.shutdown()
        await application.post_shutdown(application)


_update_ids = itertools.count(1)


def _user(chat_id: int) -> dict:
    return {"id": chat_id, "is_bot": False, "first_name": "市民"}


def message_update(chat_id: int, text: str | None = None, *, edited: bool = False, **content) -> dict:
    message = {"message_id": next(_update_ids), "date": int(time.time()), "from": _user(chat_id),
               "chat": {"id": chat_id, "type": "private"}, **content}
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    if edited:
        message["edit_date"] = int(time.time())
    return {"update_id": next(_update_ids), "edited_message" if edited else "message": message}


def callback_update(chat_id: int, data: str) -> dict:
    return {"update_id": next(_update_ids), "callback_query": {
        "id": str(next(_update_ids)), "from": _user(chat_id), "chat_instance": str(chat_id), "data": data,
        "message": {"message_id": 1, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                    "text": "请确认"}}}


async def feed(application, data: dict) -> None:
    """Process one update as polling would (arbitrary callback data resolved first)."""
    update = Update.de_json(data, application.bot)
    application.bot.insert_callback_data(update)
    await application.process_update(update)


def pickle_path(settings: Settings) -> Path:
    return settings.telegram_persistence_file
