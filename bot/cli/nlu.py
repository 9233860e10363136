"""`sbk nlu build|evaluate|bench`: the model's inputs, its evaluation and its benchmark."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from bot.knowledge import get_knowledge
from bot.nlu import Classifier, NluUnavailable
from bot.nlu import benchmark, comparison, evaluation
from bot.nlu.dataset import load_examples, training_files
from bot.nlu.training_data import write_training_inputs
from bot.settings import PROJECT_ROOT, get_settings

NLU_DIR = PROJECT_ROOT / "nlu_data"
TEST_SET = PROJECT_ROOT / "evaluation" / "test_set.yml"
# The fresh set was written after the last change to the training data and informed no decision.
EVALUATION_SETS = {"test_set": TEST_SET, "fresh_set": PROJECT_ROOT / "evaluation" / "fresh_set.yml"}
# Written apart from the training data to guide changes to it; `compare` scores on it, `evaluate` does not.
DEV_SET = PROJECT_ROOT / "evaluation" / "dev_set.yml"
RESULTS = PROJECT_ROOT / "evaluation" / "results"


def register(commands: argparse._SubParsersAction) -> None:
    nlu = commands.add_parser("nlu", help="build, evaluate and benchmark the language model")
    sub = nlu.add_subparsers(dest="nlu_command", required=True, parser_class=type(nlu))
    sub.add_parser("build", help="generate entity data and the jieba dictionary from knowledge/"
                   ).set_defaults(handler=build)
    sub.add_parser("evaluate", help="report on the held-out test set beside the baseline"
                   ).set_defaults(handler=evaluate)
    comparing = sub.add_parser("compare", help="train candidate pipelines on a split of nlu_data/ and compare them "
                               "there and on evaluation/dev_set.yml")
    comparing.add_argument("--pipeline", action="append", type=Path, metavar="CONFIG",
                           help="compare only this config file (repeatable; BENCHMARKS.md is then left as it "
                                "is; default: config.yml and every evaluation/pipelines/*.yml)")
    comparing.set_defaults(handler=compare)
    bench = sub.add_parser("bench", help="time training, loading and parsing; update BENCHMARKS.md")
    bench.add_argument("--messages", type=int, default=1000, help="parses to time (default 1000)")
    bench.add_argument("--no-train", action="store_true", help="time the existing model only")
    bench.set_defaults(handler=bench_run)


def build(args: argparse.Namespace) -> int:
    write_training_inputs(get_knowledge(), entities_file=NLU_DIR / "entities.yml",
                          dictionary_dir=PROJECT_ROOT / "build" / "jieba")
    print("wrote nlu_data/entities.yml and build/jieba/userdict.txt")
    return 0


def evaluate(args: argparse.Namespace) -> int:
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


def bench_run(args: argparse.Namespace) -> int:
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
    benchmark.update_benchmarks_file(PROJECT_ROOT / "BENCHMARKS.md", "nlu", body)
    print(body)
    return 0


def compare(args: argparse.Namespace) -> int:
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
        benchmark.update_benchmarks_file(PROJECT_ROOT / "BENCHMARKS.md", "nlu-pipelines", body)
    print(body)
    return 0
