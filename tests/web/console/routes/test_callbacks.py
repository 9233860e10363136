"""The operators' callback list and form: 12333 callers who consented, their phone masked until a
deliberate, audited press; the answer heard on the phone recorded (不满意 reopening the ticket), and
each refusal (no answer chosen, unknown callback, already answered, CSRF) saving nothing."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlmodel import Session, select

from bot.ledger.cases import record_case, verify_case
from bot.ledger.models import CaseCreate, CaseKind, Ticket, TicketState
from bot.ledger.tickets import get_ticket, report
from bot.reactions import ledger_reactions
from bot.satisfaction.models import Answer, CallbackState, SatisfactionCallback
from bot.web.console.models import AuditEntry
from bot.workdays import WorkdayCalendar
from tests.web.console.conftest import NOW
from tests.web.console.support import HTML

PHONE = "13912345678"
MASKED = "139****5678"


def handled(engine, knowledge, *, citizen_ref: str | None = None, channel: str = "hotline_12333",
            district: str = "李沧区") -> tuple[str, int]:
    """A complaint reported and found true: its ticket number and callback id."""
    reactions, calendar = ledger_reactions(), WorkdayCalendar()
    with Session(engine) as session:
        case, ticket = record_case(session, reactions=reactions, data=CaseCreate(
            kind=CaseKind.complaint, intent="complaint/fees", bank="中国建设银行", outlet="李村支行",
            district=district, channel=channel, description="补卡收取了工本费。", contact_name="王先生",
            contact_phone=PHONE, consent_to_contact=True, citizen_ref=citizen_ref),
            knowledge=knowledge, calendar=calendar, now=NOW - timedelta(days=6))
        report(session, ticket, process="已核实", result="已退还工本费", actor="中国建设银行",
               now=NOW - timedelta(days=2), knowledge=knowledge, reactions=reactions)
        verify_case(session, case_id=case.id, found_true=True, by="city1", knowledge=knowledge,
                    now=NOW - timedelta(days=1), reactions=reactions)
        session.commit()
        callback = session.exec(select(SatisfactionCallback).where(SatisfactionCallback.ticket_id == ticket.id)).one()
        return ticket.number, callback.id


def callback_of(engine, callback_id: int) -> SatisfactionCallback:
    with Session(engine) as session:
        row = session.get(SatisfactionCallback, callback_id)
        session.expunge(row)
        return row


def audit(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_list_shows_phone_callbacks_masked_and_not_telegram_ones(engine, knowledge, signed_in):
    number, callback_id = handled(engine, knowledge)
    telegram, _ = handled(engine, knowledge, citizen_ref="telegram:77", channel="telegram")
    page = signed_in("operator").get("/console/callbacks")
    assert page.status_code == 200
    html = unescape(page.text)
    assert number in html and "中国建设银行 李村支行" in html and MASKED in html
    assert PHONE not in html and telegram not in html
    assert f'href="/console/callbacks/{callback_id}"' in html


@pytest.mark.parametrize("role", ["district_supervisor", "city_supervisor"])
def test_supervisors_are_refused_the_callback_pages(engine, knowledge, signed_in, role):
    _, callback_id = handled(engine, knowledge)
    browser = signed_in(role)
    assert browser.get("/console/callbacks").status_code == 403
    assert browser.post(f"/console/callbacks/{callback_id}/answer", {"answer": "satisfied"}).status_code == 403
    assert callback_of(engine, callback_id).state is CallbackState.pending


def test_the_full_phone_only_after_a_deliberate_audited_press(engine, knowledge, signed_in):
    number, callback_id = handled(engine, knowledge)
    browser = signed_in("operator")
    page = browser.get(f"/console/callbacks/{callback_id}")
    assert page.status_code == 200 and PHONE not in page.text and MASKED in page.text
    assert [e.ticket_number for e in audit(engine, "view_callback")] == [number]
    assert audit(engine, "reveal_phone") == []
    assert browser.post(f"/console/callbacks/{callback_id}/phone", csrf=False).status_code == 403
    assert audit(engine, "reveal_phone") == []
    shown = browser.post(f"/console/callbacks/{callback_id}/phone")
    assert shown.status_code == 200 and PHONE in shown.text
    [entry] = audit(engine, "reveal_phone")
    assert (entry.user_name, entry.ticket_number) == ("operator1", number)


def test_an_answer_by_phone_is_recorded_and_audited(engine, knowledge, signed_in):
    number, callback_id = handled(engine, knowledge)
    browser = signed_in("operator")
    done = browser.post(f"/console/callbacks/{callback_id}/answer",
                        {"answer": "basically_satisfied", "comment": "办理及时"})
    assert done.status_code == 303 and done.headers["location"] == "/console/callbacks?done=answered"
    callback = callback_of(engine, callback_id)
    assert (callback.state, callback.answer, callback.comment, callback.recorded_by, callback.answered_at) == (
        CallbackState.answered, Answer.basically_satisfied, "办理及时", "operator1", NOW)
    [entry] = audit(engine, "record_callback")
    assert entry.ticket_number == number and entry.detail["answer"] == "basically_satisfied"
    page = unescape(browser.get("/console/callbacks?done=answered").text)
    assert "已保存回访结果" in page and "目前没有待回访的工单" in page


def test_dissatisfied_by_phone_sends_the_ticket_back_to_the_bank(engine, knowledge, signed_in):
    number, callback_id = handled(engine, knowledge)
    signed_in("operator").post(f"/console/callbacks/{callback_id}/answer", {"answer": "dissatisfied"})
    with Session(engine) as session:
        assert get_ticket(session, number).state is TicketState.acknowledged
    assert callback_of(engine, callback_id).reopened


def test_refusals_say_why_and_save_nothing(engine, knowledge, signed_in):
    number, callback_id = handled(engine, knowledge)
    browser = signed_in("operator")
    missing = browser.post(f"/console/callbacks/{callback_id}/answer", {"answer": "", "comment": "市民说还行"})
    assert missing.status_code == 422
    assert knowledge.messages.render("callback_answer_missing") in unescape(missing.text)
    assert "市民说还行" in missing.text  # the comment is kept in the form to correct
    forged = browser.post(f"/console/callbacks/{callback_id}/answer", {"answer": "satisfied"}, csrf=False)
    assert forged.status_code == 403
    assert browser.post("/console/callbacks/999999/answer", {"answer": "satisfied"}).status_code == 404
    assert browser.get("/console/callbacks/999999", headers=HTML).status_code == 404
    callback = callback_of(engine, callback_id)
    assert (callback.state, callback.answer, callback.comment) == (CallbackState.pending, None, None)
    assert audit(engine, "record_callback") == []

    assert browser.post(f"/console/callbacks/{callback_id}/answer", {"answer": "satisfied"}).status_code == 303
    again = browser.post(f"/console/callbacks/{callback_id}/answer", {"answer": "dissatisfied"})
    assert again.status_code == 409
    assert knowledge.messages.render("callback_already_answered", number=number) in unescape(again.text)
    assert callback_of(engine, callback_id).answer is Answer.satisfied
    with Session(engine) as session:
        assert session.exec(select(Ticket.state).where(Ticket.number == number)).one() is TicketState.verified
    assert len(audit(engine, "record_callback")) == 1


def test_calls_not_answered_end_the_callback_after_the_configured_attempts(engine, knowledge, signed_in):
    _, callback_id = handled(engine, knowledge)
    browser = signed_in("operator")
    attempts = knowledge.rules.satisfaction.phone_attempts
    for _ in range(attempts):
        assert browser.post(f"/console/callbacks/{callback_id}/no-answer").status_code == 303
    callback = callback_of(engine, callback_id)
    assert (callback.state, callback.attempts) == (CallbackState.no_answer, attempts)
    assert browser.post(f"/console/callbacks/{callback_id}/no-answer").status_code == 409
    assert len(audit(engine, "callback_attempt")) == attempts
