"""The Art. 40 items the system measures (knowledge/assessment.yml computed), on both databases:
each percent and its points are what the seeded facts and the yml's weights give by hand; the
city's entry overrides a computed item; another bank's facts and another year's do not count; a
bank without facts stays unscored; `sbk report year` shows how each score was reached."""

from __future__ import annotations

import warnings

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from bot.assessments import save_entry
from bot.assessments.entries import assessment_input
from bot.knowledge import KnowledgeError, load_knowledge
from bot.reports import BankFindings, default_config, render_markdown, write_xlsx, year_report
from tests.reports.assessment_seed import (
    AFTER_YEAR,
    ANSWERED,
    BOC,
    CCB,
    COMPLAINTS_TRUE,
    ICBC,
    ITEMS_CHECKED,
    ITEMS_COMPLIANT,
    LATE_TICKET,
    PRAISE_TRUE,
    SATISFIED,
    SUMMARIES_DUE,
    SUMMARIES_ON_TIME,
    TICKETS_DUE,
    TICKETS_ON_TIME,
    YEAR,
    seed_year,
)

# By hand: each measure's percent from the counts seeded for 中国建设银行.
MEASURED = {
    "tickets_on_time": TICKETS_ON_TIME / TICKETS_DUE * 100,  # 80
    "satisfaction": SATISFIED / ANSWERED * 100,  # 66.67
    "praise_share": PRAISE_TRUE / (PRAISE_TRUE + COMPLAINTS_TRUE) * 100,  # 50
    "inspection_compliance": ITEMS_COMPLIANT / ITEMS_CHECKED * 100,  # 91.67
    "self_inspection_punctuality": SUMMARIES_ON_TIME / SUMMARIES_DUE * 100,  # 78.95
}


@pytest.fixture
def seeded(engine, knowledge):
    with Session(engine, expire_on_commit=False) as session:
        seed_year(session, knowledge)
    return engine


def _report(engine, knowledge, calendar, assessment=None):
    with Session(engine) as session:
        return year_report(session, year=YEAR, knowledge=knowledge, calendar=calendar, assessment=assessment,
                           now=AFTER_YEAR)


def _expected(knowledge) -> dict[str, tuple[float, float]]:
    """item code → (percent, points) from the yml's weights and MEASURED."""
    weights = {w.code: w.weight for w in knowledge.rules.score_weights.items}
    out = {}
    for item, measures in default_config().computed.items():
        percent = sum(m.weight * MEASURED[m.measure] for m in measures) / sum(m.weight for m in measures)
        out[item] = (percent, weights[item] * percent / 100)
    return out


def test_the_shipped_mapping_scores_items_of_article_40(knowledge):
    computed = default_config().computed
    assert set(computed) <= {w.code for w in knowledge.rules.score_weights.items}
    used = {m.measure for ms in computed.values() for m in ms}
    assert used == set(MEASURED)  # every measure the system has scores some item


def test_each_computed_item_is_the_weighted_measures_of_the_seeded_facts(seeded, knowledge, calendar):
    row = _report(seeded, knowledge, calendar).assessment_of(CCB)
    expected = _expected(knowledge)
    # the mapping shipped: 五 from tickets and satisfaction, 二 from inspections and praise, 一 from summaries
    assert expected["complaint_handling"][0] == pytest.approx(0.7 * 80 + 0.3 * 200 / 3)  # 76
    assert expected["card_service"][0] == pytest.approx(0.7 * 2200 / 24 + 0.3 * 50)  # 79.17
    items = {i.code: i for i in row.items}
    for code, (percent, points) in expected.items():
        item = items[code]
        assert item.source == "computed" and item.source_label == "系统计算"
        assert item.percent == round(percent, 2) and item.points == pytest.approx(points, abs=1e-4)
    measures = {m.code: m for i in row.items for m in i.measures}
    assert {c: (m.good, m.total) for c, m in measures.items()} == {
        "tickets_on_time": (4, 5), "satisfaction": (2, 3), "praise_share": (2, 4),
        "inspection_compliance": (22, 24), "self_inspection_punctuality": (15, 19)}
    assert measures["tickets_on_time"].summary == "到期的转办单、督办单 5 件，按期办结 4 件，逾期 1 件"
    # the cases behind: the late ticket, the unhappy callback, the failed checks, the late and missing summaries
    assert [(c.kind, c.ref, c.counted) for c in measures["tickets_on_time"].cases] == [("ticket", LATE_TICKET, False)]
    assert "逾期 5 天" in measures["tickets_on_time"].cases[0].label
    assert [c.counted for c in measures["satisfaction"].cases] == [False]
    inspections = measures["inspection_compliance"].cases
    assert [c.counted for c in inspections] == [False, True] and "不符合 2 项" in inspections[0].label
    summaries = measures["self_inspection_punctuality"].cases
    assert sorted(c.ref for c in summaries if not c.counted) == ["2026", "2026-11", "2026-12", "2026-H2"]
    # the items the system cannot know stay the city's: not scored, no grade yet
    manual = [i for i in row.items if i.code not in expected]
    assert manual and all(i.points is None and i.source is None and not i.measures for i in manual)
    assert row.score is None and row.grade_label == "待评定" and set(row.missing_items) == {i.code for i in manual}


def test_the_other_bank_counts_only_its_own_facts(seeded, knowledge, calendar):
    icbc = _report(seeded, knowledge, calendar).assessment_of(ICBC)
    measures = {m.code: m for i in icbc.items for m in i.measures}
    assert (measures["tickets_on_time"].good, measures["tickets_on_time"].total) == (0, 1)
    assert (measures["satisfaction"].good, measures["satisfaction"].total) == (0, 1)
    assert (measures["inspection_compliance"].good, measures["inspection_compliance"].total) == (0, 12)
    assert (measures["praise_share"].good, measures["praise_share"].total) == (0, 1)
    assert [c.ref for c in measures["tickets_on_time"].cases] == ["ZB-20260320-0007"]
    assert {i.code: i.percent for i in icbc.items if i.code == "complaint_handling"} == {"complaint_handling": 0}


def test_a_bank_without_facts_is_not_scored_rather_than_zero_or_hundred(seeded, knowledge, calendar):
    boc = _report(seeded, knowledge, calendar).assessment_of(BOC)
    computed = [i for i in boc.items if i.measures]
    # no tickets, callbacks, cases or inspections; its summaries, all missing, do score 一
    by_code = {i.code: i for i in computed}
    for code in ("complaint_handling", "card_service"):
        assert by_code[code].percent is None and by_code[code].points is None and by_code[code].source is None
        assert all(m.percent is None and m.total == 0 for m in by_code[code].measures)
    assert by_code["outlet_construction"].percent == 0 and by_code["outlet_construction"].measures[0].total == 19


def test_a_measure_without_data_leaves_the_others_to_score_the_item(engine, knowledge, calendar):
    with Session(engine, expire_on_commit=False) as session:
        seed_year(session, knowledge)
        from sqlmodel import delete

        from bot.satisfaction.models import SatisfactionCallback

        session.exec(delete(SatisfactionCallback))
        session.commit()
    item = next(i for i in _report(engine, knowledge, calendar).assessment_of(CCB).items
                if i.code == "complaint_handling")
    assert item.percent == 80 and item.points == pytest.approx(20 * 0.8)  # tickets alone: 4 of 5


def test_the_citys_entry_overrides_a_computed_item_and_says_so(seeded, knowledge, calendar):
    with Session(seeded) as session:
        save_entry(session, year=YEAR, bank=CCB, findings=BankFindings(items={"complaint_handling": 90}),
                   by="city1", now=AFTER_YEAR)
        session.commit()
        given = assessment_input(session, year=YEAR, knowledge=knowledge)
    row = _report(seeded, knowledge, calendar, given).assessment_of(CCB)
    item = next(i for i in row.items if i.code == "complaint_handling")
    assert (item.source, item.percent, item.points) == ("agency", 90, 18)
    assert item.overridden and item.computed_percent == 76 and item.entered_by == "city1"
    card = next(i for i in row.items if i.code == "card_service")
    assert card.source == "computed" and not card.overridden  # the other computed items stay computed
    text = render_markdown(_report(seeded, knowledge, calendar, given), knowledge=knowledge)
    assert "系统计算为 76%，已由市社会保险经办机构录入的得分率替代" in text and "录入：city1" in text


def test_every_item_scored_gives_the_grade(seeded, knowledge, calendar):
    manual = {w.code: 100.0 for w in knowledge.rules.score_weights.items if w.code not in default_config().computed}
    from bot.reports import AssessmentInput

    row = _report(seeded, knowledge, calendar, AssessmentInput(year=YEAR, banks={CCB: BankFindings(items=manual)}))
    ccb = row.assessment_of(CCB)
    weights = {w.code: w.weight for w in knowledge.rules.score_weights.items}
    total = sum(weights[c] for c in manual) + sum(points for _, points in _expected(knowledge).values())
    assert ccb.complete and ccb.score == round(total, 2)
    assert ccb.grade == knowledge.rules.grades.grade_for(ccb.score).grade
    assert ccb.suspended == (ccb.grade == "不合格")


def test_serious_overdue_fails_the_bank_with_the_tickets_behind_it(seeded, knowledge, calendar):
    from bot.reports import SeriousOverdue

    config = default_config().model_copy(update={"serious_overdue": SeriousOverdue(min_days_overdue=5)})
    with Session(seeded) as session:
        report = year_report(session, year=YEAR, knowledge=knowledge, calendar=calendar, config=config,
                             now=AFTER_YEAR)
    ccb = report.assessment_of(CCB)
    [fail] = ccb.automatic_fail
    assert (fail.code, fail.article, fail.source) == ("overdue_tickets_serious", 48, "ledger")
    assert [c.ref for c in fail.cases] == [LATE_TICKET]  # its five days late; not the other bank's ticket
    assert ccb.grade == "不合格" and [s.id for s in ccb.suspensions] == ["failed_grade"]  # Art. 42
    later = default_config().model_copy(update={"serious_overdue": SeriousOverdue(min_days_overdue=6)})
    with Session(seeded) as session:
        report = year_report(session, year=YEAR, knowledge=knowledge, calendar=calendar, config=later,
                             now=AFTER_YEAR)
    assert report.assessment_of(CCB).automatic_fail == []


def test_the_year_report_shows_how_each_score_was_reached(seeded, knowledge, calendar):
    text = render_markdown(_report(seeded, knowledge, calendar), knowledge=knowledge)
    assert "各项得分的计算依据" in text
    assert "到期的转办单、督办单 5 件，按期办结 4 件，逾期 1 件" in text and LATE_TICKET in text
    assert "现场督导共检查 24 项，符合 22 项，不符合 2 项" in text
    assert "应上报自查总结 19 份，按时上报 15 份，逾期或未报 4 份" in text
    assert "| （五）效能投诉督办件办理情况 | 20 | 76% | 15.20 | 系统计算 |" in text


def test_the_year_workbook_shows_how_each_score_was_reached(seeded, knowledge, calendar, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = write_xlsx(_report(seeded, knowledge, calendar), tmp_path / "2026.xlsx", knowledge=knowledge,
                          charts=False)[0]
    sheet = load_workbook(path)["考评明细"]
    header, *rows = sheet.iter_rows(values_only=True)
    assert header[:3] == ("合作银行", "考评项目", "权重") and "计算过程" in header
    column = {name: header.index(name) for name in ("考评项目", "得分率（%）", "得分", "系统计算依据", "计算过程",
                                                    "相关案件（先列扣分的）")}
    ccb = [r for r in rows if r[0] == CCB]
    handling = [r for r in ccb if r[column["考评项目"]] == "（五）效能投诉督办件办理情况"]
    # one row per measured figure of the item: the same item score on each, then the figure and its cases
    assert [r[column["系统计算依据"]] for r in handling] == ["转办单、督办单按期办结", "回访满意率"]
    assert {(r[column["得分率（%）"]], r[column["得分"]]) for r in handling} == {(76, 15.2)}
    on_time = handling[0]
    assert on_time[column["计算过程"]] == "到期的转办单、督办单 5 件，按期办结 4 件，逾期 1 件"
    assert LATE_TICKET in on_time[column["相关案件（先列扣分的）"]]
    # an item the system cannot know: one row, not scored, no figure
    manual = [r for r in ccb if r[column["系统计算依据"]] is None]
    assert manual and all(r[column["得分率（%）"]] == "未评分" and r[column["得分"]] is None for r in manual)
    # every bank of the report has its items there
    assert {r[0] for r in rows} >= {CCB, ICBC, BOC}


def test_the_loader_refuses_a_computed_item_rules_yml_does_not_have(knowledge_copy):
    path = knowledge_copy / "assessment.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("  card_service:\n", "  card_services:\n"),
                    encoding="utf-8")
    with pytest.raises(KnowledgeError, match="card_services"):
        load_knowledge(knowledge_copy)
    path.write_text(path.read_text(encoding="utf-8").replace("measure: praise_share", "measure: praise_count"),
                    encoding="utf-8")
    with pytest.raises(KnowledgeError, match="praise_count"):
        load_knowledge(knowledge_copy)


@pytest.fixture
def knowledge_copy(tmp_path):
    import shutil
    from pathlib import Path

    copy = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).resolve().parents[2] / "knowledge", copy)
    return copy
