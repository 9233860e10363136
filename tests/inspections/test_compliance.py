"""The weekly minimum of Art. 29 per district: distinct outlets inspected Monday–Sunday (Asia/Shanghai)
against the 3 required, late recordings, and the past weeks met or not."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from bot.inspections import week_start, weekly_compliance
from tests.inspections.conftest import CCB, ICBC, LICANG, NOW, SHINAN, record, sh

TODAY = date(2026, 11, 27)
# The 李沧区 outlets of knowledge/banks.yml, as (bank, outlet).
LICANG_OUTLETS = [(CCB, "李村支行"), (ICBC, "李沧支行"), ("中国邮政储蓄银行", "李沧区支行"), ("青岛银行", "李沧支行")]
SHINAN_OUTLETS = [(ICBC, "香港中路支行"), ("中国银行", "中山路支行"), (CCB, "东海路支行")]


def seed(session: Session, calendar, rows) -> None:
    """rows: (scope, (bank, outlet), inspected_on, recorded_at)."""
    for scope, (bank, outlet), day, at in rows:
        record(session, calendar, scope=scope, bank=bank, outlet=outlet, inspected_on=day, now=at)
    session.commit()


def test_weeks_run_monday_to_sunday():
    assert week_start(date(2026, 11, 23)) == week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    assert week_start(date(2026, 11, 22)) == date(2026, 11, 16)


def test_this_week_counts_distinct_outlets_and_late_recordings(engine, calendar, knowledge):
    with Session(engine) as session:
        seed(session, calendar, [
            (LICANG, LICANG_OUTLETS[0], "2026-11-23", sh(2026, 11, 26)),  # due Wednesday 11-25: late
            (LICANG, LICANG_OUTLETS[0], "2026-11-25", NOW),  # the same outlet again: still one outlet
            (LICANG, LICANG_OUTLETS[1], "2026-11-27", NOW),
            (LICANG, LICANG_OUTLETS[2], "2026-11-22", NOW),  # Sunday: the week before
            *[(SHINAN, outlet, "2026-11-25", NOW) for outlet in SHINAN_OUTLETS],  # due Friday: on time
        ])
        result = weekly_compliance(session, scope=None, today=TODAY, knowledge=knowledge)
    assert result.required == 3
    assert [d.district for d in result.districts] == [d.name for d in knowledge.districts]
    weeks = {d.district: d.current for d in result.districts}
    licang, shinan = weeks[LICANG], weeks[SHINAN]
    assert (licang.start, licang.end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert (licang.inspected, licang.inspections, licang.late, licang.missing, licang.met) == (2, 3, 1, 1, False)
    assert (shinan.inspected, shinan.missing, shinan.met, shinan.late) == (3, 0, True, 0)
    assert weeks["崂山区"].missing == 3
    assert [d.district for d in result.behind] == [d.name for d in knowledge.districts if d.name != SHINAN]
    assert result.late_this_week == 1


def test_past_weeks_are_met_or_not_newest_first(engine, calendar, knowledge):
    with Session(engine) as session:
        seed(session, calendar, [
            *[(LICANG, outlet, day, NOW) for outlet, day in zip(LICANG_OUTLETS, ("2026-11-16", "2026-11-18",
                                                                                   "2026-11-22"))],
            (LICANG, LICANG_OUTLETS[0], "2026-11-09", NOW),
            (LICANG, LICANG_OUTLETS[1], "2026-08-31", NOW),  # 12 weeks before this week's Monday
            (LICANG, LICANG_OUTLETS[2], "2026-08-30", NOW),  # 13 weeks: outside the history
        ])
        result = weekly_compliance(session, scope=LICANG, today=TODAY, knowledge=knowledge)
    assert [d.district for d in result.districts] == [LICANG]
    licang = result.districts[0]
    assert len(licang.past) == 12
    assert [w.start for w in licang.past[:2]] == [date(2026, 11, 16), date(2026, 11, 9)]
    assert licang.past[-1].start == date(2026, 8, 31)
    assert [w.inspected for w in licang.past] == [3, 1] + [0] * 9 + [1]
    assert [w.met for w in licang.past] == [True] + [False] * 11
    assert licang.weeks_met == 1
    assert licang.current.inspected == 0 and licang.current.missing == 3


def test_a_district_supervisor_counts_only_their_district(engine, calendar, knowledge):
    with Session(engine) as session:
        seed(session, calendar, [(SHINAN, outlet, "2026-11-24", NOW) for outlet in SHINAN_OUTLETS])
        licang = weekly_compliance(session, scope=LICANG, today=TODAY, knowledge=knowledge, weeks=0)
        shinan = weekly_compliance(session, scope=SHINAN, today=TODAY, knowledge=knowledge, weeks=0)
    assert [(d.district, d.current.inspected, d.past) for d in licang.districts] == [(LICANG, 0, [])]
    assert [(d.district, d.current.inspected) for d in shinan.districts] == [(SHINAN, 3)]
