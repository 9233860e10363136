"""Reading and writing Rasa NLU YAML examples (training data and the held-out test set)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

# Rasa's inline annotation: [surface](entity)
_ANNOTATION = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str
    surface: str


@dataclass(frozen=True)
class Example:
    """One annotated message: plain text, Rasa intent name and entity spans."""

    text: str
    intent: str
    spans: tuple[Span, ...]
    markup: str


def parse_markup(markup: str) -> tuple[str, tuple[Span, ...]]:
    """Split `[建行](bank)李村` into plain text and spans."""
    text, spans, pos = [], [], 0
    offset = 0
    for match in _ANNOTATION.finditer(markup):
        before = markup[pos:match.start()]
        text.append(before)
        offset += len(before)
        surface, entity = match.group(1), match.group(2)
        spans.append(Span(offset, offset + len(surface), entity, surface))
        text.append(surface)
        offset += len(surface)
        pos = match.end()
    text.append(markup[pos:])
    return "".join(text), tuple(spans)


def load_examples(paths: Iterable[Path]) -> list[Example]:
    """All intent examples of the given Rasa NLU YAML files, in file order."""
    examples: list[Example] = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            if "intent" not in item:
                continue
            for line in str(item.get("examples", "")).splitlines():
                markup = line.strip()
                if markup.startswith("- "):
                    markup = markup[2:].strip()
                elif markup == "-" or not markup:
                    continue
                text, spans = parse_markup(markup)
                examples.append(Example(text, item["intent"], spans, markup))
    return examples


def training_files(nlu_dir: Path) -> list[Path]:
    """The training files of nlu_data/, in a stable order."""
    return sorted(nlu_dir.glob("*.yml"))


def to_rasa_yaml(examples: Iterable[Example], *, extra: str = "") -> str:
    """Rasa NLU YAML holding the examples grouped by intent (for training on a subset)."""
    by_intent: dict[str, list[str]] = {}
    for ex in examples:
        by_intent.setdefault(ex.intent, []).append(ex.markup)
    out = ['version: "3.1"\nnlu:\n']
    for intent, lines in by_intent.items():
        out.append(f"- intent: {intent}\n  examples: |\n")
        out.extend(f"    - {line}\n" for line in lines)
    return "".join(out) + extra
