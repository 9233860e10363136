"""`sbk classify`: messages on stdin, one JSON interpretation per line on stdout (docs/contracts.md)."""

from __future__ import annotations

import argparse
import json
import sys

from bot.knowledge import get_knowledge
from bot.nlu import Classifier, NluParseError, NluUnavailable, blank
from bot.nlu.text import decode_line
from bot.settings import get_settings


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("classify", help="classify messages read from stdin, one per line")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with Classifier(get_settings()) as classifier:
        for raw in sys.stdin.buffer:
            text = decode_line(raw)
            try:
                result = classifier.classify(text).to_contract()
            except NluUnavailable as exc:
                print(f"sbk classify: {exc}", file=sys.stderr)
                return 1
            except NluParseError as exc:
                # Keep one output line per input line, so callers can zip them.
                error = get_knowledge().messages.render("cli_classify_unreadable", reason=exc)
                result = {**blank(text).to_contract(), "error": error}
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    return 0
