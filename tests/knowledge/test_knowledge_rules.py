"""Thresholds, grades and deadlines as data (knowledge/rules.yml, checked against the Measures)."""

from datetime import date

import pytest

THRESHOLDS = {
    # id: (article, subject, period, counts, count, threshold)
    "outlet_praise_commendation": (43, "outlet", "year", "praise", "found_true", 3),
    "bank_praise_commendation": (43, "bank", "year", "praise", "found_true", 10),
    "outlet_violations": (44, "outlet", "year", "violation", "found_true", 3),
    "bank_same_type_complaints": (45, "bank", "month", "complaint", "found_true", 3),
    "bank_complaint_volume": (46, "bank", "month", "complaint", "found_true", 5),
    "forced_selling": (47, "bank", "case", "forced_selling", "found_true", 1),
    "overdue_tickets": (48, "bank", "month", "overdue_ticket", "recorded", 1),
}


@pytest.mark.parametrize("rule_id", THRESHOLDS)
def test_threshold(knowledge, rule_id):
    rule = knowledge.rules.threshold(rule_id)
    assert (rule.article, rule.subject, rule.period, rule.counts, rule.count, rule.threshold) == THRESHOLDS[rule_id]
    assert rule.quote in knowledge.article(rule.article).text
    assert rule.consequence and rule.next_steps
    if rule.warning is not None:
        assert (rule.warning.count, rule.warning.source) == ("received", "operator")


def test_threshold_ids(knowledge):
    assert {r.id for r in knowledge.rules.thresholds} == set(THRESHOLDS)
    assert knowledge.rules.threshold("bank_same_type_complaints").group_by == "complaint_type"
    assert knowledge.rules.threshold("bank_praise_commendation").confirmation


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "优"), (95, "优"), (94.9, "良"), (90, "良"), (89.99, "合格"), (85, "合格"), (84.9, "不合格"), (0, "不合格")],
)
def test_grade_bands(knowledge, score, grade):
    assert knowledge.rules.grades.grade_for(score).grade == grade


def test_automatic_fail_and_suspension(knowledge):
    grades = knowledge.rules.grades
    assert {e.article for e in grades.automatic_fail} == {41, 48}
    assert {(s.id, s.article) for s in knowledge.rules.suspensions} == {("failed_grade", 42), ("refusal_to_act", 49)}


def test_weights_are_operator_configuration(knowledge):
    weights = knowledge.rules.score_weights
    assert weights.source == "operator"
    assert sum(w.weight for w in weights.items) == 100
    assert [w.item for w in weights.items] == list(knowledge.article(40).items)


def test_deadlines(knowledge):
    d = knowledge.rules.deadlines
    assert (d.self_inspection.article, d.self_inspection.due_day_of_next_month, d.self_inspection.due_time) == (38, 3, "17:00")
    assert d.self_inspection.holiday_rule == "next_working_day"
    assert (d.district_inspection.article, d.district_inspection.min_outlets_per_week) == (29, 3)
    assert d.district_inspection.record_within_working_days == 2
    assert (d.objection.article, d.objection.days, d.objection.day_kind) == (53, 5, "calendar")
    assert (d.extension_request.article, d.extension_request.working_days_before_due) == (9, 1)


def test_ticket_due_days_are_operator_configuration(knowledge):
    due = knowledge.rules.ticket_due
    assert due.source == "operator"
    assert (due.transfer.label, due.supervision.label) == ("转办单", "督办单")
    assert due.transfer.working_days > 0 and due.supervision.working_days > 0


def test_validity_of_the_measures(knowledge):
    validity = knowledge.rules.validity
    assert validity.in_force_on(date(2020, 6, 1))
    assert not validity.in_force_on(date(2026, 1, 1))


def test_channels(knowledge):
    names = {c.name for c in knowledge.channels if c.source == "regulation"}
    assert names == {"12345", "12333", "政府信箱", "政务微博", "在线问政", "行风在线", "来访", "来电", "网办平台留言"}
    for name in names - {"来访", "来电"}:
        assert name in knowledge.article(50).text
    telegram = knowledge.channel("telegram")
    assert telegram.source == "product" and telegram.article is None
    assert len({c.code for c in knowledge.channels}) == 10
