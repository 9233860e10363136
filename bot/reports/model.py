"""What a report holds: plain dataclasses, turned into JSON by ``as_dict`` (field order is the key order).

Field names are English; values people read (types, states, grades) come with a ``*_label`` in
Chinese. No field holds a description, a name or a contact of a citizen: reports are built from
counts, ticket numbers and configuration only, and the few free-text values taken from the ledger
(outlet names, firing subjects) pass through ``bot.privacy.mask``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class _Tally:
    total: int
    found_true: int
    not_true: int
    pending: int

    def add(self, verification: str, n: int) -> None:
        """Count n cases with this verification (received = not yet verified = pending)."""
        self.total += n
        if verification == "found_true":
            self.found_true += n
        elif verification == "not_true":
            self.not_true += n
        else:
            self.pending += n


@dataclass
class Counts(_Tally):
    """Cases received in the period by their verification (Art. 50: only found_true counts)."""

    total: int = 0
    found_true: int = 0
    not_true: int = 0
    pending: int = 0


@dataclass
class TypeCounts(_Tally):
    intent: str
    label: str
    total: int = 0
    found_true: int = 0
    not_true: int = 0
    pending: int = 0


@dataclass
class BankRow:
    bank: str
    code: str | None
    configured: bool
    complaints: Counts = field(default_factory=Counts)
    praise: Counts = field(default_factory=Counts)
    complaint_types: list[TypeCounts] = field(default_factory=list)
    overdue_tickets: int = 0  # open and past due at the as-of day
    missed_tickets: int = 0  # due within the period and not completed by their due date
    firings_official: int = 0
    firings_warning: int = 0


@dataclass
class OutletRow:
    bank: str
    outlet: str | None
    outlet_label: str
    district: str | None
    configured: bool
    complaints: Counts = field(default_factory=Counts)
    praise: Counts = field(default_factory=Counts)
    complaint_types: list[TypeCounts] = field(default_factory=list)  # types with at least one case


@dataclass
class FiringRow:
    rule_id: str
    rule_label: str
    level: str
    level_label: str
    articles: list[int]
    bank: str
    subject: str
    period: str
    fired_at: datetime
    count: int
    case_ids: list[int]
    consequence: str
    next_steps: list[str]


@dataclass
class OverdueRow:
    number: str
    kind: str
    kind_label: str
    bank: str
    outlet: str | None
    created_on: date
    due_date: date
    days_overdue: int
    state: str
    state_label: str
    escalated: bool


@dataclass
class SelfInspectionRow:
    period: str
    period_kind: str
    period_kind_label: str
    period_label: str
    nominal_date: date
    due_date: date
    due_time: str
    due_at: datetime
    moved: bool
    provisional: bool
    article: int


@dataclass
class DistrictInspectionRow:
    """A district's on-site inspections in the period (Art. 29): weeks with at least the minimum of
    outlets inspected, out of the weeks that ended in the period, and recordings made late."""

    district: str
    weeks: int
    weeks_met: int
    inspections: int
    late: int


@dataclass
class SatisfactionRow:
    """A bank's satisfaction callbacks answered in the period (Art. 25(二), 40)."""

    bank: str
    answered: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    rate: float | None  # (满意 + 基本满意) / answered; None without answers


@dataclass
class OutletSatisfactionRow:
    """An outlet's satisfaction callbacks answered in the period; ``outlet`` None: tickets naming none."""

    bank: str
    outlet: str | None
    outlet_label: str
    district: str | None
    answered: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    rate: float | None


@dataclass
class RateCell:
    """One rate of the 三率 board: ``count`` of ``of``; ``rate`` None when there is nothing to count."""

    count: int
    of: int
    rate: float | None


@dataclass
class DistrictSatisfactionRow:
    """A district's satisfaction callbacks answered in the period (by the case's district)."""

    district: str | None
    district_label: str
    answered: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    rate: float | None


@dataclass
class ThreeRatesRow:
    """A bank's or a district's response, on-time completion and satisfaction rates (see bot.board)."""

    name: str | None  # the bank or district; None: cases without a district
    response: RateCell
    completion: RateCell
    satisfaction: RateCell


@dataclass
class CaseRef:
    """One case behind a computed figure: a ticket, a callback, an inspection or a self-inspection period."""

    kind: str  # ticket | callback | inspection | self_inspection
    ref: str  # ticket number (also of a callback), inspection id, period key
    label: str
    counted: bool  # True when it counts for the bank (on time, satisfied, compliant …)


@dataclass
class MeasureScore:
    """One figure the system measures for an Art. 40 item: `good` of `total`, and the cases behind it."""

    code: str
    label: str
    good: int
    total: int
    summary: str  # the counts in a sentence: 45 件中 41 件按期办结
    cases: list[CaseRef] = field(default_factory=list)  # the cases that cost the bank first, at most CASES_SHOWN
    more_cases: int = 0  # cases behind the figure not listed
    weight: float = 0.0  # its weight within the item (knowledge/assessment.yml computed)
    # good / total in percent; None without any case (not scored, neither 0 nor 100).
    percent: float | None = field(init=False)

    def __post_init__(self) -> None:
        self.percent = self.good / self.total * 100 if self.total else None


@dataclass
class ItemScore:
    code: str
    item: str
    label: str
    weight: float
    percent: float | None
    points: float | None
    source: str | None  # agency | computed | ledger | None
    source_label: str
    measures: list[MeasureScore] = field(default_factory=list)  # what the system measured for the item
    computed_percent: float | None = None  # the system's percent, also when the city's entry overrides it
    overridden: bool = False  # the city entered a percent for an item the system computes
    entered_by: str | None = None  # the console user whose entry scored it (None: an assessment file)
    entered_at: datetime | None = None


@dataclass
class Deduction:
    code: str
    label: str
    count: int
    points_each: float
    points: float


@dataclass
class Bonus:
    code: str
    label: str
    article: int
    points: float


@dataclass
class FailEvent:
    code: str
    label: str
    article: int
    source: str
    source_label: str
    cases: list[CaseRef] = field(default_factory=list)  # what the ledger found (its late tickets)


@dataclass
class SuspensionFlag:
    id: str
    article: int
    trigger: str
    effect: str


@dataclass
class LedgerFacts:
    """The year's ledger figures that feed the assessment (found-true only, Art. 50)."""

    complaints_found_true: int = 0
    praise_found_true: int = 0
    same_type_months: int = 0  # official Art. 45 firings
    volume_months: int = 0  # official Art. 46 firings
    forced_selling_cases: int = 0  # official Art. 47 firings
    missed_tickets: int = 0
    max_days_overdue: int = 0
    city_commendation_candidate: bool = False  # official Art. 43 bank firing; a person confirms


@dataclass
class AssessmentRow:
    bank: str
    code: str | None
    score: float | None
    grade: str | None
    grade_code: str | None
    grade_label: str
    complete: bool
    missing_items: list[str]
    items: list[ItemScore]
    deductions: list[Deduction]
    bonuses: list[Bonus]
    automatic_fail: list[FailEvent]
    ledger: LedgerFacts
    suspended: bool
    suspensions: list[SuspensionFlag]
    note: str | None = None
    entered_by: str | None = None
    entered_at: datetime | None = None


@dataclass
class Report:
    kind: str  # month | year
    period: str  # 2026-11 | 2026
    period_label: str
    title: str
    timezone: str
    first_day: date
    last_day: date
    generated_at: datetime
    current: bool
    as_of: date  # overdue tickets: due before this day and still open
    as_of_label: str
    complaint_types: list[dict[str, str]]
    banks: list[BankRow]
    outlets: list[OutletRow]
    unassigned: dict[str, Counts]
    totals: dict[str, Any]
    firings: list[FiringRow]
    overdue: list[OverdueRow]
    self_inspection: list[SelfInspectionRow]
    satisfaction: list[SatisfactionRow] = field(default_factory=list)
    satisfaction_outlets: list[OutletSatisfactionRow] = field(default_factory=list)
    satisfaction_districts: list[DistrictSatisfactionRow] = field(default_factory=list)
    three_rates_banks: list[ThreeRatesRow] = field(default_factory=list)
    three_rates_districts: list[ThreeRatesRow] = field(default_factory=list)
    assessment: list[AssessmentRow] | None = None
    district_inspections: list[DistrictInspectionRow] = field(default_factory=list)
    assessment_basis: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return _plain(self)

    def bank(self, name: str) -> BankRow:
        for row in self.banks:
            if row.bank == name:
                return row
        raise KeyError(name)

    def outlet(self, bank: str, outlet: str | None) -> OutletRow:
        for row in self.outlets:
            if row.bank == bank and row.outlet == outlet:
                return row
        raise KeyError((bank, outlet))

    def assessment_of(self, bank: str) -> AssessmentRow:
        for row in self.assessment or ():
            if row.bank == bank:
                return row
        raise KeyError(bank)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value
