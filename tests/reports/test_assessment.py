"""Art. 41 grades, automatic 不合格, and the Art. 42/49 suspension flag."""

from __future__ import annotations

import pytest

from bot.reports import AssessmentInput, BankFindings, LedgerPoints, SeriousOverdue, default_config, year_report
from bot.reports.assessment import AssessmentConfig, AssessmentError, assess, load_assessment
from bot.reports.model import LedgerFacts
from tests.reports.conftest import AFTER, BOC, CCB, ICBC


def uniform(knowledge, percent: float) -> dict[str, float]:
    return {w.code: percent for w in knowledge.rules.score_weights.items}


def graded(knowledge, findings: BankFindings, facts: LedgerFacts | None = None, config=None):
    return assess(bank=CCB, code="ccb", facts=facts or LedgerFacts(), findings=findings, knowledge=knowledge,
                  config=config or default_config())


@pytest.mark.parametrize(("percent", "grade"), [
    (100, "优"), (95, "优"), (94.99, "良"), (90, "良"), (89.99, "合格"), (85, "合格"), (84.99, "不合格"), (0, "不合格"),
])
def test_grade_bands_95_90_85(knowledge, percent, grade):
    row = graded(knowledge, BankFindings(items=uniform(knowledge, percent)))
    assert row.score == pytest.approx(percent)
    assert row.grade == grade and row.complete


def test_the_score_is_the_weighted_sum_of_the_items(knowledge):
    items = uniform(knowledge, 100) | {"card_service": 80}  # weight 25: loses 5 points
    row = graded(knowledge, BankFindings(items=items))
    assert row.score == 95 and row.grade == "优"
    assert next(i for i in row.items if i.code == "card_service").points == 20


def test_bonus_points_come_from_rules_yml_and_the_score_is_capped(knowledge):
    bonus = knowledge.rules.score_weights.bonus_points["head_office_honour"]
    row = graded(knowledge, BankFindings(items=uniform(knowledge, 94), bonus_events=("head_office_honour",)))
    assert row.score == 94 + bonus and row.grade == "优"
    capped = graded(knowledge, BankFindings(items=uniform(knowledge, 100), bonus_events=("head_office_honour",)))
    assert capped.score == knowledge.rules.score_weights.max_score


def test_without_every_item_there_is_no_score_and_no_grade(knowledge):
    items = uniform(knowledge, 100)
    items.pop("staff_training")
    row = graded(knowledge, BankFindings(items=items))
    assert (row.score, row.grade, row.grade_label, row.complete) == (None, None, "待评定", False)
    assert row.missing_items == ["staff_training"] and not row.suspended


def test_an_automatic_fail_event_makes_the_grade_fail_and_suspends_issuance(knowledge):
    row = graded(knowledge, BankFindings(items=uniform(knowledge, 100), automatic_fail=("serious_loss",)))
    assert row.score == 100 and row.grade == "不合格" and row.grade_code == "fail"
    assert [(e.code, e.article, e.source) for e in row.automatic_fail] == [("serious_loss", 41, "agency")]
    assert row.suspended and [(s.id, s.article) for s in row.suspensions] == [("failed_grade", 42)]


def test_an_automatic_fail_applies_even_without_item_scores(knowledge):
    row = graded(knowledge, BankFindings(automatic_fail=("overdue_tickets_serious",)))
    assert row.grade == "不合格" and row.score is None and row.suspended


def test_a_failing_score_suspends_issuance(knowledge):
    row = graded(knowledge, BankFindings(items=uniform(knowledge, 80)))
    assert row.grade == "不合格" and [s.id for s in row.suspensions] == ["failed_grade"]
    assert not graded(knowledge, BankFindings(items=uniform(knowledge, 85))).suspended


def test_refusal_to_act_suspends_whatever_the_grade(knowledge):
    row = graded(knowledge, BankFindings(items=uniform(knowledge, 100), refusal_to_act=True))
    assert row.grade == "优" and row.suspended
    assert [(s.id, s.article) for s in row.suspensions] == [("refusal_to_act", 49)]


def test_serious_overdue_from_the_ledger_only_when_configured(knowledge):
    facts = LedgerFacts(missed_tickets=3, max_days_overdue=20)
    findings = BankFindings(items=uniform(knowledge, 100))
    assert graded(knowledge, findings, facts).grade == "优"  # default: null criteria, the agency decides
    config = default_config().model_copy(update={"serious_overdue": SeriousOverdue(min_days_overdue=15)})
    row = graded(knowledge, findings, facts, config)
    assert row.grade == "不合格" and [(e.code, e.article, e.source) for e in row.automatic_fail] == [
        ("overdue_tickets_serious", 48, "ledger")]
    config = default_config().model_copy(update={"serious_overdue": SeriousOverdue(min_missed_tickets=4)})
    assert graded(knowledge, findings, facts, config).grade == "优"


def test_ledger_points_score_the_configured_item_unless_the_agency_did(knowledge):
    facts = LedgerFacts(complaints_found_true=3, missed_tickets=2, volume_months=1)
    points = LedgerPoints(per_found_true_complaint=1, per_missed_ticket=0.5, per_volume_month=2)
    config = default_config().model_copy(update={"ledger_points": points})
    items = uniform(knowledge, 100)
    items.pop("complaint_handling")  # weight 20
    row = graded(knowledge, BankFindings(items=items), facts, config)
    handling = next(i for i in row.items if i.code == "complaint_handling")
    assert (handling.points, handling.source) == (20 - 3 - 1 - 2, "ledger")
    assert row.score == 94 and row.grade == "良"
    assert {d.code: d.points for d in row.deductions} == {"complaints_found_true": 3, "missed_tickets": 1,
                                                          "volume_months": 2}
    agency = graded(knowledge, BankFindings(items=uniform(knowledge, 100)), facts, config)
    assert agency.score == 100 and agency.deductions == []


def test_the_default_configuration_invents_no_numbers():
    config = default_config()
    assert not config.ledger_points.configured
    assert config.serious_overdue.min_missed_tickets is None and config.serious_overdue.min_days_overdue is None


def test_assessment_files_are_checked(knowledge, tmp_path):
    good = tmp_path / "a.yml"
    good.write_text("year: 2026\nbanks:\n  建行:\n    items: {card_service: 90}\n    refusal_to_act: true\n",
                    encoding="utf-8")
    loaded = load_assessment(good, knowledge)
    assert list(loaded.banks) == [CCB] and loaded.banks[CCB].refusal_to_act
    for text in ("banks:\n  花旗银行: {}\n", "banks:\n  建行:\n    items: {nonsense: 90}\n",
                 "banks:\n  建行:\n    items: {card_service: 120}\n", "banks:\n  建行:\n    automatic_fail: [late]\n",
                 "banks: [\n"):
        bad = tmp_path / "bad.yml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(AssessmentError) as info:
            load_assessment(bad, knowledge)
        assert "\n" not in str(info.value)


def test_year_report_assessment_end_to_end(session, knowledge, calendar, ledger):
    given = AssessmentInput(year=2026, banks={
        "建行": BankFindings(items=uniform(knowledge, 95)),
        "工行": BankFindings(items=uniform(knowledge, 96), refusal_to_act=True),
    })
    config = AssessmentConfig(source="operator", serious_overdue=SeriousOverdue(min_days_overdue=50))
    report = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, assessment=given,
                         config=config, now=AFTER)
    ccb, icbc, boc = (report.assessment_of(b) for b in (CCB, ICBC, BOC))
    # ledger facts: found true only (Art. 50)
    assert ccb.ledger.complaints_found_true == 5  # c1, c2, c7, c10, c11; c3 (not true) and c4 (pending) excluded
    assert ccb.ledger.same_type_months == 2 and ccb.ledger.volume_months == 0  # the Art. 46 firing is a warning
    assert icbc.ledger.forced_selling_cases == 1 and icbc.ledger.praise_found_true == 1
    assert icbc.ledger.max_days_overdue == 45 and icbc.ledger.city_commendation_candidate is False
    assert ccb.ledger.missed_tickets == 3 and ccb.ledger.max_days_overdue == 64  # t1: Oct 12 → Dec 15
    # t1 has been overdue 64 days >= 50 (ICBC: t4, 45 days): Art. 48 serious, automatic fail despite a score of 95
    assert ccb.score == 95 and ccb.grade == "不合格" and ccb.suspended
    assert icbc.grade == "优" and icbc.suspended and [s.article for s in icbc.suspensions] == [49]
    assert boc.grade is None and boc.grade_label == "待评定" and not boc.suspended
    assert report.assessment_basis["serious_overdue"]["min_days_overdue"] == 50


def test_an_assessment_for_another_year_is_refused(session, knowledge, calendar):
    with pytest.raises(ValueError):
        year_report(session, year=2025, knowledge=knowledge, calendar=calendar,
                    assessment=AssessmentInput(year=2026), now=AFTER)
