"""Choosing the pipeline by measurement: candidates trained and scored on a split of the training data.

The held-out test set plays no part here, so the choice is not tuned to it: each candidate
config is trained on 80 % of nlu_data/ and scored on the other 20 % (stratified, fixed seed),
and on the development set (evaluation/dev_set.yml) when there is one. The split shares the
training data's authors and phrasing; the development set was written apart from it, so a
candidate should win on both before it is chosen.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.dataset import Example, to_rasa_yaml
from benchmarks.evaluation import Scores, score, train_baseline
from bot.knowledge import Knowledge
from bot.nlu.interpret import interpret
from bot.nlu.worker import NluWorker
from bot.settings import PROJECT_ROOT, Settings

DEV_SHARE = 0.2
SEED = 2026


@dataclass
class Candidate:
    name: str
    intent_accuracy: float
    category_accuracy: float
    macro_f1: float
    training_seconds: float | None
    # Figures on evaluation/dev_set.yml, when compared with one.
    dev: Scores | None = None


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """Stratified train/dev split of the training data."""
    from sklearn.model_selection import train_test_split

    train, dev = train_test_split(examples, test_size=DEV_SHARE, random_state=SEED,
                                  stratify=[ex.intent for ex in examples])
    return list(train), list(dev)


def _train(settings: Settings, config: Path, nlu_dir: Path, out: Path, name: str) -> float:
    rasa = Path(settings.rasa_python).parent / "rasa"
    # No training cache: a cached component would make the timing meaningless.
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_MAX_CACHE_SIZE": "0"}
    started = time.perf_counter()
    subprocess.run([str(rasa), "train", "nlu", "--config", str(config), "--nlu", str(nlu_dir), "--out", str(out),
                    "--fixed-model-name", name], cwd=PROJECT_ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def compare(settings: Settings, knowledge: Knowledge, examples: list[Example], configs: list[Path],
            entities_file: Path, work: Path, dev_set: list[Example] | None = None) -> list[Candidate]:
    """Train every candidate config on the split and score it and the baseline on the held-back part
    (and on the development set, if given)."""
    train, dev = split(examples)
    nlu_dir = work / "nlu"
    nlu_dir.mkdir(parents=True, exist_ok=True)
    (nlu_dir / "train.yml").write_text(to_rasa_yaml(train), encoding="utf-8")
    (nlu_dir / "entities.yml").write_text(entities_file.read_text(encoding="utf-8"), encoding="utf-8")
    gold = [knowledge.intent_by_rasa_name(ex.intent).name for ex in dev]
    texts = [ex.text for ex in dev]

    dev_texts = [ex.text for ex in dev_set or []]
    dev_gold = [knowledge.intent_by_rasa_name(ex.intent).name for ex in dev_set or []]

    results = []
    baseline = train_baseline(train, knowledge)
    base = score("baseline", gold, baseline(texts), texts, knowledge)
    results.append(Candidate("baseline: char TF-IDF + logistic regression (scikit-learn)", base.intent_accuracy,
                             base.category_accuracy, base.macro_f1, None,
                             score("baseline", dev_gold, baseline(dev_texts), dev_texts, knowledge)
                             if dev_set else None))
    for config in configs:
        name = config.stem
        seconds = _train(settings, config, nlu_dir, work / "models", name)
        with NluWorker(settings, model=work / "models" / f"{name}.tar.gz") as worker:
            predicted = [interpret(text, worker.parse(text), knowledge).intent for text in texts]
            on_dev = [interpret(text, worker.parse(text), knowledge).intent for text in dev_texts]
        s = score(name, gold, predicted, texts, knowledge)
        label = "config.yml (chosen)" if config.name == "config.yml" else f"evaluation/pipelines/{config.name}"
        results.append(Candidate(label, s.intent_accuracy, s.category_accuracy, s.macro_f1, seconds,
                                 score(name, dev_gold, on_dev, dev_texts, knowledge) if dev_set else None))
    return results


def render_markdown(results: list[Candidate], *, train_size: int, dev_size: int, dev_set_size: int = 0) -> str:
    """The pipeline comparison section of BENCHMARKS.md."""
    with_dev = any(c.dev is not None for c in results)
    lines = [
        "## NLU pipeline comparison (`sbk nlu compare`)",
        "",
        f"Each candidate trained on {train_size} examples and scored on {dev_size} held back from nlu_data/ "
        f"(stratified {int(DEV_SHARE * 100)} % split, seed {SEED})"
        + (f" and on the {dev_set_size} messages of evaluation/dev_set.yml" if with_dev else "")
        + "; the test sets are not used.",
        "",
        "| pipeline | intent accuracy | intent macro-F1 | category accuracy |"
        + (" dev set: intent accuracy | dev set: macro-F1 | dev set: category accuracy |" if with_dev else "")
        + " training time |",
        "|---|---|---|---|" + ("---|---|---|" if with_dev else "") + "---|",
    ]
    for c in results:
        seconds = f"{c.training_seconds:.0f} s" if c.training_seconds is not None else "—"
        dev = ""
        if with_dev:
            dev = (f" {c.dev.intent_accuracy:.3f} | {c.dev.macro_f1:.3f} | {c.dev.category_accuracy:.3f} |"
                   if c.dev is not None else " — | — | — |")
        lines.append(f"| {c.name} | {c.intent_accuracy:.3f} | {c.macro_f1:.3f} | {c.category_accuracy:.3f} |"
                     f"{dev} {seconds} |")
    return "\n".join(lines) + "\n\n"
