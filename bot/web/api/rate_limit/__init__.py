"""The bank API's rate limit: each bank's key may make `limit` requests per `window`; beyond, 429.

The decision is pyrate-limiter's GCRA (a leaky bucket kept as one timestamp per key, ``StateBucket``):
a bank may spend its whole allowance at once, which then refills continuously, one request every
``window / limit``; a refused request spends nothing. The allowance is keyed by the bank account, so
one bank's traffic never touches another's.

Where it is kept decides whether the limit holds: the back office runs as several processes behind a
load balancer, so the state lives in the back office's database (``DATABASE_URL``, SQLite by default,
PostgreSQL in a deployment), table ``bank_api_rate_state`` (migration 0016), through
``DatabaseStateStore``, a pyrate-limiter ``StateStore``. pyrate-limiter's own ``SQLiteBucket`` and
``PostgresBucket`` were not used: they count every row of their table whatever the key, so each bank
would need a table of its own, created at run time outside the migrations; they keep a row per
request; and ``PostgresBucket`` refuses a request whenever another process holds its table lock
(``LOCK TABLE … NOWAIT``), which would answer 429 to a bank well within its allowance.

Time is the request's instant (``bot.clock``), so tests move through a window without waiting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pyrate_limiter import GCRA, Decision, Rate, RateItem, StateAlgorithm, StateBucket, StateStore
from pyrate_limiter.abstracts.algorithm import State
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, select

from bot.clock import as_utc
from bot.settings import Settings
from bot.web.api.rate_limit.models import ApiRateState

__all__ = ["ApiRateState", "BankApiLimiter", "DatabaseStateStore", "RateLimited", "RatePolicy", "bank_key"]


class RateLimited(Exception):
    """A bank's request beyond its allowance; `retry_after` whole seconds until one is allowed again."""

    def __init__(self, *, retry_after: int, policy: RatePolicy) -> None:
        super().__init__(retry_after)
        self.retry_after, self.policy = retry_after, policy


@dataclass(frozen=True)
class RatePolicy:
    limit: int
    window: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> RatePolicy:
        return cls(limit=settings.bank_api_rate_limit,
                   window=timedelta(seconds=settings.bank_api_rate_window_seconds))

    @property
    def window_seconds(self) -> int:
        return int(self.window.total_seconds())

    def rates(self) -> list[Rate]:
        return [Rate(self.limit, int(self.window.total_seconds() * 1000))]


def bank_key(account_id: int) -> str:
    """The key a bank's requests are counted under: its account, which holds its one API key."""
    return f"bank:{account_id}"


def _epoch_ms(at: datetime) -> int:
    return int(as_utc(at).timestamp() * 1000)


def _instant(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


class DatabaseStateStore(StateStore):
    """One key's GCRA state in the ``bank_api_rate_state`` row of `key`, read and written in one short
    transaction of its own: under the row's lock on PostgreSQL (``SELECT … FOR UPDATE``), under the
    write lock every SQLite transaction of the product takes at BEGIN (bot/db/engine.py). Two
    processes checking one key therefore run one after the other and spend from one allowance."""

    is_async = False

    def __init__(self, engine: Engine, key: str) -> None:
        self.engine, self.key = engine, key

    def _load(self, row: ApiRateState, algorithm: StateAlgorithm, rates: list[Rate]) -> State:
        values = [v for v in row.state.split(",") if v]
        # A changed rate list (the settings) starts the key afresh rather than misreading its numbers.
        return algorithm.decode(values) if len(values) == len(rates) else algorithm.initial(rates)

    def check(self, algorithm: StateAlgorithm, rates: list[Rate], now: int, weight: int) -> Decision:
        table = ApiRateState.__table__  # type: ignore[attr-defined]
        with Session(self.engine) as session:
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            session.exec(dialect.insert(table).values(key=self.key, state="", updated_at=_instant(now))  # type: ignore[call-overload]
                         .on_conflict_do_nothing(index_elements=["key"]))
            row = session.exec(select(ApiRateState).where(ApiRateState.key == self.key).with_for_update()).one()
            new_state, decision = algorithm.step(rates, self._load(row, algorithm, rates), now, weight)
            if decision.allowed:
                row.state, row.updated_at = ",".join(str(value) for value in new_state), _instant(now)
                session.add(row)
            session.commit()
        return decision

    def read(self, algorithm: StateAlgorithm, rates: list[Rate]) -> State:
        with Session(self.engine) as session:
            row = session.get(ApiRateState, self.key)
            return algorithm.initial(rates) if row is None else self._load(row, algorithm, rates)

    def reset(self) -> None:
        with Session(self.engine) as session:
            session.exec(delete(ApiRateState).where(ApiRateState.key == self.key))  # type: ignore[call-overload]
            session.commit()


class BankApiLimiter:
    """The allowance of every bank's key under one `policy`, kept in the database of the engine given."""

    def __init__(self, policy: RatePolicy) -> None:
        self.policy = policy
        self._rates = policy.rates()
        self._algorithm = GCRA()

    def spend(self, *, engine: Engine, key: str, now: datetime) -> None:
        """Count one request of `key` at `now`; RateLimited (nothing spent) when it is over the allowance."""
        # A bucket per call: StateBucket remembers its last verdict on itself, which concurrent
        # requests of one process must not share; the state that matters is the store's.
        bucket = StateBucket(self._rates, algorithm=self._algorithm, store=DatabaseStateStore(engine, key))
        decision = bucket.put_decision(RateItem(key, _epoch_ms(now)))
        assert isinstance(decision, Decision)  # a synchronous store gives a synchronous answer
        if decision.allowed:
            return
        # Whole seconds, rounded up: a bank retrying after Retry-After is never early. (GCRA names no
        # wait only for a weight above the burst, which one request never is.)
        wait_ms = decision.retry_after_ms or 0
        raise RateLimited(retry_after=max(1, math.ceil(wait_ms / 1000)), policy=self.policy)

    def reset(self, *, engine: Engine, key: str) -> None:
        """Forget `key`'s spending, as though it had made no request."""
        DatabaseStateStore(engine, key).reset()
