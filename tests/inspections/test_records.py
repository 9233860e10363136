"""Recording an on-site inspection: what is stored, lateness on the official calendar (Art. 29),
and each refusal, after which nothing is added."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.inspections import (
    DuplicateInspection,
    FindingInput,
    InspectionNotVisible,
    InvalidInspection,
    OutletInspection,
    OutletOutOfScope,
    get_inspection,
    list_inspections,
    record_due,
)
from tests.inspections.conftest import CCB, ICBC, LICANG, NOW, SHINAN, all_compliant, not_met, record, sh


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(OutletInspection)).one()


def test_an_inspection_is_stored_with_its_findings_its_staff_and_who_recorded_it(engine, calendar, knowledge):
    with Session(engine) as session:
        saved = record(session, calendar, staff=[" 王强 ", "李敏", ""], rectification="一周内悬挂统一标牌",
                       recheck_on="2026-12-04", findings=all_compliant(outlet_signage=not_met()))
        session.commit()
        inspection_id = saved.id
    with Session(engine) as session:
        stored = session.get(OutletInspection, inspection_id)
        assert (stored.district, stored.bank, stored.outlet, stored.inspected_on) == \
            (LICANG, CCB, "李村支行", date(2026, 11, 27))
        assert stored.staff == ["王强", "李敏"]
        assert (stored.recorded_by, stored.recorded_at) == ("licang1", NOW)
        assert (stored.rectification, stored.recheck_on) == ("一周内悬挂统一标牌", date(2026, 12, 4))
        findings = stored.finding_items
        assert [f.code for f in findings] == [item.code for item in knowledge.inspections.items]
        assert [f.article for f in findings] == list(range(8, 20))  # Art. 8–19, one item each
        signage = findings[0]
        assert (signage.compliant, signage.note, signage.label) == \
            (False, "未悬挂统一标牌", knowledge.inspections.items[0].label)
        assert [f.code for f in stored.non_compliant] == ["outlet_signage"]
        # Friday 11-27 + 2 working days: Monday 11-30, Tuesday 12-01.
        assert (stored.record_due, stored.late) == (date(2026, 12, 1), False)


@pytest.mark.parametrize(("inspected", "due"), [
    (date(2026, 9, 30), date(2026, 10, 9)),  # National Day: 10-01 to 10-07 off, back on Thursday 10-08
    (date(2026, 9, 29), date(2026, 10, 8)),
    (date(2026, 10, 9), date(2026, 10, 12)),  # the make-up Saturday 10-10 is a working day
    (date(2026, 11, 28), date(2026, 12, 1)),  # inspected on a Saturday: Monday and Tuesday count
])
def test_the_recording_limit_is_two_working_days_of_the_official_calendar(calendar, knowledge, inspected, due):
    assert record_due(inspected, knowledge=knowledge, calendar=calendar) == due


@pytest.mark.parametrize(("recorded", "late"), [
    (sh(2026, 10, 9, 17, 30), False),  # the last day, in the afternoon
    (sh(2026, 10, 10, 9, 0), True),  # the make-up Saturday is the third working day
    (sh(2026, 10, 8, 0, 30), False),  # 00:30 in Qingdao is still 10-07 in UTC: the local day counts
])
def test_a_recording_after_the_limit_is_stored_as_late(engine, calendar, recorded, late):
    with Session(engine) as session:
        saved = record(session, calendar, inspected_on="2026-09-30", now=recorded)
        session.commit()
        assert (saved.record_due, saved.late) == (date(2026, 10, 9), late)
    with Session(engine) as session:
        assert session.exec(select(OutletInspection.late)).one() is late


FINDINGS_WITHOUT_FEES = {code: f for code, f in all_compliant().items() if code != "no_fee_notice"}


@pytest.mark.parametrize(("given", "code", "field"), [
    ({"inspected_on": ""}, "inspection_date_missing", "inspected_on"),
    ({"inspected_on": "2026/11/27"}, "inspection_date_invalid", "inspected_on"),
    ({"inspected_on": "2026-02-30"}, "inspection_date_invalid", "inspected_on"),
    ({"inspected_on": "2026-11-28"}, "inspection_date_future", "inspected_on"),  # tomorrow in Qingdao
    ({"outlet": ""}, "inspection_outlet_missing", "outlet"),
    ({"outlet": "不存在支行"}, "inspection_outlet_unknown", "outlet"),
    ({"bank": "花旗银行"}, "inspection_outlet_unknown", "outlet"),
    ({"staff": ["王强"]}, "inspection_staff_too_few", "staff"),
    ({"staff": ["王强", " ", ""]}, "inspection_staff_too_few", "staff"),
    ({"staff": ["王强", "王强"]}, "inspection_staff_repeated", "staff"),
    ({"findings": FINDINGS_WITHOUT_FEES}, "inspection_finding_missing", "finding_no_fee_notice"),
    ({"findings": all_compliant(no_fee_notice=FindingInput("maybe"))}, "inspection_finding_missing",
     "finding_no_fee_notice"),
    ({"findings": all_compliant(no_fee_notice=FindingInput("non_compliant", " ")), "rectification": "整改"},
     "inspection_finding_note_missing", "note_no_fee_notice"),
    ({"findings": all_compliant(no_fee_notice=not_met())}, "inspection_rectification_missing", "rectification"),
    ({"recheck_on": "下周"}, "inspection_recheck_invalid", "recheck_on"),
    ({"recheck_on": "2026-11-27"}, "inspection_recheck_not_after", "recheck_on"),
])
def test_each_refusal_names_its_field_and_adds_nothing(engine, calendar, knowledge, given, code, field):
    with Session(engine) as session:
        with pytest.raises(InvalidInspection) as refused:
            record(session, calendar, **given)
        assert (refused.value.code, refused.value.field) == (code, field)
        assert knowledge.messages.explain(refused.value)  # the sentence exists with its values
        assert count(session) == 0 and not session.new


def test_an_outlet_of_another_district_is_refused(engine, calendar, knowledge):
    with Session(engine) as session:
        with pytest.raises(OutletOutOfScope) as refused:
            record(session, calendar, bank=ICBC, outlet="香港中路支行")  # 市南区
        assert knowledge.messages.explain(refused.value) == \
            "中国工商银行香港中路支行不在李沧区，您只能登记本辖区服务网点的督导"
        assert count(session) == 0
        # The city (no scope) records for any district.
        assert record(session, calendar, scope=None, bank="工行", outlet="香港中路支行").district == SHINAN


def test_the_same_outlet_and_day_is_recorded_once(engine, calendar, knowledge):
    with Session(engine) as session:
        record(session, calendar)
        session.commit()
        with pytest.raises(DuplicateInspection) as refused:
            record(session, calendar, recorded_by="licang2", staff=["赵六", "钱七"])
        assert "已经登记过（登记人：licang1）" in knowledge.messages.explain(refused.value)
        session.rollback()
        assert count(session) == 1
        record(session, calendar, inspected_on="2026-11-26")  # another day is another inspection
        session.commit()
        assert count(session) == 2


def test_the_unique_constraint_holds_when_the_check_is_passed_by(engine, calendar):
    """Two supervisors saving the same visit at once: the database refuses the second row."""
    with Session(engine) as first, Session(engine) as second:
        row = record(first, calendar)
        first.commit()
        second.add(OutletInspection(**row.model_dump(exclude={"id"})))
        with pytest.raises(IntegrityError):
            second.flush()


def test_a_district_reads_only_its_own_inspections(engine, calendar):
    with Session(engine) as session:
        mine = record(session, calendar)
        theirs = record(session, calendar, scope=SHINAN, bank=ICBC, outlet="香港中路支行", inspected_on="2026-11-26")
        session.commit()
        assert get_inspection(session, inspection_id=mine.id, scope=LICANG).id == mine.id
        with pytest.raises(InspectionNotVisible):
            get_inspection(session, inspection_id=theirs.id, scope=LICANG)
        with pytest.raises(InspectionNotVisible):
            get_inspection(session, inspection_id=999, scope=None)
        assert [i.id for i in list_inspections(session, scope=LICANG)] == [mine.id]
        assert [i.id for i in list_inspections(session, scope=None)] == [mine.id, theirs.id]  # newest day first
        assert list_inspections(session, scope=None, since=date(2026, 11, 27)) == [mine]
