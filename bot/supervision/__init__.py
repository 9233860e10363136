"""The agencies' supervision views over the ledger (Measures Art. 27–29, 41–53), without any web code.

Every function takes a sqlmodel Session and keyword arguments, and a `scope`: the district a
district supervisor is limited to, or None for the city agency (and administrators). A ticket's
district is its case's `Case.district`; outside the scope a ticket is "not found" and is never
listed, counted, charted or exported.

- `parse_filters` / `search_tickets` / `iter_tickets`: the ticket list (bank, outlet, district,
  state, kind, overdue, due within N working days, ticket number), one page and a total;
- `ticket_detail`: one ticket with its case (contacts masked), history, deliveries, escalations;
- `verify_ticket_case`: 查实 / 不实 through `bot.ledger.cases.verify_case`, only after the bank's
  result report (a complaint's through its investigation report, `bot.investigations`; the bare
  finding, `verify_praise`, is for praise);
- `deadline_alerts`: warnings before and after a deadline (due today, next working day,
  extensions, objection windows, objections, early warnings, overdue);
- `parse_rule_filters` / `fired_rules`: threshold firings with their cases and next steps;
- `figures` / `grades` / `city_report` / `workbook_bytes`: figures per bank, annual grades and
  suspension flags, and the workbook, from `bot.reports` (the data `sbk report` uses).
"""

from bot.supervision.alerts import AlertGroup, AlertRow, Alerts, deadline_alerts
from bot.supervision.errors import InvalidFilters, SupervisionError, TicketNotVisible, VerificationRefused
from bot.supervision.figures import (
    ASSESSMENT_DIR,
    FIGURES_SECTIONS,
    GRADES_SECTIONS,
    BankFigures,
    Figures,
    Grade,
    Grades,
    city_report,
    figures,
    grades,
    parse_period,
    workbook_bytes,
)
from bot.supervision.filters import SORTS, TicketFilters, parse_filters
from bot.supervision.rules import FiredRule, FiredRules, RuleFilters, fired_rules, parse_rule_filters
from bot.supervision.tickets import (
    PAGE_SIZE,
    TicketDetail,
    TicketPage,
    TicketRow,
    iter_tickets,
    search_tickets,
    ticket_detail,
)
from bot.supervision.verification import verify_praise, verify_ticket_case

__all__ = [
    "ASSESSMENT_DIR",
    "FIGURES_SECTIONS",
    "GRADES_SECTIONS",
    "PAGE_SIZE",
    "SORTS",
    "AlertGroup",
    "AlertRow",
    "Alerts",
    "BankFigures",
    "Figures",
    "FiredRule",
    "FiredRules",
    "Grade",
    "Grades",
    "InvalidFilters",
    "RuleFilters",
    "SupervisionError",
    "TicketDetail",
    "TicketFilters",
    "TicketNotVisible",
    "TicketPage",
    "TicketRow",
    "VerificationRefused",
    "city_report",
    "deadline_alerts",
    "figures",
    "fired_rules",
    "grades",
    "iter_tickets",
    "parse_filters",
    "parse_period",
    "parse_rule_filters",
    "search_tickets",
    "ticket_detail",
    "verify_praise",
    "verify_ticket_case",
    "workbook_bytes",
]
