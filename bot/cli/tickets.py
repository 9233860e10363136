"""`sbk tickets scan-overdue` and `sbk db upgrade`: ledger upkeep for operators and schedulers.

The scan (hourly under `make run`) also moves satisfaction callbacks on: it reminds a citizen who
has not answered after the configured working days and closes the callback unanswered after the
reminder's wait (bot.satisfaction). Both are working-day steps of ticket upkeep, so they share the
one scheduled job rather than a process of their own.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from bot.clock import get_clock
from bot.db import new_session, upgrade
from bot.knowledge import get_knowledge
from bot.ledger.escalation import escalate_overdue, recompute_provisional_due_dates
from bot.reactions import ledger_reactions
from bot.satisfaction import scan_callbacks
from bot.workdays import WorkdayCalendar


def register(commands: argparse._SubParsersAction) -> None:
    tickets = commands.add_parser("tickets", help="ticket upkeep")
    sub = tickets.add_subparsers(dest="tickets_command", required=True, parser_class=type(tickets))
    scan = sub.add_parser("scan-overdue", help="escalate overdue transfer tickets (Art. 48), remind unanswered "
                                               "satisfaction callbacks")
    scan.add_argument("--every", type=float, metavar="SECONDS",
                      help="keep scanning at this interval instead of once")
    scan.set_defaults(handler=scan_overdue)
    db = commands.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=type(db))
    db_sub.add_parser("upgrade", help="apply all migrations to DATABASE_URL").set_defaults(handler=db_upgrade)


def _scan_once(calendar: WorkdayCalendar) -> dict[str, list[str]]:
    knowledge = get_knowledge()
    now = get_clock().now()
    calendar.reload()  # an operator may have configured a new year since the last scan
    with new_session() as session:
        recomputed = recompute_provisional_due_dates(session, knowledge=knowledge, calendar=calendar, now=now)
        escalated = escalate_overdue(session, knowledge=knowledge, calendar=calendar, now=now,
                                     reactions=ledger_reactions())
        callbacks = scan_callbacks(session, knowledge=knowledge, calendar=calendar, now=now)
        session.commit()
    return {"due_recomputed": [t.number for t in recomputed], "escalated": [t.number for t in escalated],
            "callbacks_reminded": callbacks.reminded, "callbacks_unanswered": callbacks.unanswered}


def scan_overdue(args: argparse.Namespace) -> int:
    if args.every is not None and args.every <= 0:
        print("sbk tickets scan-overdue: --every must be positive", file=sys.stderr)
        return 2
    upgrade()
    calendar = WorkdayCalendar()
    while True:
        print(json.dumps(_scan_once(calendar), ensure_ascii=False), flush=True)
        if args.every is None:
            return 0
        time.sleep(args.every)


def db_upgrade(args: argparse.Namespace) -> int:
    upgrade()
    print("database is at the latest schema")
    return 0
