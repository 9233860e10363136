"""Entry point of `sbk`: one sub-command per job, each in its own module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli import answer, bank, classify, dispatch, nlu, report, tickets, workdays


class _Parser(argparse.ArgumentParser):
    """Reports a bad invocation as one line on stderr with exit status 2 (SPEC.md)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sbk", description="SBK Hotline Assistant")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in (classify, answer, nlu, workdays, tickets, bank, dispatch, report):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
