"""The annual assessment (综合考评, Art. 39–42): score, grade, automatic fail and suspension.

Inputs, each from where it belongs:

* ``knowledge.rules`` (knowledge/rules.yml): the Art. 40 items and their weights, the grade bands,
  the automatic-fail and bonus events, the bonus points, the suspensions (Art. 42, 49).
* ``AssessmentConfig`` (knowledge/assessment.yml, see its comments): how ledger facts turn into
  points and when overdue tickets are serious. Not in the Measures; null until the operator sets it.
* ``AssessmentInput`` (an assessment file of the city agency, ``--assessment FILE``): per bank the
  item scores (percent of each item), the confirmed bonus and automatic-fail events, and whether the
  bank refused to act on the agency's recommendations (Art. 49).
* ``LedgerFacts``: the year's figures from the ledger.
* the measures of `bot.reports.computed` (tickets answered on time, satisfaction, found-true praise
  and complaints, inspection findings, self-inspection punctuality), which score the Art. 40 items
  knowledge/assessment.yml ``computed`` maps them to. A percent the city enters for an item
  overrides the computed one (the row keeps both, and says so); an item whose measures have no
  case at all stays unscored, never 0 or 100.

The score is the weighted sum of the item percentages plus bonus points, capped at ``max_score``
and rounded to two decimals before the bands are applied. It is only given when every item has a
score; otherwise the grade is "待评定" unless an automatic-fail event makes it 不合格.

Assessment file (YAML or JSON)::

    year: 2026                       # optional; checked against the report's year
    ledger_points: {...}             # optional, overrides knowledge/assessment.yml
    serious_overdue: {...}           # optional, overrides knowledge/assessment.yml
    banks:
      中国建设银行:                   # name, alias or code
        items: {outlet_construction: 96, card_service: 92, ...}   # percent 0–100 of each item
        bonus_events: [head_office_honour]                          # codes of rules.yml grades.bonus_events
        automatic_fail: [serious_loss]                              # codes of grades.automatic_fail
        refusal_to_act: false                                       # Art. 49
        note: 依据2026年度检查记录
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.knowledge import Knowledge
from bot.knowledge.models import AssessmentConfig, LedgerPoints, MeasureWeight, SeriousOverdue

from . import labels
from .model import AssessmentRow, Bonus, Deduction, FailEvent, ItemScore, LedgerFacts, MeasureScore, SuspensionFlag

# Operator configuration lives with the rest of knowledge/.
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "knowledge" / "assessment.yml"

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class AssessmentError(ValueError):
    """An assessment file or configuration that cannot be used (one line, names the place)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def checked_config(config: AssessmentConfig, knowledge: Knowledge) -> AssessmentConfig:
    """The same configuration; AssessmentError when it names an item rules.yml does not have (the
    knowledge loader checks knowledge/assessment.yml; this checks one built or overridden in code)."""
    items = {w.code for w in knowledge.rules.score_weights.items}
    unknown = sorted(set(config.computed) - items)
    if unknown:
        raise AssessmentError(f"assessment.yml: computed: unknown item {', '.join(unknown)} "
                              f"(known: {', '.join(sorted(items))})")
    return config


class BankFindings(_Frozen):
    items: dict[Slug, Annotated[float, Field(ge=0, le=100)]] = Field(default_factory=dict)
    bonus_events: tuple[Slug, ...] = ()
    automatic_fail: tuple[Slug, ...] = ()
    refusal_to_act: bool = False
    note: str | None = None
    # Who entered the findings in the console, and when (None: they came from an assessment file).
    entered_by: str | None = None
    entered_at: datetime | None = None


class AssessmentInput(_Frozen):
    year: int | None = None
    ledger_points: LedgerPoints | None = None
    serious_overdue: SeriousOverdue | None = None
    banks: dict[str, BankFindings] = Field(default_factory=dict)

    def checked(self, knowledge: Knowledge) -> AssessmentInput:
        """The same input with canonical bank names; AssessmentError on unknown banks or codes."""
        rules = knowledge.rules
        items = {w.code for w in rules.score_weights.items}
        bonus = {e.code for e in rules.grades.bonus_events}
        fails = {e.code for e in rules.grades.automatic_fail}
        banks: dict[str, BankFindings] = {}
        for name, findings in self.banks.items():
            canonical = knowledge.canonical_bank(name)
            if canonical is None:
                raise AssessmentError(f"assessment: {name!r} is not a partner bank of knowledge/banks.yml")
            if canonical in banks:
                raise AssessmentError(f"assessment: {canonical} is given twice")
            for kind, given, known in (("item", findings.items, items), ("bonus event", findings.bonus_events, bonus),
                                       ("automatic-fail event", findings.automatic_fail, fails)):
                unknown = sorted(set(given) - known)
                if unknown:
                    raise AssessmentError(f"assessment: {canonical}: unknown {kind} {', '.join(unknown)} "
                                          f"(known: {', '.join(sorted(known))})")
            banks[canonical] = findings
        if self.ledger_points is not None and self.ledger_points.item not in items:
            raise AssessmentError(f"assessment: ledger_points.item {self.ledger_points.item!r} is not an item "
                                  "of score_weights in rules.yml")
        return self.model_copy(update={"banks": banks})


def _one_line(exc: ValidationError, where: str) -> str:
    first = exc.errors()[0]
    place = ".".join(str(p) for p in first["loc"]) or "(top)"
    return f"{where}: {place}: {first['msg']}"


def load_config(path: Path | str = DEFAULT_CONFIG) -> AssessmentConfig:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return AssessmentConfig.model_validate(data)
    except ValidationError as exc:
        raise AssessmentError(_one_line(exc, str(path))) from None
    except (OSError, yaml.YAMLError) as exc:
        raise AssessmentError(f"{path}: {str(exc).splitlines()[0]}") from None


@functools.cache
def default_config() -> AssessmentConfig:
    return load_config(DEFAULT_CONFIG)


def load_assessment(path: Path | str, knowledge: Knowledge) -> AssessmentInput:
    """An agency's assessment file (YAML or JSON), checked against the knowledge base."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data is None:
            data = {}
        return AssessmentInput.model_validate(data).checked(knowledge)
    except ValidationError as exc:
        raise AssessmentError(_one_line(exc, str(path))) from None
    except (OSError, yaml.YAMLError) as exc:
        raise AssessmentError(f"{path}: {str(exc).splitlines()[0]}") from None


def effective_config(config: AssessmentConfig, given: AssessmentInput | None) -> AssessmentConfig:
    """The configuration with the assessment file's overrides applied."""
    if given is None:
        return config
    update = {}
    if given.ledger_points is not None:
        update["ledger_points"] = given.ledger_points
    if given.serious_overdue is not None:
        update["serious_overdue"] = given.serious_overdue
    return config.model_copy(update=update) if update else config


# --------------------------------------------------------------------------- scoring

_DEDUCTIONS = (
    # (key of LedgerPoints, ledger figure; its name is assessment_deduction_<figure> in the catalogue)
    ("per_found_true_complaint", "complaints_found_true"),
    ("per_missed_ticket", "missed_tickets"),
    ("per_same_type_month", "same_type_months"),
    ("per_volume_month", "volume_months"),
    ("per_forced_selling_case", "forced_selling_cases"),
)


def _deductions(points: LedgerPoints, facts: LedgerFacts, knowledge: Knowledge) -> list[Deduction]:
    out = []
    for key, figure in _DEDUCTIONS:
        each = getattr(points, key)
        if each is None:
            continue
        count = getattr(facts, figure)
        out.append(Deduction(code=figure, label=knowledge.messages.text(f"assessment_deduction_{figure}"), count=count,
                             points_each=each, points=round(count * each, 4)))
    return out


def serious_overdue(rule: SeriousOverdue, facts: LedgerFacts) -> bool:
    """Art. 48 情节严重 by the operator's configured criterion (never when it is unset)."""
    by_count = rule.min_missed_tickets is not None and facts.missed_tickets >= rule.min_missed_tickets
    by_days = rule.min_days_overdue is not None and facts.max_days_overdue >= rule.min_days_overdue
    return by_count or by_days


def _computed(weights: tuple[MeasureWeight, ...], measured: Mapping[str, MeasureScore]) -> tuple[float | None,
                                                                                               list[MeasureScore]]:
    """The item's percent from its measures — their weighted mean over those with any case, so a
    measure without data changes nothing — and the measures with their weights; None without data."""
    scores = [dataclasses.replace(measured[w.measure], weight=w.weight) for w in weights if w.measure in measured]
    scored = [m for m in scores if m.percent is not None]
    if not scored:
        return None, scores
    return sum(m.weight * m.percent for m in scored if m.percent is not None) / sum(m.weight for m in scored), scores


def assess(*, bank: str, code: str | None, facts: LedgerFacts, findings: BankFindings | None, knowledge: Knowledge,
           config: AssessmentConfig, measured: Mapping[str, MeasureScore] | None = None) -> AssessmentRow:
    """One bank's assessment. Each Art. 40 item is scored, in this order, by the city's percent, by
    what the system measured for it (``measured``, per knowledge/assessment.yml ``computed``), or by
    the ledger's deductions; otherwise it stays unscored."""
    rules = knowledge.rules
    findings = findings or BankFindings()
    measured = measured or {}
    weights = rules.score_weights
    items: list[ItemScore] = []
    deductions: list[Deduction] = []
    ledger = config.ledger_points
    for w in weights.items:
        computed, measures = _computed(config.computed.get(w.code, ()), measured)
        percent = findings.items.get(w.code)
        source = None
        points = None
        if percent is not None:
            points, source = w.weight * percent / 100, "agency"
        elif computed is not None:
            points, source = w.weight * computed / 100, "computed"
            if w.code == ledger.item and ledger.configured:
                # The ledger's deductions come off what the system measured, not off the full weight.
                deductions = _deductions(ledger, facts, knowledge)
                points = max(0.0, points - sum(d.points for d in deductions))
            percent = points / w.weight * 100
        elif w.code == ledger.item and ledger.configured:
            deductions = _deductions(ledger, facts, knowledge)
            points = max(0.0, w.weight - sum(d.points for d in deductions))
            percent, source = points / w.weight * 100, "ledger"
        agency = source == "agency"
        items.append(ItemScore(code=w.code, item=w.item, label=w.label, weight=w.weight,
                               percent=None if percent is None else round(percent, 2),
                               points=None if points is None else round(points, 4),
                               source=source, source_label=labels.assessment_source(knowledge, source),
                               measures=measures, computed_percent=None if computed is None else round(computed, 2),
                               overridden=agency and computed is not None,
                               entered_by=findings.entered_by if agency else None,
                               entered_at=findings.entered_at if agency else None))
    missing = [i.code for i in items if i.points is None]

    events = {e.code: e for e in rules.grades.bonus_events}
    bonuses = [Bonus(code=c, label=events[c].text, article=events[c].article,
                     points=float(weights.bonus_points.get(c, 0))) for c in findings.bonus_events]

    score = None
    if not missing:
        total = sum(i.points for i in items if i.points is not None) + sum(b.points for b in bonuses)
        score = round(min(weights.max_score, total), 2)

    fail_events = {e.code: e for e in rules.grades.automatic_fail}
    fails = [FailEvent(code=c, label=fail_events[c].text, article=fail_events[c].article, source="agency",
                       source_label=labels.assessment_source(knowledge, "agency")) for c in findings.automatic_fail]
    if serious_overdue(config.serious_overdue, facts) and "overdue_tickets_serious" in fail_events \
            and "overdue_tickets_serious" not in findings.automatic_fail:
        event = fail_events["overdue_tickets_serious"]
        late = measured.get("tickets_on_time")
        fails.append(FailEvent(code=event.code, label=event.text, article=event.article, source="ledger",
                               source_label=labels.assessment_source(knowledge, "ledger"),
                               cases=[c for c in late.cases if not c.counted] if late else []))

    failed_band = rules.grades.bands[-1]
    band = failed_band if fails else (rules.grades.grade_for(score) if score is not None else None)

    triggers = {
        "failed_grade": band is not None and band.code == failed_band.code,  # Art. 42
        "refusal_to_act": findings.refusal_to_act,  # Art. 49
    }
    suspensions = [SuspensionFlag(id=s.id, article=s.article, trigger=s.trigger, effect=s.effect)
                   for s in rules.suspensions if triggers.get(s.id, False)]

    return AssessmentRow(
        bank=bank, code=code, score=score,
        grade=band.grade if band else None, grade_code=band.code if band else None,
        grade_label=band.grade if band else knowledge.messages.text("grade_pending"),
        complete=not missing, missing_items=missing, items=items, deductions=deductions, bonuses=bonuses,
        automatic_fail=fails, ledger=facts, suspended=bool(suspensions), suspensions=suspensions,
        note=findings.note, entered_by=findings.entered_by, entered_at=findings.entered_at,
    )
