"""`sbk report`: the agencies' monthly and yearly supervision reports (Measures Art. 38, 41–50).

    sbk report month 2026-11                      # Markdown on standard output
    sbk report month 2026-11 --format json        # JSON (English keys, Chinese labels)
    sbk report year 2026 --xlsx out/2026.xlsx     # also the workbook, and PNG charts beside it
    sbk report year 2026 --assessment 2026.yml    # with the city agency's item scores and events

The database (DATABASE_URL) is migrated first if needed. A bad month or year is a one-line error
on standard error with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path


def _month(text: str):  # noqa: ANN202
    from bot.reports.periods import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _year(text: str):  # noqa: ANN202
    from bot.reports.periods import parse_year

    try:
        return parse_year(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("report", help="monthly and yearly supervision reports per bank and outlet")
    kinds = cmd.add_subparsers(dest="report_kind", metavar="{month,year}", required=True)

    month = kinds.add_parser("month", help="a calendar month in Asia/Shanghai time, e.g. 2026-11")
    month.add_argument("period", type=_month, metavar="YYYY-MM")
    year = kinds.add_parser("year", help="a calendar year, with the annual assessment (Art. 41)")
    year.add_argument("period", type=_year, metavar="YYYY")
    year.add_argument("--assessment", type=Path, default=None, metavar="FILE",
                      help="the city agency's assessment file (YAML/JSON: item scores, confirmed events)")
    for sub in (month, year):
        sub.add_argument("--format", choices=("markdown", "json"), default="markdown",
                         help="what to print on standard output (default: markdown)")
        sub.add_argument("--xlsx", type=Path, default=None, metavar="PATH",
                         help="also write the workbook to PATH and PNG charts beside it")
        sub.set_defaults(handler=run, _parser=sub)


def run(args: argparse.Namespace) -> int:
    from bot.assessments import assessment_input
    from bot.clock import get_clock
    from bot.db import new_session, upgrade
    from bot.knowledge import KnowledgeError, get_knowledge
    from bot.reports import (
        AssessmentError,
        load_assessment,
        month_report,
        render_json,
        render_markdown,
        write_xlsx,
        year_report,
    )
    from bot.workdays import get_calendar

    knowledge = get_knowledge()
    assessment = None
    if getattr(args, "assessment", None) is not None:
        try:
            assessment = load_assessment(args.assessment, knowledge)
        except AssessmentError as exc:
            args._parser.error(str(exc).replace("\n", " "))  # exits 2, one line
    try:
        upgrade()
        with new_session() as session:
            if args.report_kind == "month":
                report = month_report(session, month=args.period, knowledge=knowledge, calendar=get_calendar(),
                                      now=get_clock().now())
            else:
                # Without a file, the findings the city entered in the console for that year.
                if assessment is None:
                    assessment = assessment_input(session, year=args.period.year, knowledge=knowledge)
                report = year_report(session, year=args.period, knowledge=knowledge, calendar=get_calendar(),
                                     assessment=assessment, now=get_clock().now())
    except (ValueError, AssessmentError) as exc:  # e.g. an assessment file for another year
        args._parser.error(str(exc).replace("\n", " "))
    except KnowledgeError as exc:
        for line in str(exc).splitlines() or ["broken configuration"]:
            print(f"sbk report: {line}", file=sys.stderr)
        return 1
    sys.stdout.write(render_json(report) if args.format == "json" else render_markdown(report, knowledge=knowledge))
    if args.xlsx is not None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            written = write_xlsx(report, args.xlsx, knowledge=knowledge)
        for warning in caught:
            print(f"sbk report: warning: {warning.message}", file=sys.stderr)
        for path in written:
            print(f"sbk report: wrote {path}", file=sys.stderr)
    return 0
