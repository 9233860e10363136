"""The partner banks' self-inspection summaries (自查总结, Art. 38 of the Measures).

Banks upload a summary per month, quarter, half-year and year through the bank API; it is due the
3rd of the next month 17:00, or the next working day (``due``). ``submissions`` stores and reads
them (a bank only its own); ``status`` says per bank and period whether it came on time, late or
not at all, and ``punctuality`` gives the on-time figure the annual assessment can use.
"""

from .documents import check_document, clean_filename, detect_type
from .due import InspectionDue, due_of, kind_label, period_label, required_kinds
from .errors import (
    DocumentRefused,
    DocumentTooLarge,
    EmptyDocument,
    InvalidPeriod,
    PeriodNotEnded,
    SelfInspectionError,
    SubmissionConflict,
    SubmissionNotFound,
)
from .models import DocumentType, SelfInspection, SelfInspectionCreate, SelfInspectionPublic
from .periods import InspectionPeriod, PeriodKind, parse_period, periods_of_year
from .status import (
    BankInspections,
    InspectionStatus,
    PeriodStatus,
    Punctuality,
    bank_inspections,
    ended_periods,
    punctuality,
    status_of,
)
from .submissions import accepted_period, get_submission, list_submissions, submit

__all__ = [
    "BankInspections",
    "DocumentRefused",
    "DocumentTooLarge",
    "DocumentType",
    "EmptyDocument",
    "InspectionDue",
    "InspectionPeriod",
    "InspectionStatus",
    "InvalidPeriod",
    "PeriodKind",
    "PeriodNotEnded",
    "PeriodStatus",
    "Punctuality",
    "SelfInspection",
    "SelfInspectionCreate",
    "SelfInspectionError",
    "SelfInspectionPublic",
    "SubmissionConflict",
    "SubmissionNotFound",
    "accepted_period",
    "bank_inspections",
    "check_document",
    "clean_filename",
    "detect_type",
    "due_of",
    "ended_periods",
    "get_submission",
    "kind_label",
    "list_submissions",
    "parse_period",
    "period_label",
    "periods_of_year",
    "punctuality",
    "required_kinds",
    "status_of",
    "submit",
]
