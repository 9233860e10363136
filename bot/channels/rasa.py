"""Async client of Rasa's REST channel (`POST /webhooks/rest/webhook`), shared by every citizen channel.

Rasa answers ``{"sender": …, "message": …}`` with a list of bot messages, each with ``text`` and optionally
``buttons`` (``[{"title", "payload"}]``), or a ``custom`` payload. A reply laid out in parts (a guide,
bot.answers.layout) is sent by the actions as its plain text plus the layout as custom payload, and
Rasa's REST channel turns that into the text's messages — one with its buttons, or else one per
paragraph (it splits the text at blank lines) — followed by a ``{"custom": …}`` message; here they
become one `RasaReply` again, where the text was, with the text, the buttons and the layout. Errors are
typed:

- `RasaUnavailable`: Rasa could not be reached or did not answer in time, or answered 5xx. The message
  was not answered; the caller keeps it and tries again later.
- `RasaBadResponse`: Rasa answered, but not with what the REST channel promises (4xx, not JSON, wrong
  shape). Sending the same message again would not help.

Only failures where the message surely never reached Rasa's dialogue (no connection, no free connection,
503 "not ready") are retried here, a bounded number of times with exponential back-off: repeating a
message Rasa may already have processed would put it twice into the conversation.

A caller that keeps an unanswered message and sends it again later (the Telegram channel) gives it a
`message_id`, the same at every attempt; it goes in the REST channel's metadata, and the product's Rasa
server (nlu_runtime/server.py) answers a message whose id the conversation already holds with that turn's
replies instead of processing it twice.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import backoff
import httpx

from bot.answers.layout import Answer, NotAnAnswer, as_text, from_payload, is_payload

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"
# Rasa runs the NLU pipeline and possibly custom actions before it answers: reading may take a while,
# connecting to a local server must not.
DEFAULT_TIMEOUT = httpx.Timeout(connect=2.0, read=10.0, write=5.0, pool=2.0)


class RasaError(Exception):
    """Rasa did not answer the message."""


class RasaUnavailable(RasaError):
    """Rasa is down, overloaded or too slow: try the message again later."""

    def __init__(self, message: str, *, retry_safe: bool = False) -> None:
        super().__init__(message)
        # True when the message surely never reached the dialogue (it can be resent without duplicating it).
        self.retry_safe = retry_safe


class RasaBadResponse(RasaError):
    """Rasa answered, but not as its REST channel should: resending the same message will not help."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class RasaReply:
    """One message of the assistant; `text` may be empty when Rasa only sent buttons. `answer` is the
    reply's layout when it has one (then `text` is that layout as plain text)."""

    text: str
    buttons: tuple[Button, ...] = field(default=())
    answer: Answer | None = None


def make_http_client(timeout: httpx.Timeout | float = DEFAULT_TIMEOUT) -> httpx.AsyncClient:
    """The HTTP client a RasaClient is given: explicit timeouts, no redirects, JSON accepted."""
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False, headers={"Accept": "application/json"})


def _retry_safe(exc: Exception) -> bool:
    return isinstance(exc, RasaUnavailable) and exc.retry_safe


class RasaClient:
    """Sends one citizen message to Rasa's REST channel and returns Rasa's replies.

    The HTTP client is injected (its timeouts, pool and transport are the caller's choice) and closed
    by `aclose()`. `max_tries` bounds the attempts of one `send`; `base_delay` is the first wait, doubled
    after each failed attempt (with jitter), never above `max_delay`.
    """

    def __init__(self, client: httpx.AsyncClient, *, base_url: str, max_tries: int = 3,
                 base_delay: float = 0.5, max_delay: float = 4.0) -> None:
        if max_tries < 1:
            raise ValueError("max_tries must be at least 1")
        self.client = client
        self.url = base_url.rstrip("/") + WEBHOOK_PATH
        self.max_tries = max_tries
        self._post = backoff.on_exception(
            backoff.expo, RasaUnavailable, max_tries=max_tries, giveup=lambda exc: not _retry_safe(exc),
            factor=base_delay, max_value=max_delay, logger=logger, backoff_log_level=logging.INFO,
            giveup_log_level=logging.WARNING,
        )(self._post_once)

    async def send(self, sender: str, message: str, *, message_id: str | None = None) -> list[RasaReply]:
        """Rasa's replies to `message` from `sender`, in order (possibly none).

        `message_id`: the caller's id of this message, the same when it is sent again; Rasa processes a
        message of one id once and answers a repeat with the replies it gave."""
        if not sender:
            raise ValueError("sender must not be empty")
        if message_id is not None and not message_id:
            raise ValueError("message_id must not be empty")
        body: dict[str, object] = {"sender": sender, "message": message}
        if message_id is not None:
            body["metadata"] = {"message_id": message_id}
        return parse_replies(await self._post(body))

    async def aclose(self) -> None:
        await self.client.aclose()

    async def _post_once(self, body: dict[str, object]) -> object:
        try:
            response = await self.client.post(self.url, json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise RasaUnavailable(f"Rasa is not reachable at {self.url}: {type(exc).__name__}",
                                  retry_safe=True) from exc
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"Rasa did not answer in time: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise RasaUnavailable(f"Rasa connection failed: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}",
                                  retry_safe=response.status_code == 503)
        if response.status_code != 200:
            raise RasaBadResponse(f"Rasa answered HTTP {response.status_code}")
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise RasaBadResponse("Rasa's answer is not JSON") from exc


def parse_replies(data: object) -> list[RasaReply]:
    """Rasa's JSON answer as replies; RasaBadResponse if it is not the REST channel's list of messages.

    A laid-out answer (custom payload) is joined with the messages of its text into one reply. Other
    messages with neither text nor buttons (images, other custom payloads) are skipped: no channel here
    shows them.
    """
    if not isinstance(data, list):
        raise RasaBadResponse(f"Rasa's answer is a {type(data).__name__}, not a list of messages")
    replies: list[RasaReply] = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise RasaBadResponse(f"message {index} of Rasa's answer is not an object")
        if is_payload(item.get("custom")):
            _join_answer(replies, _answer(item["custom"], index))
            continue
        reply = _reply(item, index)
        if reply.text or reply.buttons:
            replies.append(reply)
    return replies


def _reply(item: dict, index: int) -> RasaReply:
    text = item.get("text", "")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise RasaBadResponse(f"message {index} of Rasa's answer has a non-text 'text'")
    raw_buttons = item.get("buttons") or []
    if not isinstance(raw_buttons, list):
        raise RasaBadResponse(f"message {index} of Rasa's answer has 'buttons' that are not a list")
    buttons = []
    for button in raw_buttons:
        if not (isinstance(button, dict) and isinstance(button.get("title"), str)
                and isinstance(button.get("payload"), str) and button["payload"]):
            raise RasaBadResponse(f"message {index} of Rasa's answer has a button without title or payload")
        buttons.append(Button(title=button["title"], payload=button["payload"]))
    return RasaReply(text=text, buttons=tuple(buttons))


def _answer(payload: dict, index: int) -> Answer:
    try:
        return from_payload(payload)
    except NotAnAnswer as exc:
        raise RasaBadResponse(f"message {index} of Rasa's answer has a malformed answer: {exc}") from exc


def _join_answer(replies: list[RasaReply], answer: Answer) -> None:
    """Replace the messages Rasa made of the answer's text (just before its payload) by one reply."""
    text = as_text(answer)
    whole = text.strip()
    # CollectingOutputChannel: a text with buttons stays one message; a text alone is split at
    # blank lines, and empty paragraphs are skipped above.
    paragraphs = [p for p in whole.split("\n\n") if p]
    if replies and replies[-1].buttons and replies[-1].text.strip() == whole:
        replies[-1] = RasaReply(text, replies[-1].buttons, answer)
    elif paragraphs and len(replies) >= len(paragraphs) and [(r.text, r.buttons) for r in replies[-len(paragraphs):]] \
            == [(p, ()) for p in paragraphs]:
        replies[-len(paragraphs):] = [RasaReply(text, answer=answer)]
    else:
        # The layout came without its text (an action that sent only the payload): it is the reply.
        replies.append(RasaReply(text, answer=answer))
