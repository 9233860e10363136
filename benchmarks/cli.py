"""The tooling's commands: `sbk bench backoffice|conversations|console`, `sbk nlu evaluate|compare|calibrate|bench`.

`sbk` registers them from a checkout (bot/cli/tooling.py); `python -m benchmarks` runs them alone.
Each measurement is imported by its handler, so building the parser stays cheap.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from types import ModuleType

from bot.settings import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "nlu_data"
TEST_SET = PROJECT_ROOT / "evaluation" / "test_set.yml"
# The fresh set was written after the last change to the training data and informed no decision.
EVALUATION_SETS = {"test_set": TEST_SET, "fresh_set": PROJECT_ROOT / "evaluation" / "fresh_set.yml",
                   # Written by someone who never read nlu_data/ nor the other sets; never tuned against.
                   "unseen_set": PROJECT_ROOT / "evaluation" / "unseen_set.yml"}
# Written apart from the training data to guide changes to it; `compare` scores on it, `evaluate` does not.
DEV_SET = PROJECT_ROOT / "evaluation" / "dev_set.yml"
RESULTS = PROJECT_ROOT / "evaluation" / "results"

DEFAULT_POSTGRES_URL = os.environ.get("SBK_BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")


def register_bench(commands: argparse._SubParsersAction) -> None:
    """`bench backoffice|conversations|console`."""
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
    conversations.add_argument("--cluster", action="store_true",
                               help="instead: one Rasa server against two behind HAProxy at 10 and 50 concurrent "
                                    "conversations, with the trackers in PostgreSQL and the locks in Redis as "
                                    "`make run-cluster` runs them (~4 min, --quick ~2 min); replaces the "
                                    "'conversations-cluster' section")
    conversations.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                               help="with --cluster: PostgreSQL server and database to create the private schema in "
                                    "(default: $SBK_BENCH_POSTGRES_URL or the local `test` database)")
    conversations.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
                               help="with --cluster: the Redis of the conversation locks (default: $REDIS_URL or "
                                    "redis://127.0.0.1:6379/1)")
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


def measure(benchmark: ModuleType | ClusterSection, run: Callable[[], object], output: Path) -> int:
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


def _run_on_both_databases(benchmark: ModuleType, args: argparse.Namespace) -> int:
    """The back-office and console benchmarks: the same sizes, knowledge, calendar and databases."""
    from bot.knowledge import get_knowledge
    from bot.workdays import WorkdayCalendar

    sizes = benchmark.QUICK if args.quick else benchmark.FULL
    return measure(benchmark, lambda: benchmark.run(
        sizes, knowledge=get_knowledge(), calendar=WorkdayCalendar(),
        postgres_url=None if args.no_postgres else args.postgres_url, progress=progress), args.output)


def run_backoffice(args: argparse.Namespace) -> int:
    from benchmarks import backoffice

    return _run_on_both_databases(backoffice, args)


def run_conversations(args: argparse.Namespace) -> int:
    from benchmarks import conversations as benchmark

    if args.cluster:
        sizes = benchmark.CLUSTER_QUICK if args.quick else benchmark.CLUSTER_FULL
        return measure(ClusterSection(benchmark), lambda: benchmark.run_cluster(
            sizes, postgres_url=args.postgres_url, redis_url=args.redis_url, progress=progress), args.output)
    sizes = benchmark.QUICK if args.quick else benchmark.FULL
    return measure(benchmark, lambda: benchmark.run(sizes, progress=progress), args.output)


class ClusterSection:
    """The conversations benchmark's cluster A/B as `measure` takes a benchmark: its section and writer."""

    def __init__(self, benchmark: ModuleType) -> None:
        self.SECTION = benchmark.CLUSTER_SECTION
        self.write_section = benchmark.write_cluster_section


def run_console(args: argparse.Namespace) -> int:
    from benchmarks import console

    return _run_on_both_databases(console, args)


def register_nlu(sub: argparse._SubParsersAction) -> None:
    """`nlu evaluate|compare|calibrate|bench`, beside the product's `nlu build`."""
    sub.add_parser("evaluate", help="report on the held-out test set beside the baseline"
                   ).set_defaults(handler=evaluate)
    comparing = sub.add_parser("compare", help="train candidate pipelines on a split of nlu_data/ and compare them "
                               "there and on evaluation/dev_set.yml")
    comparing.add_argument("--pipeline", action="append", type=Path, metavar="CONFIG",
                           help="compare only this config file (repeatable; BENCHMARKS.md is then left as it "
                                "is; default: config.yml and every evaluation/pipelines/*.yml)")
    comparing.set_defaults(handler=compare)
    sub.add_parser("calibrate", help="fit the confidence's temperature and choose the clarification thresholds "
                   "on evaluation/dev_set.yml; update BENCHMARKS.md").set_defaults(handler=calibrate)
    bench = sub.add_parser("bench", help="time training, loading and parsing; update BENCHMARKS.md")
    bench.add_argument("--messages", type=int, default=1000, help="parses to time (default 1000)")
    bench.add_argument("--no-train", action="store_true", help="time the existing model only")
    bench.set_defaults(handler=bench_run)


def evaluate(args: argparse.Namespace) -> int:
    from benchmarks import evaluation
    from benchmarks.dataset import load_examples, training_files
    from bot.knowledge import get_knowledge
    from bot.nlu import Classifier, NluUnavailable
    from bot.settings import get_settings

    knowledge = get_knowledge()
    train = load_examples(training_files(NLU_DIR))
    baseline = evaluation.train_baseline(train, knowledge)
    RESULTS.mkdir(parents=True, exist_ok=True)
    try:
        with Classifier(get_settings(), knowledge=knowledge) as classifier:
            for name, path in EVALUATION_SETS.items():
                test = load_examples([path])
                model, base = evaluation.evaluate(test, classifier.classify, baseline, knowledge)
                report = evaluation.render_markdown(model, base, test_set=path.name, test_size=len(test),
                                                    train_size=len(train))
                (RESULTS / f"{name}.md").write_text(report, encoding="utf-8")
                (RESULTS / f"{name}.json").write_text(
                    json.dumps({"pipeline": asdict(model), "baseline": asdict(base)}, ensure_ascii=False,
                               indent=1), encoding="utf-8")
                evaluation.plot_confusion(model, RESULTS / f"{name}-confusion.png")
                print(report.split("## Per intent")[0].rstrip() + f"\n\nfull report: {RESULTS / (name + '.md')}\n")
    except NluUnavailable as exc:
        print(f"sbk nlu evaluate: {exc}", file=sys.stderr)
        return 1
    return 0


def _configured_thresholds() -> tuple[float, float]:
    """The cascade's temperature and the FallbackClassifier's threshold in config.yml."""
    import yaml

    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    by_name = {component["name"].rsplit(".", 1)[-1]: component for component in pipeline}
    return (float(by_name["CascadeIntentClassifier"].get("temperature", 1.0)),
            float(by_name["FallbackClassifier"]["threshold"]))


def calibrate(args: argparse.Namespace) -> int:
    from benchmarks import calibration
    from benchmarks.dataset import load_examples
    from benchmarks.machine import describe_machine
    from benchmarks.report import update_benchmarks_file
    from bot.answers.compose import CLARIFY_BELOW
    from bot.knowledge import get_knowledge
    from bot.nlu import Classifier, NluUnavailable
    from bot.settings import get_settings

    knowledge = get_knowledge()
    temperature, fallback = _configured_thresholds()

    def ranked(classifier: Classifier, path: Path) -> list[calibration.Ranked]:
        items = []
        for example in load_examples([path]):
            interpretation = classifier.classify(example.text)
            if interpretation.ranking:
                items.append(calibration.Ranked(interpretation.ranking,
                                                knowledge.intent_by_rasa_name(example.intent).name,
                                                interpretation.category))
        return items

    try:
        with Classifier(get_settings(), knowledge=knowledge) as classifier:
            dev = ranked(classifier, DEV_SET)
            others = {name: ranked(classifier, path) for name, path in EVALUATION_SETS.items()}
    except NluUnavailable as exc:
        print(f"sbk nlu calibrate: {exc}", file=sys.stderr)
        return 1
    result = calibration.calibrate(dev, current_temperature=temperature)
    held_out = {name: (len(items), calibration.expected_calibration_error(items, 1.0),
                       calibration.expected_calibration_error(items, result.scale))
                for name, items in {"dev_set (fitted on)": dev, **others}.items()}
    body = calibration.render_markdown(result, dev_size=len(dev), current_temperature=temperature,
                                       current_fallback=fallback, current_clarify=CLARIFY_BELOW,
                                       held_out=held_out, machine=describe_machine())
    update_benchmarks_file(PROJECT_ROOT / "BENCHMARKS.md", "calibration", body)
    print(body)
    return 0


def bench_run(args: argparse.Namespace) -> int:
    from benchmarks import nlu as benchmark
    from benchmarks.dataset import load_examples
    from benchmarks.report import update_benchmarks_file
    from bot.nlu import NluUnavailable
    from bot.settings import get_settings

    if args.messages < 2:
        print("sbk nlu bench: --messages must be at least 2", file=sys.stderr)
        return 2
    texts = [ex.text for ex in load_examples([TEST_SET])]
    try:
        result = benchmark.run(get_settings(), texts, messages=args.messages, train=not args.no_train)
    except NluUnavailable as exc:
        print(f"sbk nlu bench: {exc}", file=sys.stderr)
        return 1
    body = benchmark.render_markdown(result)
    update_benchmarks_file(PROJECT_ROOT / "BENCHMARKS.md", "nlu", body)
    print(body)
    return 0


def compare(args: argparse.Namespace) -> int:
    from benchmarks import comparison
    from benchmarks.dataset import load_examples, training_files
    from benchmarks.report import update_benchmarks_file
    from bot.knowledge import get_knowledge
    from bot.nlu import NluUnavailable
    from bot.settings import get_settings

    knowledge = get_knowledge()
    examples = load_examples([p for p in training_files(NLU_DIR) if p.name != "entities.yml"])
    configs = args.pipeline or [*sorted((PROJECT_ROOT / "evaluation" / "pipelines").glob("*.yml")),
                                PROJECT_ROOT / "config.yml"]
    missing = [str(c) for c in configs if not c.is_file()]
    if missing:
        print(f"sbk nlu compare: no such config file: {', '.join(missing)}", file=sys.stderr)
        return 2
    dev_set = load_examples([DEV_SET]) if DEV_SET.is_file() else None
    (PROJECT_ROOT / "build").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=PROJECT_ROOT / "build") as work:
        try:
            results = comparison.compare(get_settings(), knowledge, examples, [c.resolve() for c in configs],
                                         NLU_DIR / "entities.yml", Path(work), dev_set=dev_set)
        except NluUnavailable as exc:
            print(f"sbk nlu compare: {exc}", file=sys.stderr)
            return 1
    train, dev = comparison.split(examples)
    body = comparison.render_markdown(results, train_size=len(train), dev_size=len(dev),
                                      dev_set_size=len(dev_set or []))
    if not args.pipeline:
        # Only the full comparison replaces the table; a partial run would drop the other candidates.
        update_benchmarks_file(PROJECT_ROOT / "BENCHMARKS.md", "nlu-pipelines", body)
    print(body)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The tooling's commands alone, for `python -m benchmarks`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="SBK Hotline Assistant: measurements")
    commands = parser.add_subparsers(dest="command", required=True)
    register_bench(commands)
    nlu = commands.add_parser("nlu", help="evaluate, compare and benchmark the language model")
    register_nlu(nlu.add_subparsers(dest="nlu_command", required=True))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)
