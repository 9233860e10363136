"""Sends the delivery outbox to the banks' webhooks: at least once, signed, with back-off.

Claiming: a dispatcher claims a due pending row by setting `locked_by`/`locked_until` (and counting
the attempt) in one short transaction, so several dispatchers never send one row at the same time.
PostgreSQL selects candidates with ``FOR UPDATE SKIP LOCKED``; SQLite (writers serialised at
``BEGIN IMMEDIATE``) relies on the conditional UPDATE alone. Every claim is a conditional UPDATE
whose row count is checked. A dispatcher that dies mid-delivery leaves its lock to expire; the
row is then claimed again (same body, same X-SBK-Delivery), which makes delivery at-least-once.

Outcome of an attempt: a 2xx marks the row delivered. Anything else — connection refused, a
timeout, a 3xx (redirects are not followed: the signed body goes only to the registered URL),
any 4xx including 400/401/404, a 5xx — is recorded (status or exception class only; never the body,
the secret or the bank's answer) and retried after an exponential back-off from
``backoff.expo`` capped at `max_delay`, with full jitter, honouring a longer ``Retry-After``.
4xx are retried too, because a bank's 4xx is almost always a fixable configuration error on
one side (rotated secret, moved URL) and the Measures want nothing lost; after `max_attempts` the
row is parked for an operator (`sbk deliveries retry`), who retries it once the cause is fixed.
The one exception is 410 Gone: the bank says the endpoint will never accept anything again, so
the bank account is marked gone and none of its deliveries is claimed (they wait, pending, their
ids and bodies unchanged) until an operator registers a URL again.

Headers: X-SBK-Signature (keyed with the newest secret) and the Standard Webhooks 1.0 trio
webhook-id (= X-SBK-Delivery, the same on every retry), webhook-timestamp (this attempt's Unix
seconds, so a bank can refuse a replayed request) and webhook-signature (one ``v1,…`` per secret
still active: during a rotation's overlap the old secret signs next to the new one, and
X-SBK-Signature-Previous carries the old secret's X-SBK-Signature for banks that verify only that).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import backoff
import httpx
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.banks.models import BankAccount
from bot.clock import get_clock
from bot.forwarding.models import Delivery, DeliveryState
from bot.forwarding.payload import as_utc
from bot.forwarding.signing import sign, standard_signatures

log = logging.getLogger(__name__)

DELIVERY = Delivery.__table__  # type: ignore[attr-defined]
BANKS = BankAccount.__table__  # type: ignore[attr-defined]

USER_AGENT = "SBK-Hotline-Dispatcher/1"
MAX_RESPONSE_BYTES = 64 * 1024
Jitter = Callable[[float], float]
GONE = 410
ENDPOINT_GONE = "HTTP 410 Gone: endpoint withdrawn by the bank; held until a new URL is registered"


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"[-64:]


def backoff_delay(attempts: int, *, base_delay: float, max_delay: float) -> float:
    """The un-jittered wait after the `attempts`-th failed attempt: base, 2·base, 4·base … capped."""
    if attempts < 1:
        raise ValueError("attempts starts at 1")
    waits = backoff.expo(base=2, factor=base_delay, max_value=max_delay)
    next(waits)  # backoff's generators are primed with one next() before their first value
    return float(next(itertools.islice(waits, attempts - 1, None)))


def retry_delay(
    attempts: int,
    *,
    base_delay: float,
    max_delay: float,
    jitter: Jitter | None = backoff.full_jitter,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait before the next attempt: jittered back-off, at least a bank's Retry-After (capped)."""
    delay = backoff_delay(attempts, base_delay=base_delay, max_delay=max_delay)
    if jitter is not None:
        delay = jitter(delay)
    if retry_after is not None:
        delay = max(delay, min(retry_after, max_delay))
    return max(0.0, min(delay, max_delay))


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed delivery in one attempt."""

    delivery_id: uuid.UUID
    ticket_id: int
    bank: str
    event: str
    result: str  # delivered | retry | parked | held (endpoint gone) | lost (another dispatcher holds it now)
    attempts: int
    status: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None
    at: datetime | None = None  # when this attempt ended

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.delivery_id),
            "ticket_id": self.ticket_id,
            "bank": self.bank,
            "event": self.event,
            "result": self.result,
            "attempts": self.attempts,
            "status": self.status,
            "error": self.error,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
        }


@dataclass(frozen=True)
class _Claim:
    id: uuid.UUID
    ticket_id: int
    bank: str
    event: str
    body: bytes = field(repr=False)
    attempts: int
    url: str | None
    secret: str | None = field(repr=False)
    previous_secret: str | None = field(default=None, repr=False)  # still signing: the overlap has not ended


@dataclass(frozen=True)
class _Answer:
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # HTTP-date form: ignored, the back-off applies
    return seconds if seconds >= 0 else None


class Dispatcher:
    """Delivers due outbox rows; `run_once`/`run_forever` with an httpx.Client, `arun_*` with an AsyncClient."""

    def __init__(
        self,
        engine: Engine,
        *,
        client: httpx.Client | httpx.AsyncClient,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = get_clock().now,
        max_attempts: int = 12,
        base_delay: float = 30.0,
        max_delay: float = 3600.0,
        timeout: float = 10.0,
        lock_seconds: float | None = None,
        batch_size: int = 10,
        jitter: Jitter | None = backoff.full_jitter,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        on_delivered: Callable[[Connection, Outcome], None] | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if base_delay <= 0 or max_delay < base_delay:
            raise ValueError("need 0 < base_delay <= max_delay")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        lock_seconds = max(60.0, 3 * timeout) if lock_seconds is None else lock_seconds
        if lock_seconds < 2 * timeout:
            # The lock must outlive an attempt, or a second dispatcher could send the row meanwhile.
            raise ValueError("lock_seconds must be at least twice the timeout")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.engine = engine
        self.client = client
        self.worker_id = (worker_id or default_worker_id())[:64]
        self.clock = clock
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.timeout = timeout
        self.lock_seconds = lock_seconds
        self.batch_size = batch_size
        self.jitter = jitter
        self.max_response_bytes = max_response_bytes
        # Called in the transaction that marks a delivery delivered (once per delivery), e.g. for the
        # ledger to record that the bank has the ticket.
        self.on_delivered = on_delivered
        # Explicit limits for every phase; the whole attempt is bounded by `timeout` as well.
        self.http_timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self._postgres = engine.dialect.name == "postgresql"
        self._stopping: threading.Event | None = None

    # ------------------------------------------------------------------ public

    def run_once(self) -> list[Outcome]:
        """Claim and send up to `batch_size` due deliveries, one at a time; returns what happened."""
        if not isinstance(self.client, httpx.Client):
            raise TypeError("run_once needs an httpx.Client; use arun_once with an httpx.AsyncClient")
        outcomes = []
        for _ in range(self.batch_size):
            if self._stopping is not None and self._stopping.is_set():
                break  # run_forever was asked to stop: finish the current delivery only
            # One claim per send keeps each lock fresh however slow the previous bank was.
            claims = self._claim(1)
            if not claims:
                break
            claim = claims[0]
            outcomes.append(self._finish(claim, self._post(claim)))
        return outcomes

    def run_forever(self, stop_event: threading.Event, *, poll_interval: float = 1.0) -> None:
        """Deliver until `stop_event` is set; a database outage is logged and waited out."""
        self._stopping = stop_event
        while not stop_event.is_set():
            try:
                busy = len(self.run_once()) >= self.batch_size
            except SQLAlchemyError as exc:
                log.warning("dispatcher %s: database error %s; retrying", self.worker_id, type(exc).__name__)
                busy = False
            if not busy:
                stop_event.wait(poll_interval)

    async def arun_once(self) -> list[Outcome]:
        """Claim up to `batch_size` due deliveries and send them concurrently (httpx.AsyncClient)."""
        if not isinstance(self.client, httpx.AsyncClient):
            raise TypeError("arun_once needs an httpx.AsyncClient; use run_once with an httpx.Client")
        claims = await asyncio.to_thread(self._claim, self.batch_size)
        answers = await asyncio.gather(*(self._apost(claim) for claim in claims))
        return [await asyncio.to_thread(self._finish, c, a) for c, a in zip(claims, answers, strict=True)]

    async def arun_forever(self, stop_event: asyncio.Event, *, poll_interval: float = 1.0) -> None:
        while not stop_event.is_set():
            try:
                busy = len(await self.arun_once()) >= self.batch_size
            except SQLAlchemyError as exc:
                log.warning("dispatcher %s: database error %s; retrying", self.worker_id, type(exc).__name__)
                busy = False
            if not busy:
                try:
                    await asyncio.wait_for(stop_event.wait(), poll_interval)
                except TimeoutError:
                    pass

    def next_delay(self, attempts: int, retry_after: float | None = None) -> float:
        return retry_delay(
            attempts,
            base_delay=self.base_delay,
            max_delay=self.max_delay,
            jitter=self.jitter,
            retry_after=retry_after,
        )

    # ------------------------------------------------------------------ database

    def _now(self) -> datetime:
        return as_utc(self.clock())

    def _claim(self, limit: int) -> list[_Claim]:
        now = self._now()
        until = now + timedelta(seconds=self.lock_seconds)
        c = DELIVERY.c
        gone = exists().where(BANKS.c.bank == c.bank, BANKS.c.endpoint_gone_at.is_not(None))
        due = and_(
            c.state == DeliveryState.pending,
            c.next_attempt_at <= now,
            or_(c.locked_until.is_(None), c.locked_until < now),
            ~gone,
        )
        with self.engine.begin() as conn:
            candidates = select(c.id).where(due).order_by(c.next_attempt_at, c.created_at).limit(limit)
            if self._postgres:
                candidates = candidates.with_for_update(skip_locked=True)
            claimed = []
            for delivery_id in conn.execute(candidates).scalars().all():
                took = conn.execute(
                    update(DELIVERY)
                    .where(c.id == delivery_id, due)
                    .values(locked_by=self.worker_id, locked_until=until, attempts=c.attempts + 1)
                )
                if took.rowcount == 1:
                    claimed.append(delivery_id)
            if not claimed:
                return []
            rows = conn.execute(
                select(c.id, c.ticket_id, c.bank, c.event, c.body, c.attempts).where(c.id.in_(claimed))
            ).all()
            return [self._with_bank(conn, row, now) for row in rows]

    @staticmethod
    def _with_bank(conn: Connection, row: Any, now: datetime) -> _Claim:
        b = BANKS.c
        account = conn.execute(
            select(b.webhook_url, b.webhook_secret, b.previous_webhook_secret, b.previous_secret_until)
            .where(b.bank == row.bank)
        ).first()
        previous = None
        if account is not None and account.previous_webhook_secret and account.previous_secret_until is not None:
            # The overlap ends at `previous_secret_until`: from then on only the new secret signs.
            if as_utc(account.previous_secret_until) > now:
                previous = account.previous_webhook_secret
        return _Claim(
            id=row.id,
            ticket_id=row.ticket_id,
            bank=row.bank,
            event=row.event,
            body=row.body.encode("utf-8"),
            attempts=row.attempts,
            url=account.webhook_url if account else None,
            secret=account.webhook_secret if account else None,
            previous_secret=previous,
        )

    def _finish(self, claim: _Claim, answer: _Answer) -> Outcome:
        now = self._now()
        c = DELIVERY.c
        base = {"at": now, "delivery_id": claim.id, "ticket_id": claim.ticket_id, "bank": claim.bank, "event": claim.event, "attempts": claim.attempts}
        with self.engine.begin() as conn:
            if answer.ok:
                # Delivered whoever holds the lock now: the bank has it.
                marked = conn.execute(
                    update(DELIVERY)
                    .where(c.id == claim.id, c.state == DeliveryState.pending)
                    .values(state=DeliveryState.delivered, delivered_at=now, locked_by=None,
                            locked_until=None, last_error=None)
                )
                outcome = Outcome(result="delivered", status=answer.status, **base)
                if marked.rowcount == 1 and self.on_delivered is not None:
                    self.on_delivered(conn, outcome)
            else:
                error = (answer.error or f"HTTP {answer.status}")[:1000]
                mine = and_(c.id == claim.id, c.state == DeliveryState.pending, c.locked_by == self.worker_id)
                if answer.status == GONE:
                    # Not a failure to retry: the bank withdrew the endpoint. The delivery stays due
                    # (sent first once a URL is registered again) and the bank is marked, unless an
                    # operator registered another URL while this attempt was under way.
                    error = ENDPOINT_GONE
                    values: dict[str, Any] = {"next_attempt_at": now}
                    result, next_at = "held", None
                    conn.execute(
                        update(BANKS)
                        .where(BANKS.c.bank == claim.bank, BANKS.c.webhook_url == claim.url,
                               BANKS.c.endpoint_gone_at.is_(None))
                        .values(endpoint_gone_at=now)
                    )
                elif claim.attempts >= self.max_attempts:
                    values = {"state": DeliveryState.parked}
                    result, next_at = "parked", None
                else:
                    next_at = now + timedelta(seconds=self.next_delay(claim.attempts, answer.retry_after))
                    values = {"next_attempt_at": next_at}
                    result = "retry"
                done = conn.execute(
                    update(DELIVERY).where(mine).values(last_error=error, locked_by=None, locked_until=None, **values)
                )
                if done.rowcount != 1:
                    result, next_at = "lost", None
                outcome = Outcome(result=result, status=answer.status, error=error, next_attempt_at=next_at, **base)
        log.info(
            "delivery %s to %s (%s): %s after attempt %d%s",
            claim.id, claim.bank, claim.event, outcome.result, claim.attempts,
            f" [{outcome.error}]" if outcome.error else "",
        )
        return outcome

    # ------------------------------------------------------------------ HTTP

    def _headers(self, claim: _Claim) -> dict[str, str]:
        assert claim.secret is not None
        msg_id = str(claim.id)
        # This attempt's instant, not the event's: a bank refuses requests outside its tolerance
        # (5 minutes in the reference libraries), which stops replays, while a retry still passes.
        timestamp = int(self._now().timestamp())
        active = [claim.secret] + ([claim.previous_secret] if claim.previous_secret else [])
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-SBK-Event": claim.event,
            "X-SBK-Delivery": msg_id,
            "X-SBK-Signature": sign(claim.body, claim.secret),
            "X-SBK-Attempt": str(claim.attempts),
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": standard_signatures(claim.body, msg_id=msg_id, timestamp=timestamp, secrets=active),
        }
        if claim.previous_secret:
            headers["X-SBK-Signature-Previous"] = sign(claim.body, claim.previous_secret)
        return headers

    @staticmethod
    def _unroutable(claim: _Claim) -> _Answer | None:
        if not claim.url or not claim.secret:
            return _Answer(error="no webhook registered for this bank")
        return None

    def _post(self, claim: _Claim) -> _Answer:
        if (answer := self._unroutable(claim)) is not None:
            return answer
        assert isinstance(self.client, httpx.Client)
        deadline = time.monotonic() + self.timeout
        answer = None
        try:
            with self.client.stream(
                "POST", claim.url, content=claim.body, headers=self._headers(claim),
                timeout=self.http_timeout, follow_redirects=False,
            ) as response:
                answer = _Answer(status=response.status_code,
                                 retry_after=_retry_after(response.headers.get("retry-after")))
                # The status decides; the body is read only up to a small limit and the deadline,
                # raw (no decompression), and then the connection is dropped.
                read = 0
                try:
                    for chunk in response.iter_raw():
                        read += len(chunk)
                        if read >= self.max_response_bytes or time.monotonic() > deadline:
                            break
                except Exception:  # noqa: BLE001 - a broken body does not change the status
                    pass
        except Exception as exc:  # noqa: BLE001 - any failure is recorded by class and retried
            if answer is None:
                return _Answer(error=type(exc).__name__)
        return answer

    async def _apost(self, claim: _Claim) -> _Answer:
        if (answer := self._unroutable(claim)) is not None:
            return answer
        got: list[_Answer] = []
        try:
            await asyncio.wait_for(self._apost_inner(claim, got), self.timeout)
        except TimeoutError:
            pass
        except Exception as exc:  # noqa: BLE001
            if not got:
                return _Answer(error=type(exc).__name__)
        # Once the status line has arrived it decides, even if the body is slow or broken.
        return got[0] if got else _Answer(error="DeadlineExceeded")

    async def _apost_inner(self, claim: _Claim, got: list[_Answer]) -> None:
        assert isinstance(self.client, httpx.AsyncClient)
        async with self.client.stream(
            "POST", claim.url, content=claim.body, headers=self._headers(claim),
            timeout=self.http_timeout, follow_redirects=False,
        ) as response:
            got.append(_Answer(status=response.status_code,
                               retry_after=_retry_after(response.headers.get("retry-after"))))
            read = 0
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read >= self.max_response_bytes:
                    break
