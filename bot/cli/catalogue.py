"""`sbk catalogue`: the dialogue's responses written from the message catalogue.

    sbk catalogue write    # domain/responses.yml from knowledge/responses.yml
    sbk catalogue check    # exit status 1 if domain/responses.yml is not what `write` would write

The dialogue's domain must hold its responses, in Rasa's {slot} syntax; the catalogue is where
they are written and reviewed, in ${name} syntax like every other sentence, and a test fails when
the generated file and the catalogue disagree.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from bot.knowledge import Knowledge, get_knowledge
from bot.settings import PROJECT_ROOT

DOMAIN_RESPONSES = PROJECT_ROOT / "domain" / "responses.yml"
HEADER = ("# Generated from the message catalogue (knowledge/responses.yml) by `sbk catalogue write`.\n"
          "# Do not edit: change the catalogue and write again.\n")


class _BlockDumper(yaml.SafeDumper):
    """Multi-line texts as | blocks, so the generated file reads like the catalogue."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_BlockDumper.add_representer(str, _str)


def domain_responses(knowledge: Knowledge) -> str:
    """The text of domain/responses.yml for `knowledge`'s catalogue."""
    body = yaml.dump({"version": "3.1", "responses": knowledge.messages.rasa_responses()}, Dumper=_BlockDumper,
                     allow_unicode=True, sort_keys=False, width=1000)
    return HEADER + body


def write(args: argparse.Namespace) -> int:
    path = Path(args.path)
    path.write_text(domain_responses(get_knowledge()), encoding="utf-8")
    print(f"wrote {path}")
    return 0


def check(args: argparse.Namespace) -> int:
    path = Path(args.path)
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if current != domain_responses(get_knowledge()):
        print(f"{path} is not what the catalogue says: run `sbk catalogue write`", file=sys.stderr)
        return 1
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("catalogue", help="write the dialogue's responses from the message catalogue")
    sub = parser.add_subparsers(dest="catalogue_command", required=True, parser_class=type(parser))
    for name, handler, help_text in (("write", write, "write domain/responses.yml"),
                                     ("check", check, "fail if domain/responses.yml is out of date")):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("--path", default=str(DOMAIN_RESPONSES), help="default: %(default)s")
        command.set_defaults(handler=handler)
