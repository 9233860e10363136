"""Investigation reports (《卡经办服务调查报告书》, Art. 28): a complaint's on-site check, its verdict and
the proposed handling, filed by the district agency and reviewed by the city.

``models`` (the table), ``reports`` (file, amend, review, read, the review list), ``errors``
(refusals with a Chinese message in knowledge/errors.yml). Filing a report is what records the
complaint's finding (查实 / 不实): the verdict goes through `bot.supervision.verify_ticket_case`,
with the same checks and the same consequences (the bank and the citizen told, thresholds).
"""

from bot.investigations.errors import InvestigationError, InvestigationRefused, ReportNotFound
from bot.investigations.models import (
    InvestigationReport,
    InvestigationReportCreate,
    InvestigationReportPublic,
    ReviewState,
    Verdict,
)
from bot.investigations.reports import (
    ReportDraft,
    ReportInvalid,
    ReviewItem,
    amend_report,
    file_report,
    parse_report,
    report_for_ticket,
    review_list,
    review_report,
)

__all__ = [
    "InvestigationError",
    "InvestigationRefused",
    "InvestigationReport",
    "InvestigationReportCreate",
    "InvestigationReportPublic",
    "ReportDraft",
    "ReportInvalid",
    "ReportNotFound",
    "ReviewItem",
    "ReviewState",
    "Verdict",
    "amend_report",
    "file_report",
    "parse_report",
    "report_for_ticket",
    "review_list",
    "review_report",
]
