"""`sbk nlu build`: the model's inputs generated from knowledge/ (evaluate, compare and bench are the tooling's)."""

from __future__ import annotations

import argparse

from bot.knowledge import get_knowledge
from bot.nlu.training_data import write_training_inputs
from bot.settings import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "nlu_data"
# Relative to the project: config.yml names the same path for the tokenizer.
MISSPELLINGS = "build/normalisation/misspellings.json"


def register(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """`nlu build`; returns the `nlu` sub-commands so the tooling can add its own beside it."""
    nlu = commands.add_parser("nlu", help="build, evaluate and benchmark the language model")
    sub = nlu.add_subparsers(dest="nlu_command", required=True, parser_class=type(nlu))
    sub.add_parser("build", help="generate entity data, the jieba dictionary and the misspellings from knowledge/"
                   ).set_defaults(handler=build)
    return sub


def build(args: argparse.Namespace) -> int:
    write_training_inputs(get_knowledge(), entities_file=NLU_DIR / "entities.yml",
                          dictionary_dir=PROJECT_ROOT / "build" / "jieba",
                          misspellings_file=PROJECT_ROOT / MISSPELLINGS)
    print(f"wrote nlu_data/entities.yml, build/jieba/userdict.txt and {MISSPELLINGS}")
    return 0
