"""The bank's steps: acknowledge, report, request an extension (Art. 9), object to a finding (Art. 53)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from bot.clock import FixedClock
from bot.ledger.models import TicketState
from bot.web.app import create_app
from bot.workdays import WorkdayCalendar
from tests.web.api.conftest import NOW, TODAY

URL = "/api/bank/tickets"


def _refused(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    for word in words:
        assert word in detail["message"], detail
    return detail


# --------------------------------------------------------------------------- acknowledge


def test_acknowledge(client, banks, ledger):
    number = ledger.ticket()
    response = client.post(f"{URL}/{number}/acknowledge", headers=banks.a)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "acknowledged"
    stored = ledger.get(number)
    assert stored.state is TicketState.acknowledged
    assert stored.acknowledged_at is not None
    assert [(e.type, e.actor) for e in ledger.events(number)] == [("acknowledged", "bank:中国建设银行")]


def test_acknowledge_twice_is_409_and_changes_nothing(client, banks, ledger):
    number = ledger.ticket()
    assert client.post(f"{URL}/{number}/acknowledge", headers=banks.a).status_code == 200
    before = ledger.snapshot(number)
    detail = _refused(client.post(f"{URL}/{number}/acknowledge", headers=banks.a), 409, "签收", number)
    assert detail["field"] is None
    assert ledger.snapshot(number) == before
    assert len(ledger.events(number)) == 1


def test_acknowledge_a_delivered_ticket(client, banks, ledger):
    number = ledger.ticket(state=TicketState.delivered)
    assert client.post(f"{URL}/{number}/acknowledge", headers=banks.a).json()["state"] == "acknowledged"


# --------------------------------------------------------------------------- report


def test_report_process_before_acknowledging_keeps_the_ticket_open(client, banks, ledger):
    # tickets.py allows a progress report in any open state, acknowledged or not.
    number = ledger.ticket()
    response = client.post(f"{URL}/{number}/report", json={"process": "已联系网点核实"}, headers=banks.a)
    assert response.status_code == 200, response.text
    assert response.json()["process_report"] == "已联系网点核实"
    stored = ledger.get(number)
    assert stored.state is TicketState.created and stored.result_report is None


def test_report_result_completes_the_ticket_and_a_second_report_is_409(client, banks, ledger):
    number = ledger.ticket(state=TicketState.acknowledged)
    body = {"process": "已联系网点核实", "result": "已退还20元并致歉"}
    response = client.post(f"{URL}/{number}/report", json=body, headers=banks.a)
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "result_reported"
    assert response.json()["result_report"] == "已退还20元并致歉"
    before = ledger.snapshot(number)
    _refused(client.post(f"{URL}/{number}/report", json=body, headers=banks.a), 409, "反馈")
    assert ledger.snapshot(number) == before


@pytest.mark.parametrize(("body", "field"), [({"process": "   "}, "process"),
                                             ({"process": "处理中", "result": "  "}, "result")])
def test_report_blank_text_is_422_naming_the_field(client, banks, ledger, body, field):
    number = ledger.ticket()
    before = ledger.snapshot(number)
    detail = _refused(client.post(f"{URL}/{number}/report", json=body, headers=banks.a), 422)
    assert detail["field"] == field
    assert ledger.snapshot(number) == before and ledger.events(number) == []


# --------------------------------------------------------------------------- extension (Art. 9)


def test_extension_granted_well_before_the_due_date(client, banks, ledger):
    number = ledger.ticket(due=date(2026, 12, 4))
    response = client.post(f"{URL}/{number}/extension", json={"until": "2026-12-18", "reason": "需调取监控"},
                           headers=banks.a)
    assert response.status_code == 200, response.text
    assert response.json()["due_date"] == "2026-12-18" and response.json()["state"] == "extended"
    stored = ledger.get(number)
    assert stored.due_date == date(2026, 12, 18) and stored.extension_requested_until == date(2026, 12, 18)


def test_extension_one_working_day_before_the_due_date_is_still_granted(client, banks, ledger):
    # Friday 2026-11-27 → due Monday 2026-11-30: exactly one working day before.
    number = ledger.ticket(due=date(2026, 11, 30))
    response = client.post(f"{URL}/{number}/extension", json={"until": "2026-12-10", "reason": "需调取监控"},
                           headers=banks.a)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("due", [TODAY, TODAY - timedelta(days=3)], ids=["on-due-day", "overdue"])
def test_extension_on_or_after_the_due_day_is_refused_with_art9(client, banks, ledger, due):
    number = ledger.ticket(due=due, state=TicketState.acknowledged)
    before = ledger.snapshot(number)
    detail = _refused(client.post(f"{URL}/{number}/extension", json={"until": "2026-12-18", "reason": "需调取监控"},
                                  headers=banks.a), 409, "第九条", "1个工作日", due.isoformat())
    assert detail["field"] is None
    assert ledger.snapshot(number) == before and ledger.events(number) == []


def test_extension_not_after_the_due_date_is_422_on_until(client, banks, ledger):
    number = ledger.ticket(due=date(2026, 12, 4))
    detail = _refused(client.post(f"{URL}/{number}/extension", json={"until": "2026-12-04", "reason": "x"},
                                  headers=banks.a), 422, "2026-12-04")
    assert detail["field"] == "until"
    assert ledger.get(number).due_date == date(2026, 12, 4)


def test_extension_after_the_result_is_409(client, banks, ledger):
    number = ledger.ticket(state=TicketState.result_reported)
    _refused(client.post(f"{URL}/{number}/extension", json={"until": "2027-01-30", "reason": "x"},
                         headers=banks.a), 409, "延期")


def test_extension_into_an_unknown_calendar_year_uses_the_provisional_rule(engine, knowledge, banks, ledger,
                                                                          tmp_path):
    # A calendar that knows nothing beyond chinese_calendar: as for due dates, the weekends-only
    # rule decides until 2027 is configured, rather than refusing every extension into 2027.
    (tmp_path / "workdays").mkdir()
    app = create_app(engine=engine, knowledge=knowledge, calendar=WorkdayCalendar(tmp_path / "workdays"),
                     clock=FixedClock(NOW))
    number = ledger.ticket(due=date(2027, 1, 8))
    with TestClient(app) as client:
        response = client.post(f"{URL}/{number}/extension", json={"until": "2027-01-30", "reason": "x"},
                               headers=banks.a)
    assert response.status_code == 200, response.text
    assert ledger.get(number).due_date == date(2027, 1, 30)


# --------------------------------------------------------------------------- objection (Art. 53)


@pytest.mark.parametrize("days_ago", [0, 5])
def test_objection_within_five_days(client, banks, ledger, days_ago):
    number = ledger.ticket(state=TicketState.result_reported, verified_days_ago=days_ago)
    response = client.post(f"{URL}/{number}/objection", json={"reason": "网点已出示收费公示，不属乱收费"},
                           headers=banks.a)
    assert response.status_code == 200, response.text
    assert response.json()["verification"] == "found_true"
    events = ledger.events(number)
    assert [(e.type, e.actor, e.detail["reason"]) for e in events] == \
        [("objection", "bank:中国建设银行", "网点已出示收费公示，不属乱收费")]


def test_objection_after_five_days_is_refused_with_art53(client, banks, ledger):
    number = ledger.ticket(state=TicketState.result_reported, verified_days_ago=6)
    _refused(client.post(f"{URL}/{number}/objection", json={"reason": "不同意"}, headers=banks.a),
             409, "第五十三条", "5日")
    assert ledger.events(number) == []


def test_objection_without_a_finding_is_409(client, banks, ledger):
    number = ledger.ticket(state=TicketState.result_reported)
    _refused(client.post(f"{URL}/{number}/objection", json={"reason": "不同意"}, headers=banks.a), 409, "核查")
    assert ledger.events(number) == []


# --------------------------------------------------------------------------- one transaction per request


def test_an_error_after_the_ledger_wrote_rolls_everything_back(app, banks, ledger, monkeypatch):
    number = ledger.ticket()
    before = ledger.snapshot(number)

    def explode(*args, **kwargs):
        raise RuntimeError("failure after the write")

    monkeypatch.setattr("bot.web.api.crud.ticket_detail", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(f"{URL}/{number}/acknowledge", headers=banks.a)
    assert response.status_code == 500
    assert ledger.snapshot(number) == before
    assert ledger.events(number) == []
