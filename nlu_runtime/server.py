"""The Rasa server as the product runs it: ``python -m nlu_runtime.server run …`` takes `rasa`'s arguments.

One difference from ``rasa run``: Rasa 3.6 checks every answer of the action server with
``jsonschema.validate(result, schema)``, and that function first validates the *schema* against the
draft 2020-12 metaschema, on every call. Profiling the server under load (py-spy, BENCHMARKS.md,
section conversations) put about 30 % of its CPU per message there. The schema is a constant, so
here it is checked once and compiled once; every answer is still validated against it, and an
invalid one fails exactly as before (same exception, same message).

Two more per-message costs of Rasa 3.6 are removed here (BENCHMARKS.md, "Where a message's
milliseconds go"), neither changing what Rasa does:

* every stored event that is read back is resolved to its class by `Event.resolve_by_type`, which
  walks the whole `Event` class tree and checks each class for abstract methods, per event; the
  launcher resolves each type name once (a name not found is looked up as before).
* every call of the action server opened a new HTTP client session, so a new TCP connection, and
  closed it; the launcher keeps one session per endpoint and event loop, with keep-alive
  connections that it drops after `KEEP_ALIVE_SECONDS` idle, well before the action server's own
  limit (rasa_sdk's 120 s), so a connection the server has closed is never reused.

With several Rasa servers (`make run-cluster`, docs/deployment.md) the conversation locks are in the
Redis of `REDIS_URL` (nlu_runtime/lock_store.py). The launcher checks that Redis before loading the
model and stops with a message naming it when it does not answer; while running, a message whose lock
cannot be taken is not processed, and the citizen is asked to send it again (the catalogue's
`channel_lock_unavailable`) instead of an empty answer that a channel would read as "not understood".
Likewise with `RABBITMQ_URL` set (the conversation events, nlu_runtime/event_broker.py) it checks that
RabbitMQ accepts a connection before loading the model; once running, a RabbitMQ that goes away only
delays the events, never a reply.

A message can reach the dialogue twice: a channel that got no answer (Rasa killed mid-message, the balancer's
502, a read timeout while the message waited for its conversation's lock) cannot know whether it was
processed, and sends it again (bot/channels/telegram.py). The channel gives each message a stable id in the
REST channel's metadata (``{"metadata": {"message_id": …}}``); the launcher makes it the `UserUttered`'s
``message_id``, and a message whose id the conversation already holds is not processed again: under the
conversation's lock, the replies of its turn are sent once more from the tracker (docs/deployment.md).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REPLIES = PROJECT_ROOT / "knowledge" / "replies.yml"
LOCK_UNAVAILABLE = "channel_lock_unavailable"
# The REST channel's metadata key of a channel's own message id (bot/channels/rasa.py sends it).
MESSAGE_ID = "message_id"

logger = logging.getLogger(__name__)
KEEP_ALIVE_SECONDS = 15.0


def compile_action_response_validation() -> None:
    """Make `RemoteAction` validate action-server answers with a validator compiled once."""
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        # What jsonschema.validate() does after its schema check.
        error = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def resolve_event_types_once() -> None:
    """Make `Event.resolve_by_type` remember the class of each type name it has resolved."""
    from rasa.shared.core.events import Event

    resolve = Event.resolve_by_type
    known: dict[str, type] = {}

    def _resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = known.get(type_name)
        if cls is None:
            cls = resolve(type_name, default)
            if cls is not None and cls is not default:
                known[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[method-assign]


class _KeptSession:
    """`async with` around a session that stays open for the next request."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *_: Any) -> None:
        return None


def keep_endpoint_sessions() -> None:
    """Make `EndpointConfig.session()` give the same open aiohttp session per endpoint and event loop."""
    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    def _session(self: EndpointConfig) -> _KeptSession:
        loop = asyncio.get_running_loop()
        kept_loop, kept = self.__dict__.get("_kept_session", (None, None))
        if kept is None or kept.closed or kept_loop is not loop:
            # What Rasa's `session()` builds, with a connector that keeps its connections.
            auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
                    if self.basic_auth else None)
            kept = aiohttp.ClientSession(headers=self.headers, auth=auth,
                                         timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                                         connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS))
            self.__dict__["_kept_session"] = (loop, kept)
        return _KeptSession(kept)

    EndpointConfig.session = _session  # type: ignore[method-assign]


def catalogue_reply(key: str) -> str:
    """A sentence of knowledge/replies.yml (this environment has no `bot.knowledge`; the sentence has no
    placeholders, which tests/nlu_runtime/test_lock_store.py checks)."""
    import yaml

    return yaml.safe_load(REPLIES.read_text(encoding="utf-8"))["messages"][key]


def answer_lock_failures() -> None:
    """Make `Agent.handle_message` answer "send it again" when the conversation's lock cannot be taken."""
    from rasa.core.agent import Agent
    from rasa.core.lock_store import LockError

    handle_message = Agent.handle_message
    retry = catalogue_reply(LOCK_UNAVAILABLE)

    async def _handle_message(self: Agent, message: Any) -> Any:
        try:
            return await handle_message(self, message)
        except LockError as exc:
            # Raised only before the dialogue saw the message (nlu_runtime/lock_store.py): nothing of it is stored.
            logger.warning("Message of %s not processed, its conversation lock failed: %s", message.sender_id, exc)
            if message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, retry)
            return None

    Agent.handle_message = _handle_message  # type: ignore[method-assign]


class _AlreadyProcessed(Exception):
    """The conversation holds this message already: its turn's bot messages, to send once more."""

    def __init__(self, tracker: Any, events: list[Any]) -> None:
        super().__init__()
        self.tracker = tracker
        self.events = events


def _turn_of(tracker: Any, message_id: str) -> list[Any] | None:
    """The events of the turn the user message `message_id` started, or None if the tracker lacks it."""
    from rasa.shared.core.events import UserUttered

    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered) and events[index].message_id == message_id:
            end = next((i for i in range(index + 1, len(events)) if isinstance(events[i], UserUttered)), len(events))
            return events[index + 1:end]
    return None


def _channel_message_id(message: Any) -> str | None:
    """The channel's own id of `message` (REST metadata ``message_id``), or None when it gave none."""
    channel_id = message.metadata.get(MESSAGE_ID) if isinstance(message.metadata, dict) else None
    return channel_id if isinstance(channel_id, str) and channel_id else None


def drop_repeated_messages() -> None:
    """Make a message whose channel id the conversation already holds be answered again, not processed again.

    The check runs on the tracker `handle_message` loads anyway (no extra read), before the message is
    logged; Rasa saves a tracker only once the whole turn is done, so a message found there was processed
    whole, and a message whose server died before the save is not found and is processed normally."""
    from rasa.core.processor import MessageProcessor

    handle_message = MessageProcessor.handle_message
    handle_with_tracker = MessageProcessor._handle_message_with_tracker

    async def _handle_message(self: MessageProcessor, message: Any) -> Any:
        channel_id = _channel_message_id(message)
        if channel_id is None:
            return await handle_message(self, message)
        message.message_id = channel_id
        try:
            return await handle_message(self, message)
        except _AlreadyProcessed as repeat:
            # Only after a failure (an answer lost on the way back): worth the operator's eye, as lock failures are.
            logger.warning("Message %s of %s was processed already; its replies are sent again", channel_id,
                           message.sender_id)
            await self._send_bot_messages(repeat.events, repeat.tracker, message.output_channel)
            return getattr(message.output_channel, "messages", None)

    async def _handle_message_with_tracker(self: MessageProcessor, message: Any, tracker: Any) -> None:
        channel_id = _channel_message_id(message)
        turn = _turn_of(tracker, channel_id) if channel_id is not None and channel_id == message.message_id else None
        if turn is not None:
            raise _AlreadyProcessed(tracker, turn)
        await handle_with_tracker(self, message, tracker)

    MessageProcessor.handle_message = _handle_message  # type: ignore[method-assign]
    MessageProcessor._handle_message_with_tracker = _handle_message_with_tracker  # type: ignore[method-assign]


def _stop_unless_reachable(check: Callable[[str], None], url: str, unreachable: type[Exception]) -> None:
    """Exit 2 before the model is loaded, the message on stderr, when `check(url)` raises `unreachable` (or
    ValueError for a malformed URL)."""
    try:
        check(url)
    except (unreachable, ValueError) as exc:
        print(f"nlu_runtime.server: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def main() -> None:
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        from nlu_runtime.lock_store import RedisUnreachable, check_redis

        _stop_unless_reachable(check_redis, redis_url, RedisUnreachable)
    rabbitmq_url = os.environ.get("RABBITMQ_URL", "").strip()
    if rabbitmq_url:
        from nlu_runtime.event_broker import RabbitMQUnreachable, check_rabbitmq

        _stop_unless_reachable(check_rabbitmq, rabbitmq_url, RabbitMQUnreachable)
    compile_action_response_validation()
    resolve_event_types_once()
    keep_endpoint_sessions()
    answer_lock_failures()
    drop_repeated_messages()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
