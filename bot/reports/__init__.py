"""Supervision reports for the city and district agencies (Measures Art. 38, 41–50).

    report = month_report(session, month="2026-11", knowledge=knowledge, calendar=calendar, now=clock.now())
    report = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, assessment=..., now=clock.now())
    render_markdown(report, knowledge=knowledge) / render_json(report)
    write_xlsx(report, "out/2026-11.xlsx", knowledge=knowledge)

A report counts complaints and praise per partner bank and outlet (found true / not true / pending),
lists the threshold rules fired in the period, the overdue tickets and the Art. 38 self-inspection
due dates, and for a year the annual assessment (score, grade, automatic 不合格, suspension flag).
It holds no personal data: cases are counted in the database, descriptions and contacts are never read.
"""

from .assessment import (
    AssessmentConfig,
    AssessmentError,
    AssessmentInput,
    BankFindings,
    LedgerPoints,
    SeriousOverdue,
    default_config,
    load_assessment,
    load_config,
)
from .build import SECTIONS, month_report, self_inspection_due, year_report
from .model import Report
from .periods import Period, parse_month, parse_year
from .render import render_json, render_markdown, report_json
from .xlsx import write_charts, write_xlsx

__all__ = [
    "AssessmentConfig",
    "AssessmentError",
    "AssessmentInput",
    "BankFindings",
    "LedgerPoints",
    "Period",
    "Report",
    "SECTIONS",
    "SeriousOverdue",
    "default_config",
    "load_assessment",
    "load_config",
    "month_report",
    "parse_month",
    "parse_year",
    "render_json",
    "render_markdown",
    "report_json",
    "self_inspection_due",
    "write_charts",
    "write_xlsx",
    "year_report",
]
