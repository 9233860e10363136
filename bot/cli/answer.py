"""`sbk answer TEXT`: the reply the assistant gives to one message."""

from __future__ import annotations

import argparse
import sys

from bot.answers import compose_reply
from bot.knowledge import get_knowledge
from bot.nlu import Classifier, NluParseError, NluUnavailable, blank
from bot.settings import get_settings


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("answer", help="print the assistant's reply to one message")
    cmd.add_argument("text", help="the citizen's message")
    cmd.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    knowledge = get_knowledge()
    # Arguments may carry bytes that are not UTF-8 (surrogate escapes); keep what can be read.
    text = args.text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    try:
        with Classifier(get_settings(), knowledge=knowledge) as classifier:
            interpretation = classifier.classify(text)
    except NluUnavailable as exc:
        print(f"sbk answer: {exc}", file=sys.stderr)
        return 1
    except NluParseError:
        interpretation = blank(text)
    print(compose_reply(interpretation, knowledge).text)
    return 0
