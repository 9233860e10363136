"""On-site inspections of bank outlets by the district agencies (现场督导, Art. 26 and 29).

``record_inspection`` records one (refusing what the Measures or the form do not allow),
``get_inspection`` and ``list_inspections`` read them within a supervisor's district, and
``weekly_compliance`` counts each district's week against the weekly minimum of Art. 29 and
``period_compliance`` sums the weeks of a report's month or year.
"""

from bot.inspections.compliance import (
    HISTORY_WEEKS,
    Compliance,
    DistrictCompliance,
    DistrictPeriod,
    DistrictWeek,
    period_compliance,
    week_start,
    weekly_compliance,
)
from bot.inspections.errors import (
    DuplicateInspection,
    InspectionError,
    InspectionNotVisible,
    InvalidInspection,
    OutletOutOfScope,
)
from bot.inspections.models import (
    InspectionFinding,
    OutletInspection,
    OutletInspectionBase,
    OutletInspectionCreate,
    OutletInspectionPublic,
)
from bot.inspections.records import (
    COMPLIANT,
    NON_COMPLIANT,
    RESULTS,
    FindingInput,
    find_outlet,
    get_inspection,
    list_inspections,
    record_due,
    record_inspection,
)

__all__ = [
    "COMPLIANT",
    "HISTORY_WEEKS",
    "NON_COMPLIANT",
    "RESULTS",
    "Compliance",
    "DistrictCompliance",
    "DistrictPeriod",
    "DistrictWeek",
    "DuplicateInspection",
    "FindingInput",
    "InspectionError",
    "InspectionFinding",
    "InspectionNotVisible",
    "InvalidInspection",
    "OutletInspection",
    "OutletInspectionBase",
    "OutletInspectionCreate",
    "OutletInspectionPublic",
    "OutletOutOfScope",
    "find_outlet",
    "get_inspection",
    "list_inspections",
    "period_compliance",
    "record_due",
    "record_inspection",
    "week_start",
    "weekly_compliance",
]
