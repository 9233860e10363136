"""`sbk bench backoffice|conversations|console [--quick]`: time this machine and update BENCHMARKS.md."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from bot.settings import PROJECT_ROOT

# The benchmark imports the database, ledger and HTTP modules; it is imported by the handler so
# that building the `sbk` parser (every command does it) stays cheap.
DEFAULT_POSTGRES_URL = os.environ.get("SBK_BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")


def register(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser("bench", help="benchmarks of this machine, written to BENCHMARKS.md")
    sub = bench.add_subparsers(dest="bench_command", required=True, parser_class=type(bench))
    backoffice = sub.add_parser(
        "backoffice",
        help="ticket creation, threshold evaluation at 10k/1M ledger rows, delivery to a local bank (~6 min)",
        description="Measures on SQLite (a temporary file) and PostgreSQL (a private schema sbk_bench_<pid>, "
                    "created and dropped), prints the result and replaces the 'backoffice' section of "
                    "BENCHMARKS.md.",
    )
    backoffice.add_argument("--quick", action="store_true",
                            help="fewer tickets and deliveries, 10k and 100k ledger rows (about 1.5 min)")
    backoffice.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                            help="PostgreSQL server and database to create the private schema in "
                                 "(default: $SBK_BENCH_POSTGRES_URL or the local `test` database)")
    backoffice.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    backoffice.add_argument("--output", type=Path, default=PROJECT_ROOT / "BENCHMARKS.md",
                            help="file whose 'backoffice' section is replaced (default: BENCHMARKS.md)")
    backoffice.set_defaults(handler=run_backoffice)
    conversations = sub.add_parser(
        "conversations",
        help="reply latency through Rasa's REST channel at 1, 10 and 50 concurrent conversations (~4 min)",
        description="Starts the real Rasa server and action server on free loopback ports (temporary SQLite "
                    "database), runs concurrent scripted conversations, prints the result and replaces the "
                    "'conversations' section of BENCHMARKS.md.",
    )
    conversations.add_argument("--quick", action="store_true", help="fewer conversations per level (about 2 min)")
    conversations.add_argument("--output", type=Path, default=PROJECT_ROOT / "BENCHMARKS.md",
                               help="file whose 'conversations' section is replaced (default: BENCHMARKS.md)")
    conversations.set_defaults(handler=run_conversations)
    console = sub.add_parser(
        "console",
        help="render time of every console page with 100k tickets, on SQLite and PostgreSQL (~10 min)",
        description="Seeds 100k tickets (SQLite: a temporary file; PostgreSQL: a private schema sbk_bench_<pid>, "
                    "created and dropped), requests every console page through the application as a city "
                    "supervisor, a district supervisor, an operator and an administrator, prints p50/p95 per page "
                    "and replaces the 'console' section of BENCHMARKS.md.",
    )
    console.add_argument("--quick", action="store_true", help="10k tickets, 5 requests per page (about 2 min)")
    console.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                         help="PostgreSQL server and database to create the private schema in "
                              "(default: $SBK_BENCH_POSTGRES_URL or the local `test` database)")
    console.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    console.add_argument("--output", type=Path, default=PROJECT_ROOT / "BENCHMARKS.md",
                         help="file whose 'console' section is replaced (default: BENCHMARKS.md)")
    console.set_defaults(handler=run_console)


def progress(message: str) -> None:
    print(f"sbk bench: {message}", file=sys.stderr, flush=True)


def measure(benchmark: ModuleType, run: Callable[[], object], output: Path) -> int:
    """Run one benchmark, print its section and write it into `output`; nothing is written on failure."""
    # SIGTERM unwinds like Ctrl-C, so servers are stopped and temporary files and schemas removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        report = run()
    except KeyboardInterrupt:
        progress("interrupted; nothing written")
        return 130
    except RuntimeError as exc:
        progress(str(exc))
        return 1
    print(benchmark.write_section(report, output))
    progress(f"wrote section '{benchmark.SECTION}' of {output}")
    return 0


def run_backoffice(args: argparse.Namespace) -> int:
    from bot.knowledge import get_knowledge
    from bot.ledger import benchmark
    from bot.workdays import WorkdayCalendar

    sizes = benchmark.QUICK if args.quick else benchmark.FULL
    return measure(benchmark, lambda: benchmark.run(
        sizes, knowledge=get_knowledge(), calendar=WorkdayCalendar(),
        postgres_url=None if args.no_postgres else args.postgres_url, progress=progress), args.output)


def run_conversations(args: argparse.Namespace) -> int:
    from bot.channels import benchmark

    sizes = benchmark.QUICK if args.quick else benchmark.FULL
    return measure(benchmark, lambda: benchmark.run(sizes, progress=progress), args.output)


def run_console(args: argparse.Namespace) -> int:
    from bot.console import benchmark
    from bot.knowledge import get_knowledge
    from bot.workdays import WorkdayCalendar

    sizes = benchmark.QUICK if args.quick else benchmark.FULL
    return measure(benchmark, lambda: benchmark.run(
        sizes, knowledge=get_knowledge(), calendar=WorkdayCalendar(),
        postgres_url=None if args.no_postgres else args.postgres_url, progress=progress), args.output)
