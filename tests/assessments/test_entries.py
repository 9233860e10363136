"""The city's assessment findings: checked field by field, one entry per bank and year (entering again
replaces it), and they are what the yearly assessment scores — a complete entry gives a score and a
grade, a confirmed automatic-fail event fails the bank and suspends new cards (Art. 41, 42)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.assessments import AssessmentEntry, EntryDraft, EntryInvalid, assessment_input, parse_entry, save_entry
from bot.supervision.figures import grades
from tests.supervision.conftest import CCB, ICBC, NOW

ALL_ITEMS = {"outlet_construction": "96", "card_service": "92", "staff_training": "90", "system_maintenance": "100",
             "complaint_handling": "88", "agreement": "100", "annual_work": "95%"}


def _save(engine, knowledge, bank: str, draft: EntryDraft, *, by: str = "city1") -> None:
    with Session(engine) as session:
        save_entry(session, year=2026, bank=bank, findings=parse_entry(draft, knowledge=knowledge), by=by, now=NOW)
        session.commit()


def test_every_bad_field_is_named_at_once(knowledge):
    with pytest.raises(EntryInvalid) as caught:
        parse_entry(EntryDraft(items={"card_service": "101", "agreement": "九十", "made_up": "50"},
                               bonus_events=("free_lunch",), note="说" * 2001), knowledge=knowledge)
    assert set(caught.value.problems) == {"item_card_service", "item_agreement", "item_made_up", "bonus_events",
                                          "note"}
    assert all(caught.value.explain_each(knowledge.messages).values())


def test_blank_items_are_not_scored_and_a_percent_sign_is_understood(knowledge):
    findings = parse_entry(EntryDraft(items={"card_service": " 92.5 % ", "agreement": ""}), knowledge=knowledge)
    assert dict(findings.items) == {"card_service": 92.5}


def test_nan_is_not_a_percent(knowledge):
    with pytest.raises(EntryInvalid):
        parse_entry(EntryDraft(items={"card_service": "nan"}), knowledge=knowledge)


def test_entering_again_replaces_the_entry(engine, knowledge):
    _save(engine, knowledge, CCB, EntryDraft(items={"card_service": "80"}))
    _save(engine, knowledge, CCB, EntryDraft(items={"card_service": "90"}, note="复核后调整"), by="admin1")
    with Session(engine) as session:
        entries = session.exec(select(AssessmentEntry)).all()
    assert [(e.bank, e.items, e.entered_by, e.note) for e in entries] == [(CCB, {"card_service": 90.0}, "admin1",
                                                                          "复核后调整")]


def test_a_year_without_entries_has_no_input(engine, knowledge):
    with Session(engine) as session:
        assert assessment_input(session, year=2026, knowledge=knowledge) is None


def test_a_complete_entry_is_scored_and_graded(engine, knowledge, calendar):
    _save(engine, knowledge, CCB, EntryDraft(items=ALL_ITEMS, bonus_events=("head_office_honour",)))
    with Session(engine) as session:
        result = grades(session, year=2026, scope=None, knowledge=knowledge, calendar=calendar, now=NOW)
    ccb = next(g for g in result.rows if g.bank == CCB)
    weights = {w.code: w.weight for w in knowledge.rules.score_weights.items}
    expected = sum(weights[c] * float(v.rstrip("%")) / 100 for c, v in ALL_ITEMS.items()) \
        + knowledge.rules.score_weights.bonus_points["head_office_honour"]
    assert ccb.score == round(min(100, expected), 2) and ccb.complete
    band = knowledge.rules.grades.grade_for(ccb.score)
    assert ccb.grade_label == band.grade
    assert result.entered and result.assessment_file is None
    icbc = next(g for g in result.rows if g.bank == ICBC)
    assert icbc.score is None and icbc.grade_label == knowledge.messages.text("grade_pending")


def test_a_confirmed_automatic_fail_event_fails_and_suspends(engine, knowledge, calendar):
    _save(engine, knowledge, ICBC, EntryDraft(items=ALL_ITEMS, automatic_fail=("serious_loss",)))
    with Session(engine) as session:
        result = grades(session, year=2026, scope=None, knowledge=knowledge, calendar=calendar, now=NOW)
    icbc = next(g for g in result.rows if g.bank == ICBC)
    assert icbc.grade_label == knowledge.rules.grades.bands[-1].grade and icbc.suspended
