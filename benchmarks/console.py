"""Console benchmark: every page's render time with 100k tickets in the ledger (issue 5: "no page
needs more than one second to render with 100k tickets").

`sbk bench console` calls `run()` and writes `render_markdown()` into BENCHMARKS.md (section
"console"). On SQLite (a temporary file) and PostgreSQL (a private schema ``sbk_bench_<pid>``,
created and dropped), it:

1. seeds a ledger of N tickets (default 100,000) over the two years before today — cases of every
   bank, outlet, district, channel and complaint type; transfer tickets, a few escalated to
   supervision tickets; states by age (open and recent, or reported, verified, closed; some left
   overdue); their history events; the threshold firings the ledger's own `evaluate` records
   month by month — with executemany on SQLite and COPY on PostgreSQL; then one year of the
   supervision records the newer pages read (benchmarks/supervision_year.py): inspections,
   self-inspection summaries, satisfaction callbacks, investigation reports;
2. signs in through the real sign-in form as a city supervisor, a 李沧区 district supervisor, an
   operator and an administrator, and requests each console page through the ASGI application
   (httpx's ASGITransport: routing, dependencies, queries, templates, middleware — no network);
3. reports p50 / p95 per page and role, and the pages over the one-second goal.

Pages are found in the application at run time, so the other engineers' pages (home, assist,
notices, handoff queue, users) are measured whenever they exist.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.machine import describe_machine
from benchmarks.report import databases_line, update_benchmarks_file
from benchmarks.stats import percentile
from benchmarks.supervision_year import (CALLBACK_COLUMNS, INSPECTION_COLUMNS, REPORT_COLUMNS, SUBMISSION_COLUMNS,
                                         build_year)
from bot.knowledge import Knowledge
from bot.workdays import WorkdayCalendar

SECTION = "console"
SHANGHAI = ZoneInfo("Asia/Shanghai")
GOAL_MS = 1000.0
DISTRICT = "李沧区"
PASSWORD = "bench-password-2026"
ACCOUNTS = {  # key: (name, role, district)
    "city_supervisor": ("bench_city", "city_supervisor", None),
    "district_supervisor": ("bench_licang", "district_supervisor", DISTRICT),
    "operator": ("bench_operator", "operator", None),
    "admin": ("bench_admin", "admin", None),
}
ROLE_LABELS = {"city_supervisor": "市级", "district_supervisor": f"区级（{DISTRICT}）", "operator": "话务员",
               "admin": "管理员"}
DESCRIPTION = "网点办理社保卡补卡收取了20元工本费，工作人员态度也不好。"
# How often each kind of complaint comes in (an assumption for the benchmark, not a statistic): attitude
# and delays are common, forced selling and privacy rare. Intents not listed get weight 2.
INTENT_WEIGHTS = {"complaint/attitude": 28, "complaint/refusal": 18, "complaint/overdue": 18, "complaint/fees": 10,
                  "complaint/no_notice": 10, "complaint/facilities": 8, "complaint/privacy": 2,
                  "complaint/forced_selling": 2}
# Share of tickets still open past their due date, by how long ago they were due: recent ones wait for
# escalation and the bank's answer, old ones have almost all been dealt with.
LATE_RECENT_DAYS, LATE_RECENT_SHARE, LATE_OLD_SHARE = 60, 0.05, 0.002
YEAR_TABLES = ("outlet_inspection", "self_inspection", "satisfaction_callback", "investigation_report")
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


@dataclass(frozen=True)
class Sizes:
    label: str
    tickets: int
    repeats: int
    months: int = 24
    escalated_share: float = 0.03  # transfer tickets that became overdue and were escalated
    time_limit: float = 20.0  # seconds per page and role at most


FULL = Sizes("full", tickets=100_000, repeats=20)
QUICK = Sizes("quick", tickets=10_000, repeats=5)


# --------------------------------------------------------------------------- figures


@dataclass
class PageTiming:
    database: str
    role: str
    name: str
    path: str
    status: int
    times_ms: list[float] = field(default_factory=list, repr=False)
    first_ms: float = 0.0  # the first request of the page (warm-up, not in the figures)

    @property
    def p50(self) -> float:
        return percentile(self.times_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 95)


@dataclass
class SeedFigures:
    database: str
    cases: int
    tickets: int
    events: int
    firings: int
    open_overdue: int
    district_tickets: int
    insert_seconds: float
    firing_seconds: float
    inspections: int = 0
    submissions: int = 0
    callbacks: int = 0
    reports: int = 0
    year_seconds: float = 0.0


@dataclass
class Report:
    sizes: Sizes
    now: datetime
    sqlite_version: str
    postgres_version: str | None = None
    postgres_skipped: str | None = None
    seeds: list[SeedFigures] = field(default_factory=list)
    pages: list[PageTiming] = field(default_factory=list)
    seconds: float = 0.0
    load: tuple[float, float] = (float("nan"), float("nan"))
    migrations: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- seeding


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def bulk_insert(engine: Engine, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert rows fast: COPY on PostgreSQL, executemany in one transaction on SQLite."""
    if not rows:
        return
    names = ", ".join(columns)
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                                         for v in row))
            driver.commit()
        finally:
            raw.close()
        return
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
    with engine.begin() as conn:
        for start in range(0, len(rows), 20_000):
            conn.exec_driver_sql(sql, [tuple(_sqlite_value(v) for v in row) for row in rows[start:start + 20_000]])


@dataclass
class _Ledger:
    cases: list[tuple] = field(default_factory=list)
    tickets: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    district_tickets: int = 0
    open_overdue: int = 0


CASE_COLUMNS = ("id", "kind", "intent", "bank", "outlet", "district", "channel", "description", "contact_name",
                "contact_phone", "consent_to_contact", "citizen_ref", "received_at", "verification", "verified_at",
                "verified_by")
TICKET_COLUMNS = ("id", "kind", "bank", "outlet", "due_date", "due_provisional", "number", "case_id", "parent_id",
                  "state", "created_at", "acknowledged_at", "extension_requested_until", "process_report",
                  "result_report", "result_reported_at", "escalated_at", "closed_at")
EVENT_COLUMNS = ("id", "ticket_id", "at", "type", "actor", "detail")


def build_ledger(count: int, *, now: datetime, months: int, knowledge: Knowledge, calendar: WorkdayCalendar,
                 escalated_share: float, seed: int = 2026) -> _Ledger:
    """`count` tickets (transfer, and supervision for the escalated ones) with their cases and events."""
    rng = random.Random(seed)
    banks = [(b.name, [(o.name, o.district) for o in b.outlets.items]) for b in knowledge.banks]
    districts = [d.name for d in knowledge.districts]
    intents = [i.name for i in knowledge.intents_in("complaint")]
    weights = [INTENT_WEIGHTS.get(name, 2) for name in intents]
    channels = [c.code for c in knowledge.channels]
    due = knowledge.rules.ticket_due
    today = now.astimezone(SHANGHAI).date()
    start = now - timedelta(days=months * 365 // 12)
    span = (now - start).total_seconds()
    n_cases = round(count / (1 + escalated_share))
    moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n_cases))
    due_cache: dict[tuple[date, int], tuple[date, bool]] = {}

    def due_after(day: date, days: int) -> tuple[date, bool]:
        key = (day, days)
        if key not in due_cache:
            d = calendar.add_working_days(day, days)
            due_cache[key] = (d.due, d.provisional)
        return due_cache[key]

    sequence: dict[tuple[str, date], int] = defaultdict(int)

    def number(prefix: str, at: datetime) -> str:
        day = at.astimezone(SHANGHAI).date()
        sequence[(prefix, day)] += 1
        return f"{prefix}-{day:%Y%m%d}-{sequence[(prefix, day)]:04d}"

    ledger = _Ledger()
    ticket_id = event_id = 0
    supervision: list[tuple[int, int, str, str | None, str | None, datetime, bool]] = []

    def event(tid: int, at: datetime, type_: str, actor: str, **detail: Any) -> None:
        nonlocal event_id
        event_id += 1
        ledger.events.append((event_id, tid, at, type_, actor, detail))

    for case_id, received in enumerate(moments, start=1):
        bank, outlets = banks[rng.randrange(len(banks))]
        if outlets and rng.random() < 0.9:
            outlet, district = outlets[rng.randrange(len(outlets))]
        else:
            outlet, district = None, districts[rng.randrange(len(districts))]
        kind, intent = ("praise", "praise") if rng.random() < 0.1 else ("complaint", rng.choices(intents, weights)[0])
        created_day = received.astimezone(SHANGHAI).date()
        due_date, provisional = due_after(created_day, due.transfer.working_days)
        past = due_date < today
        late_share = LATE_RECENT_SHARE if (today - due_date).days <= LATE_RECENT_DAYS else LATE_OLD_SHARE
        late = past and rng.random() < late_share
        escalate = past and not late and rng.random() < escalated_share
        verification, verified_at = "received", None
        state, acknowledged, reported_at, closed_at, escalated_at = "created", None, None, None, None
        if past and not late:
            acknowledged = received + timedelta(hours=rng.uniform(1, 30))
            reported_at = acknowledged + timedelta(hours=rng.uniform(2, 72))
            if escalate:  # answered only after the supervision ticket came
                reported_at = datetime.combine(due_date + timedelta(days=1), datetime.min.time(), SHANGHAI) \
                    + timedelta(hours=rng.uniform(4, 48))
            reported_at = min(reported_at, now - timedelta(minutes=5))
            state = "result_reported"
            if rng.random() < 0.7:
                verified_at = reported_at + timedelta(days=rng.uniform(1, 5))
                if verified_at < now:
                    verification = "found_true" if rng.random() < 0.6 else "not_true"
                    state = "verified" if rng.random() < 0.5 else "closed"
                    closed_at = verified_at if state == "closed" else None
                else:
                    verified_at = None
        elif late:
            state = "acknowledged" if rng.random() < 0.6 else "delivered"
        else:
            state = rng.choices(("created", "delivered", "acknowledged", "extended", "result_reported"),
                                (10, 20, 50, 5, 15))[0]
            if state in ("acknowledged", "extended", "result_reported"):
                acknowledged = received + timedelta(hours=1)
            if state == "result_reported":
                reported_at = min(now - timedelta(minutes=5), received + timedelta(hours=rng.uniform(2, 48)))
        extended_until = None
        if state == "extended":
            extended_until = due_date + timedelta(days=7)
        channel = channels[rng.randrange(len(channels))]
        # Only a Telegram citizen has a reference to write back to; the others are called back by phone.
        ledger.cases.append((case_id, kind, intent, bank, outlet, district, channel, DESCRIPTION, "张先生",
                             "13812345678", rng.random() < 0.4, f"telegram:{case_id}" if channel == "telegram" else None,
                             received, verification, verified_at, "bench" if verified_at else None))
        ticket_id += 1
        tid = ticket_id
        if late or escalate:
            escalated_at = datetime.combine(due_date + timedelta(days=1), datetime.min.time(), SHANGHAI) \
                + timedelta(hours=1)
            if escalated_at < now:
                supervision.append((tid, case_id, bank, outlet, district, escalated_at.astimezone(UTC), late))
            else:
                escalated_at = None
        ledger.tickets.append((tid, "transfer", bank, outlet, extended_until or due_date, provisional,
                               number("ZB", received), case_id, None, state, received, acknowledged, extended_until,
                               "已调查" if reported_at else None, "已处理" if reported_at else None, reported_at,
                               escalated_at.astimezone(UTC) if escalated_at else None, closed_at))
        event(tid, received, "created", "system", due=due_date.isoformat(), provisional=provisional)
        if reported_at:
            event(tid, reported_at, "reported", bank, final=True)
        if verified_at and verification != "received":
            event(tid, verified_at, "verified", "bench", found_true=verification == "found_true")
        if district == DISTRICT:
            ledger.district_tickets += 1
        if late:
            ledger.open_overdue += 1

    for parent, case_id, bank, outlet, district, at, still_open in supervision:
        ticket_id += 1
        sup_due, provisional = due_after(at.astimezone(SHANGHAI).date(), due.supervision.working_days)
        open_late = still_open and sup_due < today
        reported = None if still_open else at + timedelta(hours=rng.uniform(4, 48))
        ledger.tickets.append((ticket_id, "supervision", bank, outlet, sup_due, provisional, number("DB", at), case_id,
                               parent, "acknowledged" if still_open else "result_reported", at, at + timedelta(hours=2),
                               None, "已调查" if reported else None, "已整改" if reported else None, reported, None,
                               None))
        event(ticket_id, at, "created", "system", due=sup_due.isoformat(), provisional=provisional)
        if reported:
            event(ticket_id, reported, "reported", bank, final=True)
        event(parent, at, "escalated", "system", supervision_ticket=ledger.tickets[-1][6])
        if district == DISTRICT:
            ledger.district_tickets += 1
        if open_late:
            ledger.open_overdue += 1
    return ledger


def _reset_sequences(engine: Engine) -> None:
    """PostgreSQL: ids were given explicitly; the serial sequences continue after them. Then ANALYZE."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in ("ledger_case", "ticket", "ticket_event", *YEAR_TABLES):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                              f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        conn.execute(text("ANALYZE"))


def record_firings(engine: Engine, *, now: datetime, months: int, knowledge: Knowledge) -> int:
    """The firings the ledger's own `evaluate` records, evaluated at the end of every month."""
    from sqlmodel import func, select

    from bot.thresholds import evaluate
    from bot.thresholds.models import ThresholdFiring

    local = now.astimezone(SHANGHAI)
    instants = []
    year, month = local.year, local.month
    for _ in range(months + 1):
        following = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=SHANGHAI)
        instants.append(min(now, following - timedelta(minutes=1)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    with Session(engine) as session:
        for at in reversed(instants):
            for bank in knowledge.banks:
                # A running ledger records a firing when the case that reaches the threshold comes in,
                # not all at once: each is dated at the instant it was evaluated for.
                for firing in evaluate(session, bank=bank.name, at=at, now=at, knowledge=knowledge):
                    firing.fired_at = at
                    session.add(firing)
            session.flush()
        session.commit()
        return int(session.exec(select(func.count()).select_from(ThresholdFiring)).one())


def seed(engine: Engine, *, sizes: Sizes, now: datetime, knowledge: Knowledge, calendar: WorkdayCalendar,
         database: str, progress: Callable[[str], None]) -> SeedFigures:
    progress(f"{database}: generating {sizes.tickets:,} tickets")
    ledger = build_ledger(sizes.tickets, now=now, months=sizes.months, knowledge=knowledge, calendar=calendar,
                          escalated_share=sizes.escalated_share)
    started = time.perf_counter()
    bulk_insert(engine, "ledger_case", CASE_COLUMNS, ledger.cases)
    bulk_insert(engine, "ticket", TICKET_COLUMNS, ledger.tickets)
    bulk_insert(engine, "ticket_event", EVENT_COLUMNS, ledger.events)
    _reset_sequences(engine)
    inserted = time.perf_counter() - started
    progress(f"{database}: inserted {len(ledger.cases):,} cases, {len(ledger.tickets):,} tickets, "
             f"{len(ledger.events):,} events in {inserted:.1f} s; recording threshold firings")
    started = time.perf_counter()
    firings = record_firings(engine, now=now, months=sizes.months, knowledge=knowledge)
    firing_seconds = time.perf_counter() - started
    progress(f"{database}: {firings:,} firings in {firing_seconds:.1f} s; one year of inspections, self-inspection "
             "summaries, callbacks and investigation reports")
    year = build_year(ledger.cases, ledger.tickets, now=now, knowledge=knowledge, calendar=calendar)
    started = time.perf_counter()
    bulk_insert(engine, "outlet_inspection", INSPECTION_COLUMNS, year.inspections)
    bulk_insert(engine, "self_inspection", SUBMISSION_COLUMNS, year.submissions)
    bulk_insert(engine, "satisfaction_callback", CALLBACK_COLUMNS, year.callbacks)
    bulk_insert(engine, "investigation_report", REPORT_COLUMNS, year.reports)
    _reset_sequences(engine)
    return SeedFigures(database=database, cases=len(ledger.cases), tickets=len(ledger.tickets),
                       events=len(ledger.events), firings=firings, open_overdue=ledger.open_overdue,
                       district_tickets=ledger.district_tickets, insert_seconds=inserted,
                       firing_seconds=firing_seconds, inspections=len(year.inspections),
                       submissions=len(year.submissions), callbacks=len(year.callbacks), reports=len(year.reports),
                       year_seconds=time.perf_counter() - started)


def add_accounts(engine: Engine, knowledge: Knowledge, *, now: datetime) -> None:
    from bot.web.console.users import create_user

    with Session(engine) as session:
        for name, role, district in ACCOUNTS.values():
            create_user(session, name=name, role=role, password=PASSWORD, now=now, district=district,
                        knowledge=knowledge)
        session.commit()


# --------------------------------------------------------------------------- pages


def sample_numbers(engine: Engine, *, district: str | None, count: int, seed: int = 7) -> list[str]:
    """Ticket numbers to open (of `district` if given), spread over the ledger."""
    query = "SELECT t.number FROM ticket t JOIN ledger_case c ON c.id = t.case_id"
    params: dict[str, Any] = {}
    if district is not None:
        query += " WHERE c.district = :district"
        params["district"] = district
    with engine.connect() as conn:
        numbers = [row[0] for row in conn.execute(text(query + " ORDER BY t.id"), params)]
    rng = random.Random(seed)
    return rng.sample(numbers, min(count, len(numbers)))


def pages_for(app: Any, role: str, *, numbers: list[str], now: datetime, banks: list[str]) -> list[tuple[str, str]]:
    """(name, path) of every page `role` may open that the application serves."""
    from fastapi.routing import iter_route_contexts

    served = {r.path for r in iter_route_contexts(app.routes) if "GET" in (r.methods or ())}
    local = now.astimezone(SHANGHAI)
    month, year = f"{local:%Y-%m}", f"{local:%Y}"
    supervision = [
        ("监管 · 预警", "/console/supervision"),
        ("监管 · 工单（默认）", "/console/supervision/tickets"),
        ("监管 · 工单 按银行", f"/console/supervision/tickets?bank={banks[0]}"),
        ("监管 · 工单 逾期 按到期日", "/console/supervision/tickets?overdue=1&sort=due"),
        ("监管 · 工单 2个工作日内到期", "/console/supervision/tickets?due_within=2&sort=due"),
        ("监管 · 工单 银行+状态+网点", f"/console/supervision/tickets?bank={banks[1]}&state=closed&outlet=支行"),
        ("监管 · 工单 工单号片段", f"/console/supervision/tickets?number={numbers[0][3:11]}"),
        ("监管 · 工单 第40页", "/console/supervision/tickets?page=40"),
        ("监管 · 工单详情", "/console/supervision/tickets/{number}"),
        ("监管 · 规则触发（本月）", "/console/supervision/rules"),
        ("监管 · 规则触发（本年）", f"/console/supervision/rules?period={year}"),
        ("监管 · 统计图表（本月）", f"/console/supervision/figures?period={month}"),
        ("监管 · 统计图表（本年）", f"/console/supervision/figures?period={year}"),
        ("监管 · 年度考评", f"/console/supervision/grades?year={year}"),
        ("监管 · 现场督导", "/console/supervision/inspections"),
        ("监管 · 调查报告书（待审核）", "/console/supervision/investigations"),
        ("监管 · 满意度（本年）", f"/console/supervision/satisfaction?period={year}"),
        ("监管 · 三率（本月）", f"/console/supervision/board?period={month}"),
        ("监管 · 三率 工单（本月）", f"/console/supervision/board/tickets?period={month}&measure=completion"),
        ("监管 · 合作银行年度考评", f"/console/supervision/assessment/{year}/{banks[0]}"),
        ("监管 · 导出 XLSX（本月）", f"/console/supervision/figures/export.xlsx?period={month}"),
    ]
    others = [
        ("首页", "/console/", "/console/"),
        ("来电助手", "/console/assist", "/console/assist"),
        ("一次性告知单", "/console/notices", "/console/notices"),
        ("转人工队列", "/console/handoff", "/console/handoff"),
        ("回访", "/console/callbacks", "/console/callbacks"),
        ("自查总结", "/console/self-inspections", "/console/self-inspections"),
        ("用户管理", "/console/users", "/console/users"),
    ]
    from bot.web.console.access import may_open
    from bot.web.console.models import Role

    allowed = Role(ACCOUNTS[role][1])
    out = [(name, path) for name, path, route in others if route in served and may_open(allowed, route)]
    if "/console/supervision/tickets" in served and may_open(allowed, "/console/supervision"):
        # The city's pages (the workbook, a bank's assessment) are refused to district supervisors.
        out += [(name, path) for name, path in supervision if may_open(allowed, path.split("?")[0])]
    return out


async def _sign_in(client: Any, name: str) -> None:
    page = await client.get("/console/login")
    token = _CSRF.search(page.text)
    if token is None:
        raise RuntimeError("the sign-in page has no csrf_token field")
    done = await client.post("/console/login", data={"name": name, "password": PASSWORD,
                                                     "csrf_token": token.group(1)})
    if done.status_code != 303:
        raise RuntimeError(f"signing in as {name} failed: {done.status_code}")


async def _time_pages(app: Any, *, database: str, role: str, pages: list[tuple[str, str]], numbers: list[str],
                      sizes: Sizes, progress: Callable[[str], None]) -> list[PageTiming]:
    import httpx

    out = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://console.bench",
                                 headers={"accept": "text/html"}, timeout=120) as client:
        await _sign_in(client, ACCOUNTS[role][0])
        for name, path in pages:
            timing = PageTiming(database=database, role=role, name=name, path=path, status=0)
            started = time.perf_counter()
            for i in range(sizes.repeats + 1):
                target = path.replace("{number}", numbers[i % len(numbers)])
                t0 = time.perf_counter()
                response = await client.get(target)
                elapsed = (time.perf_counter() - t0) * 1000
                timing.status = response.status_code
                if response.status_code >= 400:
                    raise RuntimeError(f"{role} {target}: HTTP {response.status_code}")
                if i == 0:
                    timing.first_ms = elapsed
                else:
                    timing.times_ms.append(elapsed)
                if time.perf_counter() - started > sizes.time_limit and len(timing.times_ms) >= 3:
                    break
            out.append(timing)
            progress(f"{database} {role:<20} {name:<24} p50 {timing.p50:7.1f} ms  p95 {timing.p95:7.1f} ms")
    return out


def bench_pages(engine: Engine, *, sizes: Sizes, now: datetime, knowledge: Knowledge, calendar: WorkdayCalendar,
                database: str, progress: Callable[[str], None]) -> list[PageTiming]:
    from bot.clock import FixedClock
    from bot.web.app import create_app

    app = create_app(engine=engine, calendar=calendar, knowledge=knowledge, clock=FixedClock(now))
    banks = [b.name for b in knowledge.banks]
    city_numbers = sample_numbers(engine, district=None, count=max(5, sizes.repeats))
    district_numbers = sample_numbers(engine, district=DISTRICT, count=max(5, sizes.repeats))
    out: list[PageTiming] = []
    for role in ACCOUNTS:
        numbers = district_numbers if role == "district_supervisor" else city_numbers
        pages = pages_for(app, role, numbers=numbers, now=now, banks=banks)
        out += asyncio.run(_time_pages(app, database=database, role=role, pages=pages, numbers=numbers, sizes=sizes,
                                       progress=progress))
    return out


# --------------------------------------------------------------------------- the run


def run(sizes: Sizes, *, knowledge: Knowledge, calendar: WorkdayCalendar, postgres_url: str | None,
        progress: Callable[[str], None] = lambda _: None, now: datetime | None = None) -> Report:
    import os
    import sqlite3

    from benchmarks import backoffice as ledger_bench

    now = now or datetime.now(UTC).replace(microsecond=0)
    report = Report(sizes=sizes, now=now, sqlite_version=sqlite3.sqlite_version)
    report.load = (os.getloadavg()[0], float("nan"))
    report.migrations = _heads()
    started = time.perf_counter()
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sbk-bench-console-")))
        targets: list[tuple[str, Engine]] = [
            ("SQLite", stack.enter_context(ledger_bench.sqlite_database(directory, "console")))]
        if postgres_url:
            try:
                report.postgres_version = ledger_bench.postgres_version(postgres_url)
            except Exception as exc:  # noqa: BLE001 - reported in the output, SQLite is still measured
                report.postgres_skipped = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
                progress(f"PostgreSQL skipped: {report.postgres_skipped}")
            else:
                schema = ledger_bench.schema_name()
                targets.append(("PostgreSQL", stack.enter_context(ledger_bench.postgres_database(postgres_url,
                                                                                                  schema))))
        for database, engine in targets:
            report.seeds.append(seed(engine, sizes=sizes, now=now, knowledge=knowledge, calendar=calendar,
                                     database=database, progress=progress))
            add_accounts(engine, knowledge, now=now)
            report.pages += bench_pages(engine, sizes=sizes, now=now, knowledge=knowledge, calendar=calendar,
                                        database=database, progress=progress)
    report.seconds = time.perf_counter() - started
    report.load = (report.load[0], os.getloadavg()[0])
    return report


def _heads() -> list[str]:
    """The migration heads the measured schema was built from (indexes change the figures)."""
    from alembic.script import ScriptDirectory

    from bot.db.migrate import alembic_config

    return sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


# --------------------------------------------------------------------------- output


def render_markdown(report: Report) -> str:
    """The "console" section of BENCHMARKS.md."""

    sizes = report.sizes
    databases = databases_line(sqlite_version=report.sqlite_version, postgres_version=report.postgres_version,
                               postgres_skipped=report.postgres_skipped)
    local = report.now.astimezone(SHANGHAI)
    lines = [
        f"## Console pages (`sbk bench console{' --quick' if sizes.label == 'quick' else ''}`)",
        "",
        (f"Machine: {describe_machine()}. Measured {time.strftime('%Y-%m-%d %H:%M %Z')} ({sizes.label} run, "
         f"{report.seconds:.0f} s in all; 1-minute load average {report.load[0]:.1f} before, {report.load[1]:.1f} "
         f"after). Databases: {databases}. Schema: migrations up to {', '.join(report.migrations)}."),
        "",
        (f"Ledger: {sizes.tickets:,} tickets over the {sizes.months} months before {local:%Y-%m-%d} (the clock of the "
         "run): cases of every bank, outlet, district, channel and complaint type; tickets reported, verified or "
         f"closed by age; {LATE_RECENT_SHARE:.0%} of those due in the last {LATE_RECENT_DAYS} days and "
         f"{LATE_OLD_SHARE:.1%} of older ones left open past their due date and escalated, "
         f"{sizes.escalated_share:.0%} more escalated and answered on the supervision ticket; complaint types "
         "weighted (attitude, refusal and delays common, forced selling and privacy 2 % each); their history "
         "events; the threshold firings `evaluate` records at the end of every month, dated then. Bulk-inserted "
         "with executemany (SQLite) or COPY then ANALYZE (PostgreSQL)."),
        "",
        "| database | cases | tickets | events | firings | open past due | tickets of 李沧区 | bulk insert | firings recorded in |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in report.seeds:
        lines.append(f"| {f.database} | {f.cases:,} | {f.tickets:,} | {f.events:,} | {f.firings:,} | "
                     f"{f.open_overdue:,} | {f.district_tickets:,} | {f.insert_seconds:.1f} s | "
                     f"{f.firing_seconds:.1f} s |")
    lines += [
        "",
        ("One year of supervision records before the clock of the run (benchmarks/supervision_year.py): every "
         "district's on-site inspections, 3 or 4 of its outlets a week on working days (a week in twenty one too "
         "few, some recorded late, one finding in twelve 不符合); every bank's monthly, quarterly, half-year and "
         "yearly self-inspection summaries due in the year (256 KB each, 1 in 12 late, 1 in 10 sent twice); a "
         "satisfaction callback for each complaint verified in the year whose citizen agreed to be contacted "
         "(Telegram or phone; most answered, the last days' open); an investigation report for each complaint "
         "verified in the year (most approved, the last days' awaiting review)."),
        "",
        "| database | inspections | self-inspection summaries | callbacks | investigation reports | bulk insert |",
        "|---|---|---|---|---|---|",
    ]
    for f in report.seeds:
        lines.append(f"| {f.database} | {f.inspections:,} | {f.submissions:,} | {f.callbacks:,} | {f.reports:,} | "
                     f"{f.year_seconds:.1f} s |")
    lines += [
        "",
        (f"Each page requested through the application (httpx ASGITransport: routing, sign-in session, role check, "
         f"queries, template, security headers; no network), signed in through the sign-in form, {sizes.repeats} "
         "times after one warm-up request (at most "
         f"{sizes.time_limit:.0f} s per page). Ticket pages open a different ticket each time (of 李沧区 for the "
         "district supervisor). Goal: under 1,000 ms (issue 5)."),
        "",
    ]
    databases_seen = [f.database for f in report.seeds]
    roles = list(dict.fromkeys(p.role for p in report.pages))
    names = list(dict.fromkeys(p.name for p in report.pages))
    by_key = {(p.database, p.role, p.name): p for p in report.pages}
    header = ["page"] + [f"{d} {ROLE_LABELS[r]}" for d in databases_seen for r in roles]
    lines += ["p50 / p95 in ms (— : the role may not open the page).", "",
              "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in names:
        cells = [name]
        for d in databases_seen:
            for r in roles:
                p = by_key.get((d, r, name))
                cells.append(f"{p.p50:.0f} / {p.p95:.0f}" if p and p.times_ms else "—")
        lines.append("| " + " | ".join(cells) + " |")
    slow = [p for p in report.pages if p.times_ms and p.p95 >= GOAL_MS]
    lines.append("")
    if slow:
        lines.append("Over the goal (p95 ≥ 1,000 ms): " + "; ".join(
            f"{p.database} {ROLE_LABELS[p.role]} {p.name} {p.p95:.0f} ms" for p in slow) + ".")
    else:
        worst = max((p for p in report.pages if p.times_ms), key=lambda p: p.p95, default=None)
        if worst is not None:
            lines.append(f"Every page is under the goal; the slowest p95 is {worst.p95:.0f} ms ({worst.database}, "
                         f"{ROLE_LABELS[worst.role]}, {worst.name}).")
    first = max((p for p in report.pages), key=lambda p: p.first_ms, default=None)
    if first is not None:
        lines.append(f"Slowest first request of a page: {first.first_ms:.0f} ms ({first.database}, {first.name}).")
    return "\n".join(lines) + "\n"


def write_section(report: Report, path: Path | None = None) -> str:
    """Render the report, replace the "console" section of BENCHMARKS.md, and return the text."""
    from bot.settings import PROJECT_ROOT

    body = render_markdown(report)
    update_benchmarks_file(path or PROJECT_ROOT / "BENCHMARKS.md", SECTION, body)
    return body
