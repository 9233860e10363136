"""`sbk workdays`: working-day arithmetic on China's official calendar (docs/contracts.md).

    sbk workdays add 2026-09-28 7
    {"start": "2026-09-28", "days": 7, "due": "2026-10-13", "provisional": false}

    sbk workdays check        # validate knowledge/workdays/ and list where each year comes from
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from pathlib import Path

from bot.knowledge.errors import KnowledgeError
from bot.workdays import MAX_DAYS, WorkdayCalendar
from bot.workdays.calendar import LIBRARY

_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_WHOLE = re.compile(r"^[0-9]+$")


def _day(text: str) -> date:
    if _ISO_DAY.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"invalid date {text!r}: expected a calendar date YYYY-MM-DD")


def _days(text: str) -> int:
    if not _WHOLE.match(text) or int(text) > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"invalid number of working days {text!r}: "
                                         f"expected a whole number from 0 to {MAX_DAYS}")
    return int(text)


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("workdays", help="working days on China's official calendar")
    actions = cmd.add_subparsers(dest="workdays_action", metavar="{add,check}", required=True)

    add = actions.add_parser("add", help="the N-th working day after a start day (the start day not counted)")
    add.add_argument("start", type=_day, help="start day, YYYY-MM-DD (e.g. the acceptance date)")
    add.add_argument("days", type=_days, help="number of working days, 0 or more (0 = the start day)")
    add.add_argument("--dir", type=Path, default=None, help="folder of YYYY.yml files (default: knowledge/workdays)")
    add.set_defaults(handler=run, _parser=add)

    check = actions.add_parser("check", help="validate the configured years and show where each year comes from")
    check.add_argument("--dir", type=Path, default=None, help="folder of YYYY.yml files (default: knowledge/workdays)")
    check.set_defaults(handler=run, _parser=check)


def run(args: argparse.Namespace) -> int:
    calendar = WorkdayCalendar(args.dir)
    try:
        if args.workdays_action == "add":
            try:
                result = calendar.add_working_days(args.start, args.days)
            except KnowledgeError:
                raise  # a ValueError too, but the configuration's fault, not the caller's
            except ValueError as exc:
                args._parser.error(str(exc))  # exits 2, one line
            out = result.as_dict()
        else:
            configured = calendar.configured_years()
            out = {
                "library": LIBRARY,
                "configured": {str(y): {"file": c.file, "source": c.source} for y, c in sorted(configured.items())},
            }
    except KnowledgeError as exc:
        for line in str(exc).splitlines() or ["broken working-day configuration"]:
            print(f"sbk workdays: {line}", file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    return 0
