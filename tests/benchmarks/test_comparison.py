"""The pipeline comparison: its split, its table, and the command's refusal of a missing config."""

from __future__ import annotations

import subprocess
from collections import Counter

from benchmarks.comparison import Candidate, render_markdown, split
from benchmarks.dataset import Example, load_examples
from benchmarks.evaluation import score
from bot.settings import PROJECT_ROOT

SBK = PROJECT_ROOT / ".venv" / "bin" / "sbk"


def test_split_keeps_every_intent_on_both_sides():
    examples = [Example(f"{intent}{i}", intent, (), f"{intent}{i}") for intent in ("a", "b", "c") for i in range(10)]
    train, held = split(examples)
    assert Counter(ex.intent for ex in held) == {"a": 2, "b": 2, "c": 2}
    assert {ex.text for ex in train}.isdisjoint(ex.text for ex in held)


def test_table_shows_the_dev_set_figures_of_each_candidate(knowledge):
    dev = score("x", ["inquiry/fees", "complaint/fees"], ["inquiry/fees", "inquiry/fees"], ["a", "b"], knowledge)
    table = render_markdown([Candidate("config.yml (chosen)", 0.9, 0.95, 0.89, 30.0, dev)],
                            train_size=80, dev_size=20, dev_set_size=2)
    assert "the 2 messages of evaluation/dev_set.yml" in table
    assert "| config.yml (chosen) | 0.900 | 0.890 | 0.950 | 0.500 |" in table
    # One wrong intent across categories: half the categories right as well.
    row = next(line for line in table.splitlines() if line.startswith("| config.yml"))
    assert row.split("|")[7].strip() == "0.500"


def test_table_without_a_dev_set_has_no_dev_columns():
    table = render_markdown([Candidate("config.yml (chosen)", 0.9, 0.95, 0.89, 30.0)], train_size=80, dev_size=20)
    assert "dev set" not in table
    assert "| config.yml (chosen) | 0.900 | 0.890 | 0.950 | 30 s |" in table


def test_dev_set_covers_every_intent_and_stays_apart_from_training(knowledge):
    from benchmarks.dataset import training_files

    dev = load_examples([PROJECT_ROOT / "evaluation" / "dev_set.yml"])
    counts = Counter(ex.intent for ex in dev)
    contract = {i.rasa_name for i in knowledge.intents if i.name != "complaint/unspecified"}
    assert {name for name in contract if counts[name] < 8} == set()
    trained = {"".join(ex.text.lower().split()) for ex in load_examples(training_files(PROJECT_ROOT / "nlu_data"))}
    assert [ex.text for ex in dev if "".join(ex.text.lower().split()) in trained] == []


def test_compare_refuses_a_missing_config_before_training():
    before = (PROJECT_ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    proc = subprocess.run([str(SBK), "nlu", "compare", "--pipeline", "no/such/config.yml"], capture_output=True,
                          text=True, timeout=120, cwd=PROJECT_ROOT)
    assert proc.returncode == 2
    assert "no/such/config.yml" in proc.stderr
    assert (PROJECT_ROOT / "BENCHMARKS.md").read_text(encoding="utf-8") == before
