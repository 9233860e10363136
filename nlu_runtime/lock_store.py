"""The conversation lock of `endpoints.yml`: one citizen's messages are processed one at a time.

Rasa takes a ticket lock per conversation around each message. With one Rasa server (`make run`) the
lock lives in the server's memory, as in Rasa's default. With several servers sharing the conversations
(`make run-cluster`, docs/deployment.md) the lock must be shared too, or two servers would each load the
same tracker, process a message and store their own continuation of it: `REDIS_URL` set
(`redis://127.0.0.1:6379/1`) puts the locks in Redis with Rasa's own `RedisLockStore`.

Rasa's `RedisLockStore` reads a conversation's lock, changes it and writes it back in separate calls, so two
servers given two messages of one citizen at the same instant could both read "no lock", both take ticket 0
and process both messages at once, each storing its own continuation of the tracker (a turn is lost:
tests/conversations/test_cluster.py found it). Here every such read-change-write is done under a short
Redis mutex of that conversation (redis-py's `Lock`: SET NX with an expiry, released by a script that
checks its token), so tickets are issued, updated and given back one server at a time.

A ticket lives while its server is alive, not a fixed time from its issue. Rasa counts a ticket's lifetime
(`TICKET_LOCK_LIFETIME`, 60 s) from when it was issued, waiting included, and every waiting server drops the
expired tickets: a message that waited most of that time behind a turn, then took its turn, expired in the
middle of it, and the next ticket of the conversation was served at the same time — two turns at once on one
tracker, the same message stored twice when the next was its resend (tests/conversations/test_cluster_faults.py
found it after a server was killed holding a lock). Here each server renews its own ticket whenever it looks
at the lock while waiting, and gives it a whole lifetime when its turn comes; only the tickets of a server that
stopped looking — a dead one — run out.

Redis failures:

* unreachable at start: `check_redis()` raises `RedisUnreachable`, whose message names the address
  and what to start; the launcher (nlu_runtime/server.py) prints it and exits before loading the model.
* unreachable while running: taking the lock fails with `LockError` before the message reaches the
  dialogue, so the message is not processed at all (never processed without the lock, which could
  interleave two turns); the launcher answers the citizen that the message should be sent again.
  Giving a lock back after the turn is best effort: the turn is stored already, and a lock left behind
  in Redis expires after its lifetime.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager, nullcontext
from typing import Any
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore

from bot.clock import SystemClock

logger = logging.getLogger(__name__)

# A Redis that does not answer within this long counts as down: the citizen's client waits about 10 s
# for the whole reply (RASA_TIMEOUT), so a lock must not take most of it.
REDIS_SOCKET_TIMEOUT = 2.0
DEFAULT_KEY_PREFIX = "sbk"
# The mutex around one read-change-write of a lock lasts a few Redis round trips; it expires by itself
# if its server dies holding it, and a server that cannot get it within the wait gives the message up.
MUTEX_SECONDS = 5.0
MUTEX_WAIT_SECONDS = 5.0


class RedisUnreachable(RuntimeError):
    """The Redis of REDIS_URL does not answer; the message says which one and what to start."""


def redis_arguments(redis_url: str) -> dict[str, Any]:
    """`RedisLockStore` keyword arguments for `redis://[user:password@]host[:port][/db]`."""
    parts = urlsplit(redis_url)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ValueError(f"REDIS_URL must look like redis://127.0.0.1:6379/1, not {redis_url!r}")
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ValueError(f"REDIS_URL's database must be a number (redis://host:port/1), not {database!r}")
    return {
        "host": parts.hostname,
        "port": parts.port or 6379,
        "db": int(database or 1),
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
    }


def _where(redis_url: str) -> str:
    arguments = redis_arguments(redis_url)
    return f"{arguments['host']}:{arguments['port']} (database {arguments['db']})"


def check_redis(redis_url: str) -> None:
    """RedisUnreachable unless the Redis of `redis_url` answers PING."""
    import redis

    arguments = redis_arguments(redis_url)
    client = redis.StrictRedis(**{k: v for k, v in arguments.items() if k != "use_ssl"}, ssl=arguments["use_ssl"],
                               socket_timeout=REDIS_SOCKET_TIMEOUT, socket_connect_timeout=REDIS_SOCKET_TIMEOUT)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisUnreachable(
            f"The conversation lock store, Redis at {_where(redis_url)} from REDIS_URL, is unreachable "
            f"({type(exc).__name__}: {exc}). Start Redis there (Debian: `systemctl start redis-server`, "
            f"or `redis-server --port {arguments['port']}`), or unset REDIS_URL to run a single Rasa server "
            f"with its locks in memory (`make run`)."
        ) from exc
    finally:
        client.close()


class ProductLockStore(LockStore):
    """The lock store of `endpoints.yml` (`type: nlu_runtime.lock_store.ProductLockStore`): Redis when
    `REDIS_URL` is set, else the server's memory. `key_prefix` in endpoints.yml keeps the product's keys
    apart from anything else in that Redis database."""

    def __init__(self, endpoint_config: Any = None, **_: Any) -> None:
        super().__init__()
        redis_url = os.environ.get("REDIS_URL")
        options = dict(getattr(endpoint_config, "kwargs", None) or {})
        self.redis_url = redis_url or None
        self.key_prefix = str(options.get("key_prefix") or DEFAULT_KEY_PREFIX)
        self.redis: Any = None
        if redis_url:
            check_redis(redis_url)
            store = RedisLockStore(**redis_arguments(redis_url), key_prefix=self.key_prefix,
                                   socket_timeout=REDIS_SOCKET_TIMEOUT)
            self.redis = store.red
            self.store: LockStore = store
        else:
            self.store = InMemoryLockStore()

    def _mutex(self, conversation_id: str) -> Any:
        """Held while one server reads, changes and writes back the lock of `conversation_id`. In memory
        nothing is needed: these methods do not await, so one server's event loop runs them whole."""
        if self.redis is None:
            return nullcontext()
        return self.redis.lock(f"{self.key_prefix}:mutex:{conversation_id}", timeout=MUTEX_SECONDS,
                               blocking_timeout=MUTEX_WAIT_SECONDS, sleep=0.005)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.store.get_lock(conversation_id)

    def _renew_and_serve(self, conversation_id: str, ticket: int, lifetime: float) -> TicketLock | None:
        """Drop the expired tickets, give `ticket` `lifetime` seconds from now, and return the lock if it is that
        ticket's turn (else None). A LockError if the ticket is gone: it expired while its server did not look."""
        with self._mutex(conversation_id):
            lock = self.store.get_lock(conversation_id)
            own = None
            if lock is not None:
                lock.remove_expired_tickets()
                own = next((t for t in lock.tickets if t.number == ticket), None)
            if lock is None or own is None:
                raise LockError(f"the ticket of conversation {conversation_id!r} expired before its turn")
            # Rasa's tickets expire on the machines' wall clock (rasa.core.lock.Ticket), shared by the servers.
            own.expires = SystemClock().now().timestamp() + lifetime
            self.store.save_lock(lock)
            return lock if lock.now_serving == ticket else None

    async def _wait_for_turn(self, conversation_id: str, ticket: int, lifetime: float,
                             wait_time_in_seconds: float) -> TicketLock:
        while True:
            lock = self._renew_and_serve(conversation_id, ticket, lifetime)
            if lock is not None:
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    def delete_lock(self, conversation_id: str) -> None:
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.store.save_lock(lock)

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock; a store failure while taking it is a `LockError` (the message is not
        processed), while giving it back only a warning (the message was)."""
        import redis

        ticket: int | None = None
        try:
            try:
                ticket = self.issue_ticket(conversation_id, lock_lifetime)
                acquired = await self._wait_for_turn(conversation_id, ticket, lock_lifetime, wait_time_in_seconds)
            except redis.RedisError as exc:
                raise LockError(f"the lock store is unreachable: {type(exc).__name__}: {exc}") from exc
            yield acquired
        finally:
            if ticket is not None:
                try:
                    self.cleanup(conversation_id, ticket)
                except redis.RedisError as exc:
                    logger.warning("Could not give back the lock of conversation %s (it expires after %s s): %s",
                                   conversation_id, lock_lifetime, exc)
