"""Warnings before a deadline is missed and after, on the right days of the official calendar,
with a fixed clock (Friday 2026-11-27, 10:00 in Qingdao)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from bot.ledger.models import TicketState, Verification
from bot.supervision import deadline_alerts
from tests.supervision.conftest import LICANG, NOW, SHANGHAI, SHINAN, sh


def _alerts(engine, knowledge, calendar, *, scope=None, now=NOW):
    with Session(engine) as session:
        return deadline_alerts(session, scope=scope, now=now, calendar=calendar, knowledge=knowledge)


def _numbers(alerts, key):
    return [r.number for r in alerts.group(key).rows]


def test_each_ticket_is_warned_about_on_the_right_day(engine, seed, knowledge, calendar):
    overdue = seed.ticket(due=date(2026, 11, 26))
    today = seed.ticket(due=date(2026, 11, 27))
    monday = seed.ticket(due=date(2026, 11, 30))
    tuesday = seed.ticket(due=date(2026, 12, 1))
    seed.ticket(due=date(2026, 11, 27), state=TicketState.result_reported, result="已处理")
    seed.ticket(due=date(2026, 11, 20), state=TicketState.closed)

    alerts = _alerts(engine, knowledge, calendar)
    assert alerts.today == date(2026, 11, 27) and alerts.next_working_day == date(2026, 11, 30)
    assert _numbers(alerts, "overdue") == [overdue]
    assert alerts.group("overdue").rows[0].note == "逾期 1 天"
    assert _numbers(alerts, "due_today") == [today]
    assert _numbers(alerts, "due_next") == [monday]
    assert alerts.group("due_next").rows[0].note == "今天是申请延期的最后一天（第九条）"
    listed = {n for g in alerts.groups for n in _numbers(alerts, g.key)}
    assert tuesday not in listed


def test_on_a_holiday_eve_the_next_working_day_is_after_the_holidays(engine, seed, knowledge, calendar):
    # Wednesday 2026-09-30; 1–7 October are the National Day holidays.
    eve = datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)
    after_holidays = seed.ticket(due=date(2026, 10, 8))
    seed.ticket(due=date(2026, 10, 9))
    alerts = _alerts(engine, knowledge, calendar, now=eve)
    assert alerts.next_working_day == date(2026, 10, 8)
    assert _numbers(alerts, "due_next") == [after_holidays]
    assert "今天是申请延期的最后一天" in alerts.group("due_next").rows[0].note


def test_counts_are_complete_and_rows_are_capped(engine, seed, knowledge, calendar):
    for i in range(5):
        seed.ticket(due=date(2026, 11, 20) + timedelta(days=i % 3))
    with Session(engine) as session:
        alerts = deadline_alerts(session, scope=None, now=NOW, calendar=calendar, knowledge=knowledge, limit=2)
    group = alerts.group("overdue")
    assert group.total == 5 and len(group.rows) == 2
    assert group.list_query == {"overdue": "1", "sort": "due"}
    assert [r.due_date for r in group.rows] == [date(2026, 11, 20), date(2026, 11, 20)]  # most overdue first


def test_extensions_show_the_new_date_and_the_reason(engine, seed, knowledge, calendar):
    number = seed.ticket(due=date(2026, 12, 4), state=TicketState.extended)
    seed.event(number, type="extended", at=sh(2026, 11, 25), reason="需调取监控录像核实，电话13812345678",
               previous_due="2026-11-27", until="2026-12-04")
    group = _alerts(engine, knowledge, calendar).group("extended")
    assert [r.number for r in group.rows] == [number] and group.rows[0].due_date == date(2026, 12, 4)
    assert "原到期日 2026-11-27" in group.rows[0].note and "需调取监控录像核实" in group.rows[0].note
    assert "13812345678" not in group.rows[0].note


def test_objection_windows_close_five_days_after_the_finding(engine, seed, knowledge, calendar):
    closes_today = seed.ticket(state=TicketState.verified, verification=Verification.found_true,
                               verified_at=sh(2026, 11, 22, 15), result="已处理")
    still_open = seed.ticket(state=TicketState.verified, verification=Verification.not_true,
                             verified_at=sh(2026, 11, 26, 9), result="已处理")
    seed.ticket(state=TicketState.verified, verification=Verification.found_true,
                verified_at=sh(2026, 11, 21, 23, 30), result="已处理")  # window ended yesterday
    group = _alerts(engine, knowledge, calendar).group("objection_window")
    notes = {r.number: r.note for r in group.rows}
    assert set(notes) == {closes_today, still_open}
    assert notes[closes_today] == "2026-11-22 核查，异议期至 2026-11-27（今天截止）"
    assert notes[still_open] == "2026-11-26 核查，异议期至 2026-12-01"


def test_objections_raised_by_banks_are_listed(engine, seed, knowledge, calendar):
    number = seed.ticket(state=TicketState.verified, verification=Verification.found_true,
                         verified_at=sh(2026, 11, 24), result="已处理")
    seed.event(number, type="objection", at=sh(2026, 11, 26, 14, 5), reason="当日系统故障，并非推诿")
    group = _alerts(engine, knowledge, calendar).group("objections")
    assert group.total == 1 and group.rows[0].number == number
    assert group.rows[0].note == "2026-11-26 14:05 提出：当日系统故障，并非推诿"


def test_a_district_supervisor_is_warned_only_about_their_district(engine, seed, knowledge, calendar):
    mine = seed.ticket(district=LICANG, due=date(2026, 11, 25))
    seed.ticket(district=SHINAN, due=date(2026, 11, 25))
    seed.ticket(district=SHINAN, due=date(2026, 11, 27))
    theirs_verified = seed.ticket(district=SHINAN, state=TicketState.verified, verification=Verification.found_true,
                                  verified_at=sh(2026, 11, 26), result="已处理")
    seed.event(theirs_verified, type="objection", at=sh(2026, 11, 26, 16), reason="有异议")
    alerts = _alerts(engine, knowledge, calendar, scope=LICANG)
    assert _numbers(alerts, "overdue") == [mine]
    assert {g.key: g.total for g in alerts.groups} == {
        "overdue": 1, "due_today": 0, "due_next": 0, "extended": 0, "objection_window": 0, "objections": 0,
        "early_warnings": 0}
    city = _alerts(engine, knowledge, calendar)
    assert city.group("overdue").total == 2 and city.group("objections").total == 1
