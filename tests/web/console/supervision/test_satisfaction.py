"""The satisfaction page: rates per bank, outlet and district for a month or year, a district
supervisor's limited to their district; the tickets still 不满意 after their reopening, on the
decision list and their ticket page, decided once with CSRF and an audit entry."""

from __future__ import annotations

from html import unescape

from sqlmodel import Session, select

from bot.reactions import ledger_reactions
from bot.satisfaction import answer_by_citizen
from bot.satisfaction.models import SatisfactionCallback
from bot.web.console.models import AuditEntry
from bot.workdays import WorkdayCalendar
from tests.satisfaction.conftest import CCB, ICBC, LICANG, SHINAN, Ledger, sh

PAGE = "/console/supervision/satisfaction"


def _answer(ledger: Ledger, number: str, ref: str, answer: str, at) -> SatisfactionCallback:
    callback = ledger.callbacks(number)[-1]
    with Session(ledger.engine) as session:
        answer_by_citizen(session, token=callback.token, citizen_ref=ref, answer=answer, knowledge=ledger.knowledge,
                          calendar=ledger.calendar, now=at, reactions=ledger_reactions())
        session.commit()
    return ledger.callbacks(number)[-1]


def _answered(engine, knowledge) -> Ledger:
    ledger = Ledger(engine, knowledge, WorkdayCalendar())
    for n, (bank, district, answer) in enumerate([(CCB, LICANG, "satisfied"), (CCB, LICANG, "dissatisfied"),
                                                  (ICBC, SHINAN, "basically_satisfied")]):
        ref = f"telegram:{700 + n}"
        number = ledger.handled(ledger.complaint(citizen_ref=ref, bank=bank, district=district,
                                                 outlet="李村支行" if district == LICANG else "香港中路支行"))
        _answer(ledger, number, ref, answer, sh(2026, 11, 27, 11))
    return ledger


def test_a_city_supervisor_sees_every_bank_and_a_district_supervisor_only_their_district(
        engine, knowledge, signed_in):
    _answered(engine, knowledge)
    city = unescape(signed_in("city_supervisor").get(f"{PAGE}?period=2026-11&by=bank").text)
    assert f"<td>{CCB}</td>" in city and f"<td>{ICBC}</td>" in city
    assert "50.0%" in city and "100.0%" in city and "66.7%" in city  # CCB 1 of 2, ICBC 1 of 1, total 2 of 3
    district = unescape(signed_in("district_supervisor").get(f"{PAGE}?period=2026-11&by=district").text)
    assert f"<td>{LICANG}</td>" in district and SHINAN not in district.split('id="satisfaction-rates"')[1]
    outlets = unescape(signed_in("admin").get(f"{PAGE}?period=2026&by=outlet").text)
    assert "<td>李村支行</td>" in outlets and "<td>香港中路支行</td>" in outlets
    december = unescape(signed_in("city_supervisor").get(f"{PAGE}?period=2026-12").text)
    assert "这一期间还没有回访结果" in december


def test_a_bad_period_is_refused_in_chinese(engine, knowledge, signed_in):
    page = signed_in("city_supervisor").get(f"{PAGE}?period=2026-13")
    assert page.status_code == 400 and "筛选条件有误" in page.text


def test_the_operator_is_refused_the_page(signed_in):
    assert signed_in("operator").get(PAGE).status_code == 403


def _still_dissatisfied(engine, knowledge, *, district: str = LICANG) -> tuple[str, int]:
    ledger = Ledger(engine, knowledge, WorkdayCalendar())
    number = ledger.handled(ledger.complaint(citizen_ref="telegram:711", district=district))
    _answer(ledger, number, "telegram:711", "dissatisfied", sh(2026, 11, 27, 11))
    ledger.report(number, at=sh(2026, 11, 30), result="已上门致歉")
    callback = _answer(ledger, number, "telegram:711", "dissatisfied", sh(2026, 12, 1))
    assert callback.needs_decision
    return number, callback.id


def test_a_ticket_still_dissatisfied_is_on_the_decision_list_and_its_ticket_page(engine, knowledge, signed_in):
    number, callback_id = _still_dissatisfied(engine, knowledge)
    licang = signed_in("district_supervisor")
    listed = unescape(licang.get(PAGE).text)
    assert number in listed.split('id="decisions"')[1]
    ticket = unescape(licang.get(f"/console/supervision/tickets/{number}").text)
    assert 'id="needs-decision"' in ticket and "第 2 次办理" in ticket
    shinan = signed_in("district_supervisor_shinan")
    assert number not in unescape(shinan.get(PAGE).text)


def test_a_decision_is_recorded_once_with_csrf_and_within_the_district(engine, knowledge, signed_in):
    number, callback_id = _still_dissatisfied(engine, knowledge)
    url = f"{PAGE}/{callback_id}/decide"
    assert signed_in("district_supervisor").post(url, {"decision": "约谈"}, csrf=False).status_code == 403
    assert signed_in("district_supervisor_shinan").post(url, {"decision": "约谈"}).status_code == 404
    empty = signed_in("district_supervisor").post(url, {"decision": "  "})
    assert empty.status_code == 422 and knowledge.messages.render("callback_decision_missing") in unescape(empty.text)
    with Session(engine) as session:
        assert session.get(SatisfactionCallback, callback_id).decided_at is None
    done = signed_in("district_supervisor").post(url, {"decision": "约谈网点负责人，限期整改"})
    assert done.status_code == 303
    again = signed_in("city_supervisor").post(url, {"decision": "再次决定"})
    assert again.status_code == 409
    with Session(engine) as session:
        callback = session.get(SatisfactionCallback, callback_id)
        assert (callback.decision, callback.decided_by) == ("约谈网点负责人，限期整改", "licang1")
        [entry] = session.exec(select(AuditEntry).where(AuditEntry.action == "decide_callback")).all()
        assert entry.ticket_number == number
    assert number not in unescape(signed_in("city_supervisor").get(PAGE).text).split('id="decisions"')[1]
