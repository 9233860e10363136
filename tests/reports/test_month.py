"""The figures a supervisor relies on in a monthly report, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from bot.reports import month_report, year_report
from tests.reports.conftest import AFTER, BOC, CCB, ICBC, IN_NOVEMBER


@pytest.fixture
def october(session, knowledge, calendar):
    return month_report(session, month="2026-10", knowledge=knowledge, calendar=calendar, now=AFTER)


@pytest.fixture
def november(session, knowledge, calendar):
    return month_report(session, month="2026-11", knowledge=knowledge, calendar=calendar, now=AFTER)


def test_every_partner_bank_has_a_row_even_with_nothing(october, knowledge):
    assert [b.bank for b in october.banks] == [b.name for b in knowledge.banks]
    boc = october.bank(BOC)
    assert (boc.complaints.total, boc.praise.total, boc.overdue_tickets, boc.firings_official) == (0, 0, 0, 0)
    assert len(boc.complaint_types) == len(knowledge.intents_in("complaint"))


def test_complaints_per_bank_by_verification(october):
    ccb = october.bank(CCB)
    assert (ccb.complaints.total, ccb.complaints.found_true, ccb.complaints.not_true, ccb.complaints.pending) == (5, 3, 1, 1)
    icbc = october.bank(ICBC)
    assert (icbc.complaints.total, icbc.praise.total, icbc.praise.found_true) == (0, 1, 1)


def test_complaints_per_type_with_chinese_labels(october):
    types = {t.intent: t for t in october.bank(CCB).complaint_types}
    fees = types["complaint/fees"]
    assert (fees.label, fees.total, fees.found_true, fees.not_true, fees.pending) == ("乱收费", 3, 2, 1, 0)
    assert (types["complaint/attitude"].total, types["complaint/attitude"].pending) == (1, 1)
    assert (types["complaint/refusal"].total, types["complaint/refusal"].found_true) == (1, 1)
    assert types["complaint/overdue"].total == 0
    assert {t["intent"]: t["label"] for t in october.complaint_types}["complaint/forced_selling"] == "强制或诱导购买"


def test_month_boundaries_follow_shanghai_time(october, november, session, knowledge, calendar):
    # c11 (Oct 1 00:00 Shanghai = Sep 30 UTC) and c4 (Oct 31 23:30) are October's; c7 (Nov 1 00:30 Shanghai =
    # Oct 31 UTC) is November's; c10 (Sep 30 23:59 Shanghai) is September's.
    fees_nov = {t.intent: t for t in november.bank(CCB).complaint_types}["complaint/fees"]
    assert (november.bank(CCB).complaints.total, fees_nov.found_true) == (1, 1)
    attitude_oct = {t.intent: t for t in october.bank(CCB).complaint_types}["complaint/attitude"]
    assert attitude_oct.total == 1
    september = month_report(session, month="2026-09", knowledge=knowledge, calendar=calendar, now=AFTER)
    assert september.bank(CCB).complaints.total == 1
    assert {t.intent: t for t in september.bank(CCB).complaint_types}["complaint/refusal"].total == 0


def test_outlet_rows(october):
    licun = october.outlet(CCB, "李村支行")
    assert (licun.complaints.total, licun.complaints.found_true, licun.complaints.pending, licun.district) == (3, 2, 1, "李沧区")
    assert [(t.intent, t.total) for t in licun.complaint_types] == [("complaint/attitude", 1), ("complaint/fees", 2)]
    assert october.outlet(CCB, "东海路支行").complaints.not_true == 1
    no_outlet = october.outlet(CCB, None)
    assert (no_outlet.outlet_label, no_outlet.complaints.found_true) == ("（未指明网点）", 1)
    # configured outlets are listed with zeros
    assert october.outlet(ICBC, "李沧支行").complaints.total == 0
    assert october.outlet(ICBC, "台东支行").praise.found_true == 1


def test_cases_without_a_bank_count_in_the_totals_only(october):
    assert october.unassigned["complaints"].total == 1
    assert october.totals["complaints"].total == 6
    assert sum(b.complaints.total for b in october.banks) == 5


def test_rules_fired_in_the_month_official_and_warning(october, november, ledger):
    fired = {(f.rule_id, f.level, f.period) for f in october.firings}
    assert fired == {("bank_same_type_complaints", "official", "2026-10"),
                     ("bank_complaint_volume", "warning", "2026-10"),
                     ("outlet_praise_commendation", "official", "2026")}  # a year rule fired in October
    same_type = next(f for f in october.firings if f.rule_id == "bank_same_type_complaints")
    assert same_type.articles == [45] and same_type.next_steps == ["第一步", "第二步"]
    assert same_type.level_label.startswith("正式") and same_type.rule_label == "同类投诉"
    assert same_type.fired_at.utcoffset().total_seconds() == 8 * 3600
    ccb = october.bank(CCB)
    assert (ccb.firings_official, ccb.firings_warning) == (1, 1)
    # the per-case rule (Art. 47) fired in November is November's
    assert {f.rule_id for f in november.firings} == {"forced_selling"}


def test_overdue_tickets_as_of_the_end_of_a_past_month(october):
    assert october.as_of == date(2026, 11, 1) and not october.current
    overdue = {t.number: t for t in october.overdue}
    # t1 open, t3 completed only in November, t4 due on the last day, t6 supervision ticket; t2 was on time
    assert set(overdue) == {"ZB-20261005-0001", "ZB-20261020-0001", "ZB-20261010-0001", "DB-20261020-0001"}
    assert overdue["ZB-20261005-0001"].days_overdue == 20
    assert overdue["ZB-20261010-0001"].days_overdue == 1
    assert overdue["DB-20261020-0001"].kind_label == "督办单"
    assert overdue["ZB-20261010-0001"].state_label == "已签收"
    assert (october.bank(CCB).overdue_tickets, october.bank(ICBC).overdue_tickets) == (3, 1)
    assert (october.bank(CCB).missed_tickets, october.bank(ICBC).missed_tickets) == (3, 1)


def test_overdue_tickets_of_a_later_month_no_longer_list_completed_ones(november):
    assert {t.number for t in november.overdue} == {"ZB-20261005-0001", "ZB-20261010-0001", "DB-20261020-0001",
                                                     "ZB-20261113-0001"}


def test_overdue_tickets_of_the_current_month_are_as_of_today(session, knowledge, calendar):
    report = month_report(session, month="2026-11", knowledge=knowledge, calendar=calendar, now=IN_NOVEMBER)
    assert report.current and report.as_of == date(2026, 11, 10)
    # today: t3 has been completed, t5 is not due yet
    assert {t.number for t in report.overdue} == {"ZB-20261005-0001", "ZB-20261010-0001", "DB-20261020-0001"}
    assert next(t for t in report.overdue if t.number == "ZB-20261005-0001").days_overdue == 29


def test_year_report_adds_up_the_months(session, knowledge, calendar):
    year = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=AFTER)
    assert year.bank(CCB).complaints.total == 7  # September 1 + October 5 + November 1
    assert year.bank(CCB).complaints.found_true == 5
    assert {f.period for f in year.firings} >= {"2026-09", "2026-10", "2026"}
    assert len(year.firings) == 5


def test_bad_periods_are_refused(session, knowledge, calendar):
    for bad in ("2026-13", "2026-00", "2026-1", "26-11", "2026/11", ""):
        with pytest.raises(ValueError):
            month_report(session, month=bad, knowledge=knowledge, calendar=calendar, now=AFTER)
    for bad in ("20x6", "1", "99999"):
        with pytest.raises(ValueError):
            year_report(session, year=bad, knowledge=knowledge, calendar=calendar, now=AFTER)
