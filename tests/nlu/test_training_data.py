"""The training data is complete, clean and apart from the test set."""

from __future__ import annotations

import unicodedata
from collections import Counter
from itertools import combinations

import pytest
import yaml

from benchmarks.dataset import load_examples, training_files
from bot.nlu.training_data import entity_training_data
from bot.settings import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "nlu_data"
TEST_SET = PROJECT_ROOT / "evaluation" / "test_set.yml"
ENTITY_TYPES = {"bank", "district", "outlet"}


@pytest.fixture(scope="module")
def train():
    return load_examples(training_files(NLU_DIR))


@pytest.fixture(scope="module")
def test_set():
    return load_examples([TEST_SET])


def _normal(text: str) -> str:
    """Lower case without punctuation and spaces; emoji and other symbols stay, they carry meaning."""
    return "".join(ch for ch in text.lower() if unicodedata.category(ch)[0] not in "PZC")


def _grams(text: str) -> set[str]:
    t = _normal(text)
    return {t[i:i + 2] for i in range(len(t) - 1)} or {t}


def _near(a: str, b: str) -> bool:
    """Same text apart from punctuation, or bigram overlap so high only a word differs."""
    if _normal(a) == _normal(b):
        return True
    ga, gb = _grams(a), _grams(b)
    return min(len(ga), len(gb)) >= 6 and len(ga & gb) / len(ga | gb) >= 0.8


def test_every_intent_has_at_least_40_examples(train, knowledge):
    counts = Counter(ex.intent for ex in train)
    short = {i.rasa_name: counts[i.rasa_name] for i in knowledge.intents if counts[i.rasa_name] < 40}
    assert not short, f"intents with fewer than 40 examples: {short}"


def test_only_taxonomy_intents_are_trained(train, knowledge):
    assert {ex.intent for ex in train} == {i.rasa_name for i in knowledge.intents}


def test_no_duplicates_or_near_duplicates_within_an_intent(train):
    by_intent: dict[str, list[str]] = {}
    for ex in train:
        by_intent.setdefault(ex.intent, []).append(ex.text)
    pairs = [(intent, a, b) for intent, texts in by_intent.items()
             for a, b in combinations(texts, 2) if _near(a, b)]
    assert not pairs, f"{len(pairs)} near-duplicate pairs, e.g. {pairs[:5]}"


def test_no_message_is_trained_under_two_intents(train):
    seen: dict[str, str] = {}
    clashes = []
    for ex in train:
        key = _normal(ex.text)
        if key in seen and seen[key] != ex.intent:
            clashes.append((ex.text, seen[key], ex.intent))
        seen.setdefault(key, ex.intent)
    assert not clashes


@pytest.mark.parametrize("name", ["test_set.yml", "fresh_set.yml"])
def test_evaluation_sets_are_apart_from_training(train, name):
    held_out = load_examples([PROJECT_ROOT / "evaluation" / name])
    assert len(held_out) >= 10 * 34
    leaked = [t.text for t in held_out for ex in train if _near(t.text, ex.text)]
    assert not leaked, f"test messages (nearly) present in training data: {leaked[:10]}"


def test_every_test_intent_has_at_least_10_messages(test_set, knowledge):
    counts = Counter(ex.intent for ex in test_set)
    assert {i.rasa_name for i in knowledge.intents if counts[i.rasa_name] < 10} == set()


@pytest.mark.parametrize("source", ["train", "test_set"])
def test_annotations_use_known_entities_and_resolve(source, request, knowledge):
    examples = request.getfixturevalue(source)
    bad = []
    for ex in examples:
        for span in ex.spans:
            if span.entity not in ENTITY_TYPES:
                bad.append((ex.markup, span.entity))
            elif span.entity == "bank" and knowledge.canonical_bank(span.surface) is None:
                bad.append((ex.markup, span.surface))
            elif span.entity == "district" and knowledge.canonical_district(span.surface) is None:
                bad.append((ex.markup, span.surface))
    assert not bad


def test_banks_are_spread_over_the_training_data(train, knowledge):
    mentioned = Counter(knowledge.canonical_bank(s.surface) for ex in train for s in ex.spans if s.entity == "bank")
    assert {b.name for b in knowledge.banks} <= {name for name, n in mentioned.items() if n >= 5}


def test_generated_entity_file_is_in_step_with_knowledge(knowledge):
    committed = (NLU_DIR / "entities.yml").read_text(encoding="utf-8")
    assert committed == entity_training_data(knowledge), "run `sbk nlu build` and commit nlu_data/entities.yml"


def test_lookup_tables_put_longer_names_first(knowledge):
    data = yaml.safe_load(entity_training_data(knowledge))
    bank_lookup = next(item for item in data["nlu"] if item.get("lookup") == "bank")
    names = [line[2:] for line in bank_lookup["examples"].splitlines()]
    assert names.index("中国建设银行") < names.index("建设银行") < names.index("建行")


def test_domain_declares_exactly_the_taxonomy(knowledge):
    domain = yaml.safe_load((PROJECT_ROOT / "domain" / "domain.yml").read_text(encoding="utf-8"))
    assert domain["intents"] == [i.rasa_name for i in knowledge.intents]
    assert set(domain["entities"]) == ENTITY_TYPES
