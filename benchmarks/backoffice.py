"""Back-office benchmark: ticket creation, threshold evaluation on a large ledger, delivery to banks.

`sbk bench backoffice` calls `run()` and writes `render_markdown()` into BENCHMARKS.md (section
"backoffice"). What is measured, on this machine, on SQLite (a temporary file) and PostgreSQL (a
private schema ``sbk_bench_<pid>`` of the `test` database, created and dropped here):

1. `record_case` of complaints about a bank — case, numbered ticket, outbox row and threshold
   evaluation — one transaction each, one writer: tickets/s and p50/p95 per ticket.
2. `evaluate(session, bank=…, at=…, now=…)` with 10k and 1M cases in the ledger (bulk-inserted:
   executemany on SQLite, COPY on PostgreSQL; 8 banks, mixed intents, channels, outlets and
   verification). Two instants are evaluated: one in the *current* month, whose cases are the
   same at every ledger size (24 months of history lie before it, in earlier years), which shows
   whether evaluation stays flat as history grows; and one in a month *inside* the history, whose
   own volume grows with the ledger, which shows what a busier month costs.
3. `Dispatcher.run_once` with an httpx.Client delivering N pending outbox rows to a real receiver
   process on 127.0.0.1 that checks X-SBK-Signature; one dispatcher, then two concurrently.
4. Peak memory (ru_maxrss) of the process.

Every loop is bounded in count and time; a bulk insert whose projected duration exceeds its budget
is skipped and the report says so. Temporary files, the schema and the receiver process are
removed on every exit path (including errors and Ctrl-C).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import itertools
import os
import random
import resource
import select
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import func
from sqlmodel import select as sql_select

from benchmarks.machine import describe_machine
from benchmarks.report import databases_line, update_benchmarks_file
from benchmarks.stats import percentile
from bot.banks.models import BankAccount
from bot.db import make_engine, new_session, upgrade
from bot.forwarding import TICKET_CREATED, Dispatcher, enqueue
from bot.forwarding.models import Delivery, DeliveryState
from bot.knowledge import Knowledge
from bot.ledger.cases import record_case
from bot.ledger.models import Case, CaseCreate, CaseKind, Ticket, TicketKind
from bot.ledger.tickets import open_ticket
from bot.reactions import ledger_reactions
from bot.settings import PROJECT_ROOT
from bot.thresholds import evaluate
from bot.thresholds.models import ThresholdFiring
from bot.workdays import WorkdayCalendar

SECTION = "backoffice"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://root@127.0.0.1:5432/test"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# The evaluated instants. History fills the 24 months 2024-01 … 2025-12; the current month
# (January 2026) holds the same cases at every ledger size, and so does its year.
HISTORY_START = datetime(2024, 1, 1, tzinfo=SHANGHAI)
HISTORY_END = datetime(2026, 1, 1, tzinfo=SHANGHAI)
CURRENT_START = HISTORY_END
CURRENT_AT = datetime(2026, 1, 20, 12, 0, tzinfo=SHANGHAI)
BUSY_AT = datetime(2025, 6, 15, 12, 0, tzinfo=SHANGHAI)
HISTORY_MONTHS = 24

DESCRIPTION = "网点办理社保卡补卡收取了20元工本费，工作人员态度也不好。"
# Different matters, pairwise less alike than knowledge/rules.yml's duplicates.similar_text.
MATTERS = ("补卡收取了工本费。", "激活时被要求交十元手续费。", "办卡前要先交一笔年费。", "挂失收了二十块钱还不给收据。",
           "柜台乱收服务费。", "换卡说要交押金五十元。", "取消短信提醒也要扣钱。", "开户时多扣了账户管理费。",
           "代办人被收取额外费用。", "密码重置收了钱。", "打印流水收费十元。", "排队两个小时没人办理。")
CASE_COLUMNS = ("kind", "intent", "bank", "outlet", "district", "channel", "description",
                "consent_to_contact", "received_at", "verification", "verified_at", "verified_by")


@dataclass(frozen=True)
class Sizes:
    """How much work one run does; every timed loop also stops at `loop_seconds`."""

    label: str
    tickets: int
    ledger_rows: tuple[int, ...]
    repeats: int
    deliveries: int
    current_per_bank: int = 40
    warmup_tickets: int = 3
    loop_seconds: float = 120.0
    # A bulk insert projected (from the rate of the previous one) to take longer is skipped.
    insert_budget_seconds: float = 150.0


FULL = Sizes("full", tickets=2000, ledger_rows=(10_000, 1_000_000), repeats=50, deliveries=500)
QUICK = Sizes("quick", tickets=300, ledger_rows=(10_000, 100_000), repeats=30, deliveries=200)


# --------------------------------------------------------------------------- figures


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class TicketFigures:
    database: str
    tickets: int
    seconds: float
    p50_ms: float
    p95_ms: float
    first_ms: float  # the first record_case of the run (warm-up, not in the figures)
    stored_cases: int
    stored_tickets: int
    pending_deliveries: int
    firings: int

    @property
    def rate(self) -> float:
        return self.tickets / self.seconds if self.seconds > 0 else float("nan")


@dataclass
class EvaluationFigures:
    database: str
    rows: int
    inserted: int = 0  # rows added for this size
    insert_seconds: float = 0.0
    # Cases of one bank in the month and in the year evaluated (monthly and yearly rules read them).
    current_month_cases: int = 0
    current_year_cases: int = 0
    busy_month_cases: int = 0
    busy_year_cases: int = 0
    current_ms: list[float] = field(default_factory=list, repr=False)
    busy_ms: list[float] = field(default_factory=list, repr=False)
    skipped: str | None = None

    @property
    def insert_rate(self) -> float:
        return self.inserted / self.insert_seconds if self.insert_seconds > 0 else float("nan")


@dataclass
class DeliveryFigures:
    database: str
    dispatchers: int
    deliveries: int
    seconds: float
    delivered: int  # rows the database marks delivered
    arrived: int  # distinct delivery ids the receiver accepted with a valid signature
    duplicates: int
    bad_signatures: int

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds > 0 else float("nan")


@dataclass
class Report:
    sizes: Sizes
    sqlite_version: str
    postgres_version: str | None = None
    postgres_skipped: str | None = None
    tickets: list[TicketFigures] = field(default_factory=list)
    evaluation: list[EvaluationFigures] = field(default_factory=list)
    deliveries: list[DeliveryFigures] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    seconds: float = 0.0
    # 1-minute load average before and after: other work on the machine skews every figure.
    load: tuple[float, float] = (float("nan"), float("nan"))


# --------------------------------------------------------------------------- databases


def schema_name() -> str:
    return f"sbk_bench_{os.getpid()}"


def schema_url(base_url: str, schema: str) -> str:
    """`base_url` with every connection's search_path set to `schema` (libpq `options`)."""
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def sqlite_database(directory: Path, name: str) -> Iterator[Engine]:
    """A migrated SQLite file in `directory`, deleted (with its WAL files) afterwards."""
    path = directory / f"{name}.db"
    try:
        upgrade(f"sqlite:///{path}")
        engine = make_engine(f"sqlite:///{path}")
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)


def drop_schema(base_url: str, schema: str) -> None:
    admin = make_engine(base_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


@contextmanager
def postgres_database(base_url: str, schema: str) -> Iterator[Engine]:
    """A migrated, empty private schema; dropped afterwards whatever happened."""
    admin = make_engine(base_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = schema_url(base_url, schema)
        upgrade(url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        try:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        except Exception as exc:  # noqa: BLE001 - reported, must not hide the original error
            print(f"sbk bench: could not drop schema {schema}: {type(exc).__name__}: {exc}", file=sys.stderr)
        admin.dispose()


def postgres_version(base_url: str) -> str:
    """The server's version line; raises when it cannot be reached."""
    engine = make_engine(base_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- 1. ticket creation


def _banks(knowledge: Knowledge) -> list[tuple[str, tuple[tuple[str, str | None], ...]]]:
    """(bank, ((outlet, district), …)) for every partner bank."""
    return [(b.name, tuple((o.name, o.district) for o in b.outlets.items)) for b in knowledge.banks]


def _complaint_intents(knowledge: Knowledge) -> list[str]:
    return [i.name for i in knowledge.specific_intents_in("complaint")]


def _channels(knowledge: Knowledge) -> list[str]:
    return [c.code for c in knowledge.channels]


def complaint_factory(knowledge: Knowledge, seed: int = 2026) -> Callable[[], CaseCreate]:
    """Realistic complaints about the partner banks, varied by a seeded generator."""
    rng = random.Random(seed)
    citizens = itertools.count(seed)
    banks, intents, channels = _banks(knowledge), _complaint_intents(knowledge), _channels(knowledge)

    def make() -> CaseCreate:
        bank, outlets = rng.choice(banks)
        outlet, district = rng.choice(outlets) if outlets else (None, None)
        consent = rng.random() < 0.4
        # Another citizen each time, so each complaint is a new matter (bot.ledger.duplicates) unless
        # two citizens happen to report the same one at the same outlet, as they do.
        phone = f"138{next(citizens):08d}"
        return CaseCreate(kind=CaseKind.complaint, intent=rng.choice(intents), bank=bank, outlet=outlet,
                          district=district, channel=rng.choice(channels),
                          description=f"{rng.choice(MATTERS)}我的电话{phone}。", contact_name="张三",
                          contact_phone=phone, consent_to_contact=consent)

    return make


def _count(engine: Engine, model: type, *where: object) -> int:
    with new_session(engine) as session:
        return int(session.exec(sql_select(func.count()).select_from(model).where(*where)).one())


def bench_tickets(engine: Engine, *, count: int, knowledge: Knowledge, calendar: WorkdayCalendar,
                  database: str, warmup: int = 3, time_limit: float = 120.0) -> TicketFigures:
    """Record `count` complaints about banks, each in its own transaction, one after another."""
    make = complaint_factory(knowledge)

    def one() -> float:
        data = make()
        started = time.perf_counter()
        with new_session(engine) as session:
            _, ticket = record_case(session, reactions=ledger_reactions(),
                                    data=data, knowledge=knowledge, calendar=calendar, now=datetime.now(UTC))
            session.commit()
        if ticket is None:  # pragma: no cover - every generated complaint names a bank
            raise RuntimeError("a complaint about a bank produced no ticket")
        return (time.perf_counter() - started) * 1000

    first_ms = one()
    for _ in range(max(0, warmup - 1)):
        one()
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < count and time.perf_counter() - started < time_limit:
        times.append(one())
    seconds = time.perf_counter() - started
    return TicketFigures(
        database=database, tickets=len(times), seconds=seconds, p50_ms=percentile(times, 50),
        p95_ms=percentile(times, 95), first_ms=first_ms, stored_cases=_count(engine, Case),
        stored_tickets=_count(engine, Ticket),
        pending_deliveries=_count(engine, Delivery, Delivery.state == DeliveryState.pending,
                                  Delivery.event == TICKET_CREATED),
        firings=_count(engine, ThresholdFiring),
    )


# --------------------------------------------------------------------------- 2. threshold evaluation


def ledger_rows(rng: random.Random, count: int, *, start: datetime, end: datetime, knowledge: Knowledge,
                bank: str | None = None) -> Iterator[tuple]:
    """`count` cases received in [start, end): 90 % complaints (every intent), 10 % praise, the
    partner banks (or only `bank`) and their outlets, every channel, verification 30 % received /
    50 % found true / 20 % not true. Timestamps are aware UTC datetimes."""
    banks, intents, channels = _banks(knowledge), _complaint_intents(knowledge), _channels(knowledge)
    if bank is not None:
        banks = [b for b in banks if b[0] == bank]
        if not banks:
            raise ValueError(f"not a partner bank: {bank}")
    t0 = start.astimezone(UTC)
    span = (end - start).total_seconds()
    three_days = timedelta(days=3)
    for _ in range(count):
        name, outlets = banks[rng.randrange(len(banks))]
        outlet, district = outlets[rng.randrange(len(outlets))] if outlets and rng.random() < 0.9 else (None, None)
        if rng.random() < 0.1:
            kind, intent = "praise", "praise"
        else:
            kind, intent = "complaint", intents[rng.randrange(len(intents))]
        at = t0 + timedelta(seconds=rng.random() * span)
        r = rng.random()
        if r < 0.3:
            verification, verified_at, verified_by = "received", None, None
        else:
            verification = "found_true" if r < 0.8 else "not_true"
            verified_at, verified_by = at + three_days, "bench"
        yield (kind, intent, name, outlet, district, channels[rng.randrange(len(channels))], DESCRIPTION,
               False, at, verification, verified_at, verified_by)


def _sqlite_timestamp(at: datetime | None) -> str | None:
    # The text form SQLAlchemy's SQLite DateTime writes (UTC, as bot.db.types.UTCDateTime stores it).
    return None if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def bulk_insert_cases(engine: Engine, rows: Iterator[tuple], *, chunk: int = 20_000) -> int:
    """Insert ledger rows fast: COPY on PostgreSQL, executemany in one transaction on SQLite."""
    columns = ", ".join(CASE_COLUMNS)
    inserted = 0
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            with driver.cursor() as cursor, cursor.copy(f"COPY ledger_case ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    inserted += 1
            driver.commit()
        finally:
            raw.close()
        return inserted
    sql = f"INSERT INTO ledger_case ({columns}) VALUES ({', '.join('?' * len(CASE_COLUMNS))})"
    with engine.begin() as conn:
        batch: list[tuple] = []
        for row in rows:
            batch.append(row[:7] + (1 if row[7] else 0, _sqlite_timestamp(row[8]), row[9],
                                    _sqlite_timestamp(row[10]), row[11]))
            if len(batch) >= chunk:
                conn.exec_driver_sql(sql, batch)
                inserted += len(batch)
                batch = []
        if batch:
            conn.exec_driver_sql(sql, batch)
            inserted += len(batch)
    return inserted


def _analyze(engine: Engine) -> None:
    """PostgreSQL: refresh planner statistics, as autovacuum does after a bulk load."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE ledger_case"))


def _period_cases(engine: Engine, bank: str, at: datetime) -> tuple[int, int]:
    """Cases of `bank` in the month and in the year of `at`."""
    from bot.thresholds import month_of, year_of

    return tuple(_count(engine, Case, Case.bank == bank, Case.received_at >= p.start, Case.received_at < p.end)
                 for p in (month_of(at), year_of(at)))  # type: ignore[return-value]


def time_evaluate(engine: Engine, *, banks: Sequence[str], at: datetime, repeats: int, knowledge: Knowledge,
                  time_limit: float = 120.0) -> list[float]:
    """Milliseconds of `evaluate` for `at`, `repeats` times over the banks in turn.

    Each bank is evaluated once first and committed, so the firings its data reaches are
    recorded (the steady state of a running ledger); the timed calls then find nothing new and
    are rolled back.
    """
    for bank in banks:
        with new_session(engine) as session:
            evaluate(session, bank=bank, at=at, now=at, knowledge=knowledge)
            session.commit()
    times: list[float] = []
    started = time.perf_counter()
    for i in range(repeats):
        if time.perf_counter() - started > time_limit:
            break
        with new_session(engine) as session:
            t0 = time.perf_counter()
            evaluate(session, bank=banks[i % len(banks)], at=at, now=at, knowledge=knowledge)
            times.append((time.perf_counter() - t0) * 1000)
            session.rollback()
    return times


def bench_evaluation(engine: Engine, *, sizes: Sequence[int], repeats: int, knowledge: Knowledge, database: str,
                     current_per_bank: int = 40, insert_budget: float = 150.0, time_limit: float = 120.0,
                     progress: Callable[[str], None] = lambda _: None) -> list[EvaluationFigures]:
    """Grow the ledger to each size in turn (ascending) and time `evaluate` at both instants."""
    banks = [name for name, _ in _banks(knowledge)]
    current = current_per_bank * len(banks)
    if min(sizes) <= current:
        raise ValueError(f"ledger sizes must exceed the {current} cases of the current month")
    # The current month first, from its own generator: the same cases at every size.
    for n, bank in enumerate(banks):
        bulk_insert_cases(engine, ledger_rows(random.Random(n), current_per_bank, start=CURRENT_START, end=CURRENT_AT,
                                              knowledge=knowledge, bank=bank))
    history = random.Random(2)
    have, rate = current, None
    out = []
    for size in sorted(sizes):
        figures = EvaluationFigures(database=database, rows=size)
        add = size - have
        if rate is not None and add / rate > insert_budget:
            figures.skipped = (f"inserting {add:,} more rows would take about {add / rate:.0f} s at the "
                               f"{rate:,.0f} rows/s measured, over the {insert_budget:.0f} s budget")
            out.append(figures)
            progress(f"{database}: {size:,} rows skipped ({figures.skipped})")
            continue
        progress(f"{database}: inserting {add:,} ledger rows")
        started = time.perf_counter()
        figures.inserted = bulk_insert_cases(engine, ledger_rows(history, add, start=HISTORY_START, end=HISTORY_END,
                                                                 knowledge=knowledge))
        _analyze(engine)
        figures.insert_seconds = time.perf_counter() - started
        have, rate = size, figures.insert_rate
        progress(f"{database}: {size:,} rows ({figures.insert_rate:,.0f} rows/s); timing evaluate")
        figures.current_month_cases, figures.current_year_cases = _period_cases(engine, banks[0], CURRENT_AT)
        figures.busy_month_cases, figures.busy_year_cases = _period_cases(engine, banks[0], BUSY_AT)
        figures.current_ms = time_evaluate(engine, banks=banks, at=CURRENT_AT, repeats=repeats, knowledge=knowledge,
                                           time_limit=time_limit)
        figures.busy_ms = time_evaluate(engine, banks=banks, at=BUSY_AT, repeats=repeats, knowledge=knowledge,
                                        time_limit=time_limit)
        out.append(figures)
    return out


# --------------------------------------------------------------------------- 3. delivery


class Receiver:
    """A bank's webhook receiver in its own process on 127.0.0.1 (see `serve_receiver`)."""

    def __init__(self, secret: str | None = None, *, start_timeout: float = 20.0) -> None:
        self.secret = secret or uuid.uuid4().hex
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sbk/webhook"

    def __enter__(self) -> Self:
        env = {**os.environ, "SBK_BENCH_SECRET": self.secret}
        self.proc = subprocess.Popen([sys.executable, "-m", "benchmarks.backoffice", "receive"], cwd=PROJECT_ROOT,
                                     env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        try:
            assert self.proc.stdout is not None
            ready, _, _ = select.select([self.proc.stdout], [], [], self.start_timeout)
            line = self.proc.stdout.readline().decode().strip() if ready else ""
            if not line.isdigit():
                raise RuntimeError("the bench receiver did not start")
            self.port = int(line)
            deadline = time.monotonic() + self.start_timeout
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{self.port}/_health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the bench receiver does not answer")
                time.sleep(0.05)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            if self.proc.stdout is not None:
                self.proc.stdout.close()
        self.proc = None

    def reset(self) -> None:
        httpx.post(f"http://127.0.0.1:{self.port}/_reset", timeout=5).raise_for_status()

    def stats(self) -> dict:
        return httpx.get(f"http://127.0.0.1:{self.port}/_stats", timeout=10).json()


def serve_receiver() -> None:
    """Run the receiver (``python -m benchmarks.backoffice receive``, secret in SBK_BENCH_SECRET).

    Like a bank following docs/bank-integration.md, and written without bot.forwarding: it checks
    X-SBK-Signature (HMAC-SHA256 of the raw body) and that the body's delivery_id is the
    X-SBK-Delivery header, answers 200 and remembers the id, or 401. Prints its port on the first
    line of stdout; exits when its parent process goes away.
    """
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    secret = os.environ["SBK_BENCH_SECRET"].encode()
    state: dict = {"accepted": [], "bad": 0}

    async def webhook(request: Request) -> JSONResponse:
        raw = await request.body()
        expected = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
        header = request.headers.get("x-sbk-signature", "")
        delivery = request.headers.get("x-sbk-delivery")
        ok = hmac.compare_digest(expected.encode(), header.encode("utf-8", "replace"))
        if ok:
            try:
                ok = json.loads(raw)["delivery_id"] == delivery
            except (ValueError, KeyError, TypeError):
                ok = False
        if not ok:
            state["bad"] += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        state["accepted"].append(delivery)
        return JSONResponse({"ok": True})

    async def stats(request: Request) -> JSONResponse:
        return JSONResponse({"accepted": state["accepted"], "bad_signature": state["bad"]})

    async def reset(request: Request) -> JSONResponse:
        state["accepted"], state["bad"] = [], 0
        return JSONResponse({"ok": True})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/_health", health), Route("/_stats", stats), Route("/_reset", reset, methods=["POST"]),
                            Route("/sbk/webhook", webhook, methods=["POST"])])
    parent = os.getppid()

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    # proto=IPPROTO_TCP, as getaddrinfo would give: asyncio sets TCP_NODELAY on accepted sockets only
    # then, and without it every response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")).run(sockets=[sock])


def seed_deliveries(engine: Engine, *, count: int, knowledge: Knowledge, calendar: WorkdayCalendar, url: str,
                    secret: str) -> set[uuid.UUID]:
    """`count` committed ticket.created deliveries (real cases, tickets and payloads) for the 8 banks,
    every bank's webhook at `url`; the delivery ids."""
    make = complaint_factory(knowledge, seed=count)
    ids = set()
    with new_session(engine) as session:
        registered = set(session.exec(sql_select(BankAccount.bank)))
        for bank, _ in _banks(knowledge):
            if bank not in registered:
                session.add(BankAccount(bank=bank, webhook_url=url, api_key_hash="not-used-by-the-bench",
                                        api_key_prefix="k_bench", webhook_secret=secret, updated_at=datetime(2026, 11, 2, 1, 0, tzinfo=UTC)))
        for _ in range(count):
            now = datetime.now(UTC)
            case = Case.model_validate(make(), update={"received_at": now})
            session.add(case)
            session.flush()
            ticket = open_ticket(session, case=case, kind=TicketKind.transfer, knowledge=knowledge,
                                 calendar=calendar, now=now)
            ids.add(enqueue(session, ticket=ticket, case=case, event=TICKET_CREATED, knowledge=knowledge, now=now).id)
        session.commit()
    return ids


def bench_deliveries(engine: Engine, *, count: int, dispatchers: int, receiver: Receiver, knowledge: Knowledge,
                     calendar: WorkdayCalendar, database: str, time_limit: float = 120.0) -> DeliveryFigures:
    """Deliver `count` pending rows with `dispatchers` Dispatchers (one thread and httpx.Client each)."""
    # The very client `sbk dispatch` gives its Dispatcher (imported late: bot.cli builds on the ledger).
    from bot.cli.dispatch import make_client

    ids = seed_deliveries(engine, count=count, knowledge=knowledge, calendar=calendar, url=receiver.url,
                          secret=receiver.secret)
    receiver.reset()
    clock: dict[str, float] = {}
    errors: list[BaseException] = []
    stop = threading.Event()  # set when the caller unwinds (Ctrl-C, SIGTERM) so no thread outlives the database
    start = threading.Barrier(dispatchers, action=lambda: clock.setdefault("start", time.perf_counter()))

    def work(n: int) -> None:
        try:
            with make_client() as client:
                dispatcher = Dispatcher(engine, client=client, worker_id=f"bench-{os.getpid()}-{n}", timeout=10.0)
                start.wait(timeout=30)
                deadline = time.perf_counter() + time_limit
                while not stop.is_set() and time.perf_counter() < deadline and dispatcher.run_once():
                    pass
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=work, args=(n,), name=f"bench-dispatcher-{n}") for n in range(dispatchers)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop.set()
        start.abort()
        for thread in threads:
            if thread.ident is not None:
                thread.join()
    seconds = time.perf_counter() - clock.get("start", time.perf_counter())
    if errors:
        raise errors[0]
    with new_session(engine) as session:
        delivered = {row for row in session.exec(sql_select(Delivery.id).where(Delivery.state == DeliveryState.delivered))}
    stats = receiver.stats()
    accepted = Counter(stats["accepted"])
    wanted = {str(i) for i in ids}
    return DeliveryFigures(
        database=database, dispatchers=dispatchers, deliveries=count, seconds=seconds,
        delivered=len(delivered & ids), arrived=len(wanted & set(accepted)),
        duplicates=sum(n - 1 for n in accepted.values()), bad_signatures=int(stats["bad_signature"]),
    )


# --------------------------------------------------------------------------- the whole run


def run(sizes: Sizes, *, knowledge: Knowledge, calendar: WorkdayCalendar, postgres_url: str | None,
        progress: Callable[[str], None] = lambda _: None) -> Report:
    """Every measurement on SQLite, then on PostgreSQL (unless `postgres_url` is None or unreachable)."""
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    report = Report(sizes=sizes, sqlite_version=sqlite3.sqlite_version)
    schema = schema_name()
    databases: list[tuple[str, Callable[[str], object]]] = []
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sbk-bench-")))
        databases.append(("SQLite", lambda name: sqlite_database(tmp, name)))
        if postgres_url is None:
            report.postgres_skipped = "not asked for (--no-postgres)"
        else:
            try:
                report.postgres_version = postgres_version(postgres_url)
            except Exception as exc:  # noqa: BLE001 - the SQLite figures are still worth having
                report.postgres_skipped = f"not reachable ({type(exc).__name__})"
                progress(f"PostgreSQL skipped: {report.postgres_skipped}")
            else:
                databases.append(("PostgreSQL", lambda name: postgres_database(postgres_url, schema)))
        receiver = stack.enter_context(Receiver())
        for label, fresh in databases:
            progress(f"{label}: creating {sizes.tickets} tickets")
            with fresh("tickets") as engine:  # type: ignore[attr-defined]
                report.tickets.append(bench_tickets(engine, count=sizes.tickets, knowledge=knowledge, calendar=calendar,
                                                    database=label, warmup=sizes.warmup_tickets,
                                                    time_limit=sizes.loop_seconds))
            with fresh("evaluation") as engine:  # type: ignore[attr-defined]
                report.evaluation.extend(bench_evaluation(
                    engine, sizes=sizes.ledger_rows, repeats=sizes.repeats, knowledge=knowledge, database=label,
                    current_per_bank=sizes.current_per_bank, insert_budget=sizes.insert_budget_seconds,
                    time_limit=sizes.loop_seconds, progress=progress))
            with fresh("deliveries") as engine:  # type: ignore[attr-defined]
                for dispatchers in (1, 2):
                    progress(f"{label}: delivering {sizes.deliveries} with {dispatchers} dispatcher(s)")
                    report.deliveries.append(bench_deliveries(
                        engine, count=sizes.deliveries, dispatchers=dispatchers, receiver=receiver,
                        knowledge=knowledge, calendar=calendar, database=label, time_limit=sizes.loop_seconds))
    report.peak_rss_mb = peak_rss_mb()
    report.seconds = time.perf_counter() - started
    report.load = (load_before, os.getloadavg()[0])
    return report


# --------------------------------------------------------------------------- report


def _ms(values: Sequence[float]) -> str:
    return f"{percentile(values, 50):.1f} / {percentile(values, 95):.1f}" if values else "—"


def _ratio(big: Sequence[float], small: Sequence[float]) -> str:
    if not big or not small:
        return "—"
    return f"{percentile(big, 50) / percentile(small, 50):.2f}×"


def render_markdown(report: Report) -> str:
    """The "backoffice" section of BENCHMARKS.md."""

    sizes = report.sizes
    databases = databases_line(sqlite_version=report.sqlite_version, postgres_version=report.postgres_version,
                               postgres_skipped=report.postgres_skipped)
    lines = [
        f"## Back office (`sbk bench backoffice{' --quick' if sizes.label == 'quick' else ''}`)",
        "",
        (f"Machine: {describe_machine()}. Measured {time.strftime('%Y-%m-%d %H:%M %Z')} "
        f"({sizes.label} run, {report.seconds:.0f} s in all; 1-minute load average {report.load[0]:.1f} before, "
        f"{report.load[1]:.1f} after). Databases: {databases}."),
        "",
        "### Ticket creation",
        "",
        ("`record_case` of a complaint about a bank: case, numbered transfer ticket, outbox row and threshold "
        f"evaluation, one transaction (committed) each, one writer, real clock; after {sizes.warmup_tickets} "
        "warm-up tickets."),
        "",
        "| database | tickets | tickets/s | p50 / p95 per ticket | stored: cases / tickets / pending deliveries | firings recorded |",
        "|---|---|---|---|---|---|",
    ]
    for t in report.tickets:
        lines.append(f"| {t.database} | {t.tickets:,} | {t.rate:.0f} | {t.p50_ms:.1f} / {t.p95_ms:.1f} ms "
                     f"| {t.stored_cases:,} / {t.stored_tickets:,} / {t.pending_deliveries:,} | {t.firings:,} |")
    if report.tickets:
        lines += ["", (f"The first ticket of the run took {report.tickets[0].first_ms:.0f} ms "
                      "(it loads the masking dictionary); it is not in the figures.")]
    lines += [
        "",
        "### Threshold evaluation",
        "",
        (f"`evaluate(session, bank=…, at=…, now=…)` over every rule, {sizes.repeats} calls per figure, the 8 banks in turn, "
        "after one committed call per bank (so the firings the data reaches exist, as in a running ledger). "
        f"Ledger: {sizes.current_per_bank} cases per bank in the current month (2026-01, the same at every size) "
        f"and the rest spread over the {HISTORY_MONTHS} months before it (2024-01 … 2025-12); 90 % complaints of "
        "every type, 10 % praise, outlets, channels, and 30 % received / 50 % found true / 20 % not true. "
        "Bulk-inserted with executemany (SQLite) or COPY then ANALYZE (PostgreSQL). *Current month*: evaluated "
        "at 2026-01-20, its month and year hold the same cases at every size, so the time should not grow "
        "with the history. *Busy month*: evaluated at 2025-06-15, a month inside the history whose own volume "
        "grows with the ledger."),
        "",
        "Cases per bank are those of one bank in the month / the year evaluated (monthly and yearly rules read them).",
        "",
        ("| database | ledger rows | bulk insert | current month: cases per bank, p50 / p95 | "
        "busy month: cases per bank, p50 / p95 |"),
        "|---|---|---|---|---|",
    ]
    for e in report.evaluation:
        if e.skipped:
            lines.append(f"| {e.database} | {e.rows:,} | skipped: {e.skipped} | — | — |")
            continue
        lines.append(f"| {e.database} | {e.rows:,} | {e.inserted:,} rows in {e.insert_seconds:.1f} s "
                     f"({e.insert_rate:,.0f}/s) | {e.current_month_cases:,} / {e.current_year_cases:,}: "
                     f"{_ms(e.current_ms)} ms | {e.busy_month_cases:,} / {e.busy_year_cases:,}: {_ms(e.busy_ms)} ms |")
    lines.append("")
    for database in dict.fromkeys(e.database for e in report.evaluation):
        done = [e for e in report.evaluation if e.database == database and not e.skipped]
        if len(done) >= 2:
            small, big = done[0], done[-1]
            lines.append(f"- {database}, {big.rows:,} / {small.rows:,} rows, ratio of p50: current month "
                         f"{_ratio(big.current_ms, small.current_ms)}, busy month {_ratio(big.busy_ms, small.busy_ms)} "
                         f"(its cases per bank and year: {big.busy_year_cases / max(small.busy_year_cases, 1):.0f}×).")
        else:
            lines.append(f"- {database}: fewer than two sizes measured, no ratio.")
    lines += [
        "",
        "### Delivery to banks",
        "",
        ("Pending ticket.created outbox rows delivered by `Dispatcher.run_once` (one claim per send, httpx.Client "
        "with keep-alive) to a receiver process on 127.0.0.1 (uvicorn) that checks X-SBK-Signature and the "
        "delivery id and answers 200. Two dispatchers are two threads of this process, each with its own client "
        "and connections."),
        "",
        "| database | dispatchers | deliveries | deliveries/s | delivered / arrived at the bank | duplicates | bad signatures |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in report.deliveries:
        lines.append(f"| {d.database} | {d.dispatchers} | {d.deliveries:,} | {d.rate:.0f} | {d.delivered:,} / "
                     f"{d.arrived:,} | {d.duplicates} | {d.bad_signatures} |")
    lines += [
        "",
        f"Peak memory of the bench process (ru_maxrss): {report.peak_rss_mb:.0f} MB.",
        "",
    ]
    return "\n".join(lines)


def write_section(report: Report, path: Path | None = None) -> str:
    """Render the report, replace the "backoffice" section of BENCHMARKS.md, and return the text."""

    body = render_markdown(report)
    update_benchmarks_file(path or PROJECT_ROOT / "BENCHMARKS.md", SECTION, body)
    return body


if __name__ == "__main__" and sys.argv[1:] == ["receive"]:
    serve_receiver()
