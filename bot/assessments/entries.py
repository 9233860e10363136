"""Reading, checking and saving the city's assessment findings, one bank and year at a time.

An entry replaces the bank's previous one for that year (the audit log records each change). A
year's entries become the `AssessmentInput` that `bot.reports.assessment.assess` scores, so the
console, the yearly report and `sbk report year` grade from the same findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot.assessments.models import NOTE_MAX, AssessmentEntry, AssessmentEntryPublic
from bot.knowledge import Knowledge
from bot.knowledge.catalogue import FieldRefusals, Refusal
from bot.reports.assessment import AssessmentInput, BankFindings


class EntryInvalid(FieldRefusals):
    """What the form typed cannot be saved; `problems` holds each field's refusal (all at once)."""


@dataclass(frozen=True)
class EntryDraft:
    """The form as typed: a percent (text, blank for "not scored") per Art. 40 item code, the ticked events."""

    items: Mapping[str, str] = field(default_factory=dict)
    bonus_events: tuple[str, ...] = ()
    automatic_fail: tuple[str, ...] = ()
    refusal_to_act: bool = False
    note: str = ""

    @classmethod
    def of(cls, entry: AssessmentEntryPublic | None) -> EntryDraft:
        """The form filled with a saved entry (or empty)."""
        if entry is None:
            return cls()
        return cls(items={code: f"{value:g}" for code, value in entry.items.items()},
                   bonus_events=tuple(entry.bonus_events), automatic_fail=tuple(entry.automatic_fail),
                   refusal_to_act=entry.refusal_to_act, note=entry.note or "")


def parse_entry(draft: EntryDraft, *, knowledge: Knowledge) -> BankFindings:
    """The findings to save, or EntryInvalid naming every field at fault."""
    rules = knowledge.rules
    known_items = [w.code for w in rules.score_weights.items]
    problems: dict[str, Refusal] = {}
    items: dict[str, float] = {}
    for code in sorted(set(draft.items) - set(known_items)):
        problems[f"item_{code}"] = Refusal("assessment_item_unknown", item=code[:40])
    for code in known_items:
        typed = (draft.items.get(code) or "").strip().rstrip("%").strip()
        if not typed:
            continue
        try:
            value = float(typed)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 100:  # also NaN, which compares false both ways
            problems[f"item_{code}"] = Refusal("assessment_percent_invalid", value=typed[:20])
        else:
            items[code] = value
    for name, given, known in (("bonus_events", draft.bonus_events, {e.code for e in rules.grades.bonus_events}),
                               ("automatic_fail", draft.automatic_fail,
                                {e.code for e in rules.grades.automatic_fail})):
        unknown = sorted(set(given) - known)
        if unknown:
            problems[name] = Refusal("assessment_event_unknown", event=unknown[0][:40])
    note = draft.note.strip()
    if len(note) > NOTE_MAX:
        problems["note"] = Refusal("assessment_note_too_long", max=NOTE_MAX, length=len(note))
    if problems:
        raise EntryInvalid(problems)
    return BankFindings(items=items, bonus_events=tuple(dict.fromkeys(draft.bonus_events)),
                        automatic_fail=tuple(dict.fromkeys(draft.automatic_fail)),
                        refusal_to_act=draft.refusal_to_act, note=note or None)


def _entry(session: Session, *, year: int, bank: str) -> AssessmentEntry | None:
    return session.exec(select(AssessmentEntry).where(AssessmentEntry.year == year,
                                                      AssessmentEntry.bank == bank)).first()


def save_entry(session: Session, *, year: int, bank: str, findings: BankFindings, by: str,
               now: datetime) -> AssessmentEntry:
    """Save the city's findings of `bank` for `year`, replacing any earlier entry. `bank` is canonical."""
    entry = _entry(session, year=year, bank=bank) or AssessmentEntry(year=year, bank=bank, entered_by=by,
                                                                      entered_at=now)
    entry.items = dict(findings.items)
    entry.bonus_events = list(findings.bonus_events)
    entry.automatic_fail = list(findings.automatic_fail)
    entry.refusal_to_act = findings.refusal_to_act
    entry.note = findings.note
    entry.entered_by = by
    entry.entered_at = now
    session.add(entry)
    session.flush()
    return entry


def entry_for(session: Session, *, year: int, bank: str) -> AssessmentEntryPublic | None:
    entry = _entry(session, year=year, bank=bank)
    return AssessmentEntryPublic.model_validate(entry) if entry else None


def assessment_input(session: Session, *, year: int, knowledge: Knowledge) -> AssessmentInput | None:
    """The year's entries as the assessment's input; None when the city has entered nothing for it."""
    entries = session.exec(select(AssessmentEntry).where(AssessmentEntry.year == year)).all()
    if not entries:
        return None
    return AssessmentInput(year=year, banks={e.bank: BankFindings(
        items=e.items, bonus_events=tuple(e.bonus_events), automatic_fail=tuple(e.automatic_fail),
        refusal_to_act=e.refusal_to_act, note=e.note, entered_by=e.entered_by, entered_at=e.entered_at)
        for e in entries}).checked(knowledge)
