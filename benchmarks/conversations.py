"""Conversation benchmark: end-to-end reply latency through Rasa's REST channel.

`sbk bench conversations` starts the real Rasa server (.venv-rasa, models/assistant.tar.gz) and the
real action server (this environment, a temporary migrated SQLite database, which also holds Rasa's
tracker store as in production) on free loopback ports, then runs 1, 10 and 50 concurrent
conversations with an httpx.AsyncClient. Every conversation is one citizen (its own sender id)
sending a realistic sequence — a greeting, inquiries, a progress question with a date, thanks —
and every message's latency is the time from sending POST /webhooks/rest/webhook to having the
whole reply. No complaint is submitted, so the ledger does not grow.

Reported per concurrency level: p50/p95/p99 ms, messages/s, errors; and the resident memory
(VmRSS, VmHWM from /proc/<pid>/status) of the Rasa server, the action server and this process.
Counts and time are bounded; both servers are stopped on every exit path.

`sbk bench conversations --cluster` is the A/B of `make run-cluster` (docs/deployment.md): one Rasa server
against two behind HAProxy, at 10 and 50 concurrent conversations, in one run on the same processes — two
Rasa servers sharing their trackers in a private PostgreSQL schema and their locks in Redis, one action
server, and two balancers with the generated Rasa pool (bot/cluster.py), one with the first server alone
behind it and one with both. Besides the latencies it reports the CPU the Rasa servers used per message
and how many of the machine's cores were busy, which says what a second server can add on this machine.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.machine import describe_machine
from benchmarks.ports import free_port
from benchmarks.report import update_benchmarks_file
from benchmarks.stats import percentile
from bot.settings import PROJECT_ROOT

SECTION = "conversations"
GOAL_P95_MS = 300.0
GOAL_CONCURRENCY = 10
REST_PATH = "/webhooks/rest/webhook"
RASA = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_SERVER = (str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python"), "-m", "nlu_runtime.server")  # as in the Procfile
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"
RASA_ENV = {"PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONWARNINGS": "ignore"}

# One citizen's conversation: greeting, inquiries, a progress question with its date, thanks.
# (No complaint, praise or one-time notice: nothing is recorded in the ledger.)
SCRIPT: tuple[str, ...] = (
    "你好",
    "社保卡丢了怎么办",
    "补卡要带什么材料",
    "社保卡要收费吗",
    "2026.11.23申请的社保卡多久能拿到",
    "谢谢",
    "再见",
)


@dataclass(frozen=True)
class Sizes:
    """How much work one run does: conversations per concurrency level, each level bounded in time."""

    label: str
    levels: tuple[tuple[int, int], ...]  # (concurrent conversations, conversations in all)
    level_seconds: float
    warmup_conversations: int = 2


FULL = Sizes("full", levels=((1, 20), (10, 100), (50, 250)), level_seconds=75.0)
QUICK = Sizes("quick", levels=((1, 2), (10, 10), (50, 50)), level_seconds=25.0)


# --------------------------------------------------------------------------- figures


@dataclass
class LevelFigures:
    concurrency: int
    conversations: int  # conversations finished (every message sent)
    messages: int  # messages answered with 200
    errors: int  # messages that failed (status or transport error)
    seconds: float
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    empty_replies: int = 0  # 200 with no message at all
    stopped_early: bool = False  # the level's time budget ran out before every conversation started
    error_kinds: Counter[str] = field(default_factory=Counter, repr=False)  # "HTTP 500", "ReadTimeout" …

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds > 0 else float("nan")

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)


@dataclass
class Memory:
    name: str
    pid: int
    rss_mb: float
    hwm_mb: float
    processes: int = 1  # the process and its descendants


@dataclass
class Report:
    sizes: Sizes
    levels: list[LevelFigures] = field(default_factory=list)
    idle_memory: list[Memory] = field(default_factory=list)
    memory: list[Memory] = field(default_factory=list)
    startup_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    load: tuple[float, float] = (float("nan"), float("nan"))

    def goal_level(self) -> LevelFigures | None:
        return next((lv for lv in self.levels if lv.concurrency == GOAL_CONCURRENCY), None)


# --------------------------------------------------------------------------- memory


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
        for child in children:
            found.append(child)
            found.extend(_descendants(child))
    return found


def memory_of(name: str, pid: int, *, children: bool = True) -> Memory:
    """VmRSS and VmHWM of `pid`, plus those of its descendants if `children` (summed: a server's workers
    are separate processes; pages they share are counted in each)."""
    pids = [pid, *(_descendants(pid) if children else [])]
    return Memory(name=name, pid=pid, rss_mb=sum(_status_kb(p, "VmRSS") for p in pids) / 1024,
                  hwm_mb=sum(_status_kb(p, "VmHWM") for p in pids) / 1024, processes=len(pids))


# --------------------------------------------------------------------------- measuring


async def _converse(client: httpx.AsyncClient, url: str, script: Sequence[str], figures: LevelFigures) -> None:
    sender = f"bench:{uuid.uuid4().hex[:12]}"
    for text in script:
        started = time.perf_counter()
        try:
            # With a message id, as the product's channels send every message (bot/channels/rasa.py).
            response = await client.post(url, json={"sender": sender, "message": text,
                                                    "metadata": {"message_id": uuid.uuid4().hex}})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                figures.errors += 1
                figures.error_kinds[f"HTTP {response.status_code}"] += 1
                continue
            replies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            figures.errors += 1
            figures.error_kinds[type(exc).__name__] += 1
            continue
        figures.messages += 1
        figures.latencies_ms.append(elapsed)
        if not replies:
            figures.empty_replies += 1
    figures.conversations += 1


async def measure_level(base_url: str, *, concurrency: int, conversations: int, script: Sequence[str] = SCRIPT,
                        time_limit: float = 60.0, timeout: float = 30.0) -> LevelFigures:
    """`conversations` conversations, `concurrency` at a time, each a new sender id running `script`.

    No new conversation starts once `time_limit` seconds have passed (those running finish)."""
    figures = LevelFigures(concurrency=concurrency, conversations=0, messages=0, errors=0, seconds=0.0)
    url = base_url.rstrip("/") + REST_PATH
    remaining = conversations
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False) as client:
        started = time.perf_counter()
        deadline = started + time_limit

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                if time.perf_counter() >= deadline:
                    figures.stopped_early = True
                    return
                remaining -= 1
                await _converse(client, url, script, figures)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        figures.seconds = time.perf_counter() - started
    return figures


# --------------------------------------------------------------------------- the servers


def _wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def _started(command: list[str], *, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        _stop(process)


@dataclass
class Servers:
    rasa_url: str
    rasa: subprocess.Popen
    actions: subprocess.Popen
    startup_seconds: dict[str, float]


@contextmanager
def servers(work: Path, *, model: Path = MODEL, progress: Callable[[str], None] = lambda _: None) -> Iterator[Servers]:
    """The action server and the Rasa server on free loopback ports, stopped afterwards whatever happened."""
    from bot.db import upgrade

    if not model.is_file():
        raise RuntimeError(f"no trained assistant model at {model} (see tests/conversations for how to train it)")
    if not RASA.exists():
        raise RuntimeError(f"the Rasa environment is missing ({RASA}); run `make install`")
    database = work / "sbk.db"
    upgrade(f"sqlite:///{database}")
    actions_port, rasa_port = free_port(), free_port()
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        "tracker_store:\n  type: nlu_runtime.tracker_store.ProductTrackerStore\n", encoding="utf-8")
    startup: dict[str, float] = {}
    with ExitStack() as stack:
        progress("starting the action server")
        actions = stack.enter_context(_started(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
            env={**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONWARNINGS": "ignore"},
            log=work / "actions.log"))
        progress("starting the Rasa server (loading the model takes a while)")
        rasa = stack.enter_context(_started(
            [*RASA_SERVER, "run", "--enable-api", "-i", "127.0.0.1", "-p", str(rasa_port), "--model", str(model),
             "--credentials", str(PROJECT_ROOT / "credentials.yml"), "--endpoints", str(endpoints)],
            env={**os.environ, **RASA_ENV, "DATABASE_URL": f"sqlite:///{database}"}, log=work / "rasa.log"))
        startup["action server"] = _wait_for(f"http://127.0.0.1:{actions_port}/health", actions,
                                             work / "actions.log", timeout=120)
        startup["Rasa server"] = _wait_for(f"http://127.0.0.1:{rasa_port}/status", rasa, work / "rasa.log",
                                           timeout=300)
        yield Servers(rasa_url=f"http://127.0.0.1:{rasa_port}", rasa=rasa, actions=actions, startup_seconds=startup)


# --------------------------------------------------------------------------- the whole run


def _memory(s: Servers) -> list[Memory]:
    return [memory_of("Rasa server", s.rasa.pid), memory_of("action server", s.actions.pid),
            memory_of("bench process", os.getpid(), children=False)]


def run(sizes: Sizes, *, model: Path = MODEL, progress: Callable[[str], None] = lambda _: None) -> Report:
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    report = Report(sizes=sizes)
    with tempfile.TemporaryDirectory(prefix="sbk-bench-conv-") as tmp, \
            servers(Path(tmp), model=model, progress=progress) as s:
        report.startup_seconds = s.startup_seconds
        report.idle_memory = _memory(s)
        progress(f"warming up ({sizes.warmup_conversations} conversations, not in the figures)")
        warm = asyncio.run(measure_level(s.rasa_url, concurrency=1, conversations=sizes.warmup_conversations,
                                         time_limit=sizes.level_seconds))
        if warm.messages == 0:
            raise RuntimeError(f"Rasa answered none of the warm-up messages; see {tmp}/rasa.log")
        for concurrency, conversations in sizes.levels:
            progress(f"{concurrency} concurrent conversation(s), {conversations} in all")
            level = asyncio.run(measure_level(s.rasa_url, concurrency=concurrency, conversations=conversations,
                                              time_limit=sizes.level_seconds))
            report.levels.append(level)
            progress(f"  {level.messages} messages, p50 {level.p50:.0f} ms, p95 {level.p95:.0f} ms, "
                     f"{level.rate:.1f} messages/s, {level.errors} errors")
        report.memory = _memory(s)
    report.seconds = time.perf_counter() - started
    report.load = (load_before, os.getloadavg()[0])
    return report


# --------------------------------------------------------------------------- report


def goal_sentence(report: Report) -> str:
    level = report.goal_level()
    if level is None or not level.latencies_ms:
        return f"Goal (p95 < {GOAL_P95_MS:.0f} ms at {GOAL_CONCURRENCY} concurrent conversations): not measured."
    met = level.p95 < GOAL_P95_MS and level.errors == 0
    verdict = "**met**" if met else "**not met**"
    extra = f", {level.errors} errors" if level.errors else ""
    return (f"Goal (p95 < {GOAL_P95_MS:.0f} ms at {GOAL_CONCURRENCY} concurrent conversations): {verdict} — "
            f"p95 {level.p95:.0f} ms{extra}.")


def render_markdown(report: Report) -> str:
    """The "conversations" section of BENCHMARKS.md."""

    sizes = report.sizes
    startup = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report.startup_seconds.items())
    lines = [
        f"## Conversations (`sbk bench conversations{' --quick' if sizes.label == 'quick' else ''}`)",
        "",
        (f"Machine: {describe_machine()}. Measured {time.strftime('%Y-%m-%d %H:%M %Z')} "
         f"({sizes.label} run, {report.seconds:.0f} s in all; 1-minute load average {report.load[0]:.1f} before, "
         f"{report.load[1]:.1f} after). Ready after: {startup}."),
        "",
        ("The real Rasa server (models/assistant.tar.gz, REST channel, tracker store in a temporary SQLite file "
         "shared with the ledger, as in production) and the real action server, both on 127.0.0.1. Every "
         f"conversation is a new citizen sending {len(SCRIPT)} messages one after the other: "
         + " / ".join(SCRIPT) + ". Latency is from sending POST /webhooks/rest/webhook to having the whole "
         f"reply (httpx.AsyncClient, keep-alive). After {sizes.warmup_conversations} warm-up conversations; a level "
         f"starts no new conversation after {sizes.level_seconds:.0f} s."),
        "",
        "| concurrent conversations | conversations | messages | p50 / p95 / p99 | messages/s | errors | empty replies |",
        "|---|---|---|---|---|---|---|",
    ]
    for lv in report.levels:
        note = " (time budget reached)" if lv.stopped_early else ""
        lines.append(f"| {lv.concurrency} | {lv.conversations}{note} | {lv.messages:,} | {lv.p50:.0f} / {lv.p95:.0f} / "
                     f"{lv.p99:.0f} ms | {lv.rate:.1f} | {lv.errors} | {lv.empty_replies} |")
    lines += ["", goal_sentence(report), "",
              ("Resident memory (from /proc/<pid>/status; a server with worker processes is the sum over them, pages "
               "they share counted in each; the bench process is the load generator alone):"),
              "",
              "| process | idle after start: VmRSS | after the run: VmRSS | peak (VmHWM) |",
              "|---|---|---|---|"]
    idle = {m.name: m for m in report.idle_memory}
    for m in report.memory:
        before = idle.get(m.name)
        count = f" ({m.processes} processes)" if m.processes > 1 else ""
        lines.append(f"| {m.name}{count} | {before.rss_mb:.0f} MB | {m.rss_mb:.0f} MB | {m.hwm_mb:.0f} MB |"
                     if before else f"| {m.name}{count} | — | {m.rss_mb:.0f} MB | {m.hwm_mb:.0f} MB |")
    lines.append("")
    return "\n".join(lines)


def write_section(report: Report, path: Path | None = None) -> str:
    """Render the report, replace the "conversations" section of BENCHMARKS.md, and return the text."""

    body = render_markdown(report)
    update_benchmarks_file(path or PROJECT_ROOT / "BENCHMARKS.md", SECTION, body)
    return body


# --------------------------------------------------------------------------- one server against two (A/B)

CLUSTER_SECTION = "conversations-cluster"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
HAPROXY = "/usr/sbin/haproxy"
CLUSTER_FULL = Sizes("full", levels=((10, 100), (50, 250)), level_seconds=75.0)
CLUSTER_QUICK = Sizes("quick", levels=((10, 30), (50, 100)), level_seconds=40.0)
ARMS = (1, 2)  # Rasa servers behind the balancer


def cpu_ticks(pid: int, *, children: bool = True) -> int:
    """User + system CPU of `pid` (and its descendants) so far, in clock ticks (/proc/<pid>/stat)."""
    total = 0
    for one in [pid, *(_descendants(pid) if children else [])]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the file)
        except (OSError, IndexError, ValueError):
            continue
    return total


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


@dataclass
class ArmFigures:
    """One level measured against one arm: how many Rasa servers were behind the balancer."""

    servers: int
    level: LevelFigures
    rasa_cpu_seconds: float = 0.0  # every Rasa server's CPU during the level
    actions_cpu_seconds: float = 0.0
    bench_cpu_seconds: float = 0.0  # the load generator's own
    machine_busy_cores: float = 0.0  # average busy cores of the whole machine during the level

    @property
    def rasa_ms_per_message(self) -> float:
        return 1000 * self.rasa_cpu_seconds / self.level.messages if self.level.messages else float("nan")

    @property
    def stack_ms_per_message(self) -> float:
        """The CPU of the processes this run started, per message: Rasa servers, action server, load generator."""
        cpu = self.rasa_cpu_seconds + self.actions_cpu_seconds + self.bench_cpu_seconds
        return 1000 * cpu / self.level.messages if self.level.messages else float("nan")


@dataclass
class ClusterReport:
    sizes: Sizes
    arms: list[ArmFigures] = field(default_factory=list)
    startup_seconds: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    load: tuple[float, float, float] = (float("nan"), float("nan"), float("nan"))
    load_after: tuple[float, float, float] = (float("nan"), float("nan"), float("nan"))

    def figures(self, concurrency: int, servers: int) -> ArmFigures | None:
        return next((a for a in self.arms if a.level.concurrency == concurrency and a.servers == servers), None)


@dataclass
class ClusterServers:
    balancers: dict[int, str]  # servers behind -> the balancer's URL
    rasa: list[subprocess.Popen]
    actions: subprocess.Popen
    startup_seconds: dict[str, float]


def _haproxy_config(listen: str, servers: Sequence[str], stats: str) -> str:
    """The Rasa pool as `make run-cluster` configures it (bot/cluster.py), with a statistics page."""
    from bot.cluster import Layout, default_layout, haproxy_config

    [pool] = [p for p in default_layout(rasa=servers).pools if p.name == "rasa"]
    pool = dataclasses.replace(pool, listen=listen)
    return (haproxy_config(Layout(pools=(pool,)))
            + f"\nlisten stats\n    bind {stats}\n    stats enable\n    stats uri /stats\n")


def _wait_until_all_up(stats_url: str, servers: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"HAProxy exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            rows = httpx.get(stats_url, timeout=2, trust_env=False).text.splitlines()
            up = [r for r in rows if r.startswith("rasa,rasa") and ",UP," in r]
            if len(up) == servers:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"HAProxy did not see its {servers} Rasa server(s) up within {timeout:.0f} s:\n"
                       f"{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def cluster_servers(work: Path, *, database_url: str, redis_url: str, model: Path = MODEL,
                    progress: Callable[[str], None] = lambda _: None) -> Iterator[ClusterServers]:
    """One action server, two Rasa servers sharing trackers (`database_url`) and locks (`redis_url`), and two
    HAProxy balancers: one with the first Rasa server behind it, one with both. Stopped afterwards."""
    if not model.is_file():
        raise RuntimeError(f"no trained assistant model at {model} (see tests/conversations for how to train it)")
    if not RASA.exists():
        raise RuntimeError(f"the Rasa environment is missing ({RASA}); run `make install`")
    if not Path(HAPROXY).exists():
        raise RuntimeError(f"HAProxy is missing ({HAPROXY}); `make /usr/sbin/haproxy` installs it")
    actions_port, rasa_ports = free_port(), (free_port(), free_port())
    endpoints = work / "endpoints.yml"
    # The product's endpoints.yml (tracker store, lock store) with this run's action server.
    product = (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8")
    endpoints.write_text(product.replace("http://127.0.0.1:5055/webhook", f"http://127.0.0.1:{actions_port}/webhook"),
                         encoding="utf-8")
    # No event broker: the single-server section measures without one too.
    base_env = {k: v for k, v in os.environ.items() if k != "RABBITMQ_URL"}
    env = {**base_env, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    startup: dict[str, float] = {}
    with ExitStack() as stack:
        progress("starting the action server and two Rasa servers (loading the model takes a while)")
        began = time.monotonic()
        actions = stack.enter_context(_started(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
            env={**env, "PYTHONWARNINGS": "ignore"}, log=work / "actions.log"))
        rasa = [stack.enter_context(_started(
            [*RASA_SERVER, "run", "--enable-api", "-i", "127.0.0.1", "-p", str(port), "--model", str(model),
             "--credentials", str(PROJECT_ROOT / "credentials.yml"), "--endpoints", str(endpoints)],
            env={**env, **RASA_ENV}, log=work / f"rasa-{number}.log"))
            for number, port in enumerate(rasa_ports, start=1)]
        startup["action server"] = _wait_for(f"http://127.0.0.1:{actions_port}/health", actions,
                                             work / "actions.log", timeout=120)
        for number, (process, port) in enumerate(zip(rasa, rasa_ports), start=1):
            # Both load their model at the same time: each one's time since the start of all.
            _wait_for(f"http://127.0.0.1:{port}/status", process, work / f"rasa-{number}.log", timeout=300)
            startup[f"Rasa server {number}"] = time.monotonic() - began
        balancers: dict[int, str] = {}
        for servers in ARMS:
            listen, stats = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
            config = work / f"haproxy-{servers}.cfg"
            config.write_text(_haproxy_config(listen, [f"127.0.0.1:{p}" for p in rasa_ports[:servers]], stats))
            log = work / f"haproxy-{servers}.log"
            process = stack.enter_context(_started([HAPROXY, "-db", "-f", str(config)], env=dict(os.environ), log=log))
            _wait_until_all_up(f"http://{stats}/stats;csv", servers, process, log)
            balancers[servers] = f"http://{listen}"
        yield ClusterServers(balancers=balancers, rasa=rasa, actions=actions, startup_seconds=startup)


def measure_arm(s: ClusterServers, *, servers: int, concurrency: int, conversations: int,
                time_limit: float) -> ArmFigures:
    """One level against the balancer with `servers` Rasa servers, with the CPU each process used meanwhile."""
    ticks = os.sysconf("SC_CLK_TCK")
    rasa_before = sum(cpu_ticks(p.pid) for p in s.rasa)
    actions_before, bench_before = cpu_ticks(s.actions.pid), cpu_ticks(os.getpid(), children=False)
    busy_before, total_before = machine_ticks()
    level = asyncio.run(measure_level(s.balancers[servers], concurrency=concurrency, conversations=conversations,
                                      time_limit=time_limit))
    busy_after, total_after = machine_ticks()
    cores = os.cpu_count() or 1
    return ArmFigures(
        servers=servers, level=level,
        rasa_cpu_seconds=(sum(cpu_ticks(p.pid) for p in s.rasa) - rasa_before) / ticks,
        actions_cpu_seconds=(cpu_ticks(s.actions.pid) - actions_before) / ticks,
        bench_cpu_seconds=(cpu_ticks(os.getpid(), children=False) - bench_before) / ticks,
        machine_busy_cores=cores * (busy_after - busy_before) / max(total_after - total_before, 1))


def run_cluster(sizes: Sizes, *, postgres_url: str, redis_url: str = DEFAULT_REDIS_URL, model: Path = MODEL,
                progress: Callable[[str], None] = lambda _: None) -> ClusterReport:
    """The A/B of one Rasa server against two behind HAProxy, in one run on the same servers and database.

    Both arms use the cluster's stack (trackers in PostgreSQL, locks in Redis, HAProxy in front), so the
    second server is the only difference; at each level the two arms run one right after the other."""
    from benchmarks.backoffice import postgres_database, schema_name

    started = time.perf_counter()
    report = ClusterReport(sizes=sizes, load=os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="sbk-bench-cluster-") as tmp, \
            postgres_database(postgres_url, schema_name()) as engine:
        database_url = engine.url.render_as_string(hide_password=False)
        with cluster_servers(Path(tmp), database_url=database_url, redis_url=redis_url, model=model,
                             progress=progress) as s:
            report.startup_seconds = s.startup_seconds
            progress(f"warming up both servers ({2 * sizes.warmup_conversations} conversations, not in the figures)")
            warm = asyncio.run(measure_level(s.balancers[2], concurrency=2, conversations=2 * sizes.warmup_conversations,
                                             time_limit=sizes.level_seconds))
            if warm.messages == 0:
                raise RuntimeError(f"Rasa answered none of the warm-up messages; see {tmp}/rasa-1.log")
            for concurrency, conversations in sizes.levels:
                for servers in ARMS:
                    progress(f"{concurrency} concurrent conversations, {conversations} in all, "
                             f"{servers} Rasa server(s)")
                    arm = measure_arm(s, servers=servers, concurrency=concurrency, conversations=conversations,
                                      time_limit=sizes.level_seconds)
                    report.arms.append(arm)
                    lv = arm.level
                    progress(f"  {lv.messages} messages, p50 {lv.p50:.0f} ms, p95 {lv.p95:.0f} ms, "
                             f"{lv.rate:.1f} messages/s, {lv.errors} errors, {arm.machine_busy_cores:.2f} cores busy")
    report.seconds = time.perf_counter() - started
    report.load_after = os.getloadavg()
    return report


def _errors(level: LevelFigures) -> str:
    if not level.errors:
        return "0"
    return f"{level.errors} (" + ", ".join(f"{n} {kind}" for kind, n in level.error_kinds.most_common()) + ")"


def render_cluster_markdown(report: ClusterReport) -> str:
    """The "conversations-cluster" section of BENCHMARKS.md."""
    sizes = report.sizes
    startup = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report.startup_seconds.items())
    cores = os.cpu_count() or 1
    load = " ".join(f"{v:.2f}" for v in report.load)
    lines = [
        f"## Conversations: one Rasa server against two behind HAProxy "
        f"(`sbk bench conversations --cluster{' --quick' if sizes.label == 'quick' else ''}`)",
        "",
        (f"Machine: {describe_machine()}. Measured {time.strftime('%Y-%m-%d %H:%M %Z')} ({sizes.label} run, "
         f"{report.seconds:.0f} s in all). Load before (`/proc/loadavg`, 1, 5 and 15 minutes): {load}; "
         f"1-minute load after: {report.load_after[0]:.2f}. Ready after: {startup}."),
        "",
        ("The stack of `make run-cluster` (docs/deployment.md), on 127.0.0.1: two Rasa servers "
         "(models/assistant.tar.gz), the trackers in one PostgreSQL schema (the product's tracker store), the "
         "conversation locks in Redis, one action server, and HAProxy with the generated Rasa pool "
         "(bot/cluster.py). Arm A is a balancer with the first server alone behind it, arm B one with both; "
         "everything else is the same processes and database, and at each level B runs right after A. The "
         f"conversations are those of the section above ({len(SCRIPT)} messages each, a new citizen each, "
         f"httpx.AsyncClient through the balancer); after {2 * sizes.warmup_conversations} warm-up "
         f"conversations over both servers; a level starts no new conversation after {sizes.level_seconds:.0f} s. "
         "CPU from /proc: the Rasa servers' (both), the action server's, and the busy cores of the whole machine "
         f"({cores} cores; the load generator, PostgreSQL, Redis and HAProxy run on them too)."),
        "",
        ("| concurrent conversations | Rasa servers | conversations | messages | p50 / p95 / p99 | messages/s "
         "| errors | CPU per message: Rasa / Rasa + actions + load generator | machine: busy cores |"),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for arm in report.arms:
        lv = arm.level
        note = " (time budget reached)" if lv.stopped_early else ""
        lines.append(f"| {lv.concurrency} | {arm.servers} | {lv.conversations}{note} | {lv.messages:,} | "
                     f"{lv.p50:.0f} / {lv.p95:.0f} / {lv.p99:.0f} ms | {lv.rate:.1f} | {_errors(lv)} | "
                     f"{arm.rasa_ms_per_message:.1f} / {arm.stack_ms_per_message:.1f} ms | "
                     f"{arm.machine_busy_cores:.2f} of {cores} |")
    lines.append("")
    for concurrency in sorted({a.level.concurrency for a in report.arms}):
        one, two = report.figures(concurrency, 1), report.figures(concurrency, 2)
        if one and two and one.level.rate > 0:
            lines.append(f"- {concurrency} concurrent: with one server {one.machine_busy_cores:.2f} of {cores} cores "
                         f"were busy; two servers give {two.level.rate / one.level.rate:.2f}× the messages per second "
                         f"of one, p95 {one.level.p95:.0f} → {two.level.p95:.0f} ms, "
                         f"{two.machine_busy_cores:.2f} cores busy.")
    lines += ["", _what_the_cores_allow(report, cores), ""]
    return "\n".join(lines)


def _what_the_cores_allow(report: ClusterReport, cores: int) -> str:
    measured = [a for a in report.arms if a.level.messages]
    if not measured:
        return "Nothing was measured."
    stack_ms = min(a.stack_ms_per_message for a in measured)
    best = max(a.level.rate for a in measured)
    return (
        f"**What {cores} cores allow.** A Rasa server is one Python process with one event loop: however many "
        "messages it interleaves, it computes on one core at most. A second server can add messages per second "
        "only where the first leaves a core idle, and no more than that idle CPU: both share the same "
        f"{cores} cores with the action server, PostgreSQL, Redis, HAProxy, the load generator and whatever else "
        f"runs (load average {report.load[0]:.1f} before; what one server left idle is {cores} minus its busy "
        "cores above). Two servers on two cores cannot double the throughput, and the tail latency can get worse, two "
        "processes competing for the same cores. The processes of this run alone need at least "
        f"{stack_ms:.0f} ms of CPU per message (PostgreSQL's not counted), so {cores} cores carry at most about "
        f"{cores * 1000 / stack_ms:.0f} messages/s whatever the number of Rasa servers; this run got {best:.1f}, "
        "the rest of the cores going to PostgreSQL and the machine's other work. A second server is for a second "
        "machine (`sbk cluster haproxy-config --rasa HOST:PORT`, docs/deployment.md) and for surviving the death "
        "of one (tests/conversations/test_cluster_faults.py).")


def write_cluster_section(report: ClusterReport, path: Path | None = None) -> str:
    body = render_cluster_markdown(report)
    update_benchmarks_file(path or PROJECT_ROOT / "BENCHMARKS.md", CLUSTER_SECTION, body)
    return body
