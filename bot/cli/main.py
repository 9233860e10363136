"""Entry point of `sbk`: one sub-command per job, each in its own module."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.cli import (
    answer,
    bank,
    catalogue,
    chat,
    classify,
    cluster,
    dispatch,
    events,
    nlu,
    report,
    telegram,
    tickets,
    tooling,
    user,
    workdays,
)
from bot.privacy import install_log_masking


class _Parser(argparse.ArgumentParser):
    """Reports a bad invocation as one line on stderr with exit status 2 (docs/contracts.md)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sbk", description="SBK Hotline Assistant")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    classify.register(commands)
    answer.register(commands)
    nlu_commands = nlu.register(commands)
    for module in (workdays, tickets, bank, dispatch, events, report, chat, telegram, user, catalogue, cluster):
        module.register(commands)
    tooling.register(commands, nlu=nlu_commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Whatever a command logs, ID and phone numbers are masked (Art. 9, 51).
    install_log_masking()
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
