"""Satisfaction callbacks: opened only on verification and only with consent, answered once, 不满意
reopening the ticket once and then going to a supervisor, reminders counted in working days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from bot.clock import local_day
from bot.forwarding.models import Delivery
from bot.ledger.models import CaseKind, TicketEvent, TicketState
from bot.notifications.models import CitizenMessage
from bot.reactions import ledger_reactions
from bot.satisfaction import (
    AlreadyAnswered,
    Answer,
    CallbackNotFound,
    CallbackState,
    InvalidAnswer,
    Via,
    add_comment,
    answer_by_citizen,
    decide,
    record_phone_answer,
    record_phone_attempt,
    scan_callbacks,
)
from bot.satisfaction.models import SatisfactionCallback
from tests.satisfaction.conftest import CCB, LICANG, NOW, SHINAN, sh


def _messages(engine, ref: str) -> list[CitizenMessage]:
    with Session(engine) as session:
        return list(session.exec(select(CitizenMessage).where(CitizenMessage.citizen_ref == ref)
                                 .order_by(CitizenMessage.id)))


def _answer(engine, knowledge, calendar, token: str, answer: str, *, ref: str = "telegram:77", at=NOW):
    with Session(engine, expire_on_commit=False) as session:
        outcome = answer_by_citizen(session, token=token, citizen_ref=ref, answer=answer, knowledge=knowledge,
                                    calendar=calendar, now=at, reactions=ledger_reactions())
        session.commit()
        return outcome


def test_a_telegram_citizen_who_consented_is_asked_once_on_verification_not_before(ledger, engine):
    number = ledger.complaint()
    ledger.report(number)
    assert ledger.callbacks(number) == []  # the bank's result alone asks nothing: the finding comes first
    ledger.verify(number)
    [callback] = ledger.callbacks(number)
    assert (callback.state, callback.via, callback.round, callback.asked_at) == (
        CallbackState.asked, Via.telegram, 1, NOW)
    notices = _messages(engine, "telegram:77")
    question = notices[-1]
    assert number in question.text and "评价" in question.text
    assert [title for title, _data in question.buttons] == ["满意", "基本满意", "不满意"]
    assert {tuple(data) for _t, data in question.buttons} == {
        ("satisfaction", callback.token, a.value) for a in Answer}
    assert "核查" in notices[-2].text  # the finding is read before the question
    assert len(callback.token) >= 32  # 24 random bytes: not a number one could count up to


def test_no_callback_without_consent_for_praise_or_without_a_way_to_reach_the_citizen(ledger):
    without_consent = ledger.handled(ledger.complaint(consent=False))
    praise = ledger.handled(ledger.complaint(kind=CaseKind.praise))
    unreachable = ledger.handled(ledger.complaint(citizen_ref=None, phone=None, channel="visit"))
    assert ledger.callbacks(without_consent) == ledger.callbacks(praise) == ledger.callbacks(unreachable) == []


def test_a_12333_caller_goes_on_the_operators_list_not_to_the_outbox(ledger, engine):
    number = ledger.handled(ledger.complaint(citizen_ref=None, channel="hotline_12333"))
    [callback] = ledger.callbacks(number)
    assert (callback.state, callback.via, callback.asked_at) == (CallbackState.pending, Via.phone, None)
    with Session(engine) as session:
        assert session.exec(select(CitizenMessage).where(CitizenMessage.buttons != None)).all() == []  # noqa: E711


def test_the_citizens_button_is_recorded_once_and_only_for_their_own_callback(ledger, engine, knowledge, calendar):
    mine = ledger.handled(ledger.complaint())
    theirs = ledger.handled(ledger.complaint(citizen_ref="telegram:88"))
    [callback], [other] = ledger.callbacks(mine), ledger.callbacks(theirs)
    with pytest.raises(CallbackNotFound):  # another citizen's token, pressed from this chat
        _answer(engine, knowledge, calendar, other.token, "satisfied")
    with pytest.raises(CallbackNotFound):
        _answer(engine, knowledge, calendar, "forged-token", "satisfied")
    with pytest.raises(InvalidAnswer):
        _answer(engine, knowledge, calendar, callback.token, "delighted")
    assert ledger.callbacks(theirs)[0].state is CallbackState.asked
    assert ledger.callbacks(mine)[0].state is CallbackState.asked  # a refusal saved nothing

    _answer(engine, knowledge, calendar, callback.token, "basically_satisfied")
    with pytest.raises(AlreadyAnswered) as caught:
        _answer(engine, knowledge, calendar, callback.token, "dissatisfied")
    assert mine in knowledge.messages.explain(caught.value)
    [answered] = ledger.callbacks(mine)
    assert (answered.state, answered.answer, answered.answered_at) == (
        CallbackState.answered, Answer.basically_satisfied, NOW)
    assert ledger.ticket(mine).state is TicketState.verified  # not reopened by the refused second press

    with Session(engine) as session:
        add_comment(session, token=callback.token, citizen_ref="telegram:77", text="  工作人员态度很好  ")
        session.commit()
    with Session(engine) as session, pytest.raises(AlreadyAnswered):
        add_comment(session, token=callback.token, citizen_ref="telegram:77", text="再补充一句")
    assert ledger.callbacks(mine)[0].comment == "工作人员态度很好"


def test_dissatisfied_reopens_once_then_a_supervisor_decides(ledger, engine, knowledge, calendar):
    number = ledger.handled(ledger.complaint())
    [first] = ledger.callbacks(number)
    at = sh(2026, 11, 30, 9)  # Monday
    outcome = _answer(engine, knowledge, calendar, first.token, "dissatisfied", at=at)
    ticket = ledger.ticket(number)
    due = calendar.add_working_days(local_day(at), knowledge.rules.ticket_due.transfer.working_days).due
    assert due == date(2026, 12, 7)
    assert (ticket.state, ticket.due_date, ticket.result_report) == (TicketState.acknowledged, due, None)
    assert outcome.reopened_due == due.isoformat() and ledger.callbacks(number)[0].reopened
    with Session(engine) as session:
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                              .order_by(TicketEvent.id)).all()
        deliveries = session.exec(select(Delivery).where(Delivery.ticket_id == ticket.id)
                                  .order_by(Delivery.created_at)).all()
    reopened = [e for e in events if e.type == "reopened"]
    assert len(reopened) == 1 and reopened[0].detail["previous_result"] == "已退还工本费"
    assert deliveries[-1].event == "ticket.updated" and '"state":"acknowledged"' in deliveries[-1].body

    # The bank handles it again: its new result stands verified at once and the citizen is asked again.
    ledger.report(number, at=sh(2026, 12, 2), result="已上门致歉并退费")
    assert ledger.ticket(number).state is TicketState.verified
    first_again, second = ledger.callbacks(number)
    assert (second.round, second.state) == (2, CallbackState.asked)
    outcome = _answer(engine, knowledge, calendar, second.token, "dissatisfied", at=sh(2026, 12, 3))
    assert outcome.to_supervisor and outcome.reopened_due is None
    assert ledger.ticket(number).state is TicketState.verified  # not a second reopening
    assert ledger.callbacks(number)[1].needs_decision and not ledger.callbacks(number)[1].reopened

    with Session(engine) as session, pytest.raises(CallbackNotFound):  # another district's supervisor
        decide(session, callback_id=second.id, decision="约谈网点负责人", by="shinan1", scope=SHINAN, now=NOW)
    with Session(engine) as session, pytest.raises(InvalidAnswer):
        decide(session, callback_id=second.id, decision="  ", by="licang1", scope=LICANG, now=NOW)
    with Session(engine) as session:
        decide(session, callback_id=second.id, decision="约谈网点负责人", by="licang1", scope=LICANG,
               now=sh(2026, 12, 4))
        session.commit()
    decided = ledger.callbacks(number)[1]
    assert (decided.decision, decided.decided_by) == ("约谈网点负责人", "licang1")


def _scan(engine, knowledge, calendar, at):
    with Session(engine) as session:
        result = scan_callbacks(session, knowledge=knowledge, calendar=calendar, now=at)
        session.commit()
        return result


def test_an_unanswered_question_is_reminded_after_two_working_days_then_ends_unanswered(
        ledger, engine, knowledge, calendar):
    number = ledger.handled(ledger.complaint())  # asked Friday 2026-11-27
    assert knowledge.rules.satisfaction.remind_after_working_days == 2
    for at in (sh(2026, 11, 28, 23), sh(2026, 11, 30, 23)):  # Saturday, Monday: not yet
        assert _scan(engine, knowledge, calendar, at).reminded == []
    asked = len(_messages(engine, "telegram:77"))
    result = _scan(engine, knowledge, calendar, sh(2026, 12, 1, 0, 30))  # Tuesday, the 2nd working day
    assert result.reminded == [number]
    assert _scan(engine, knowledge, calendar, sh(2026, 12, 1, 9)).reminded == []  # once only
    notices = _messages(engine, "telegram:77")
    assert len(notices) == asked + 1 and "提醒" in notices[-1].text and len(notices[-1].buttons) == 3
    assert ledger.callbacks(number)[0].state is CallbackState.reminded

    assert _scan(engine, knowledge, calendar, sh(2026, 12, 2, 23)).unanswered == []  # Wednesday
    assert _scan(engine, knowledge, calendar, sh(2026, 12, 3, 8)).unanswered == [number]  # Thursday
    [callback] = ledger.callbacks(number)
    assert callback.state is CallbackState.no_answer and callback.answer is None
    with pytest.raises(AlreadyAnswered):  # the old buttons no longer answer
        _answer(engine, knowledge, calendar, callback.token, "satisfied", at=sh(2026, 12, 3, 9))


def test_the_reminder_waits_over_the_national_day_holiday(ledger, engine, knowledge, calendar):
    number = ledger.complaint(at=sh(2026, 9, 20))
    ledger.report(number, at=sh(2026, 9, 25))
    ledger.verify(number, at=sh(2026, 9, 30, 15))  # the eve of the 国庆节 holiday
    expected = calendar.add_working_days(date(2026, 9, 30), 2).due
    assert expected > date(2026, 10, 7)  # the holiday's days do not count
    assert _scan(engine, knowledge, calendar, sh(2026, 10, 7, 12)).reminded == []
    assert _scan(engine, knowledge, calendar, sh(expected.year, expected.month, expected.day, 9)).reminded == [number]


def _phone(ledger) -> tuple[str, SatisfactionCallback]:
    number = ledger.handled(ledger.complaint(citizen_ref=None, channel="hotline_12333"))
    return number, ledger.callbacks(number)[0]


def test_an_operator_records_the_phone_answer_refusals_save_nothing(ledger, engine, knowledge, calendar):
    number, callback = _phone(ledger)

    def record(**kw):
        with Session(engine) as session:
            record_phone_answer(session, callback_id=kw.pop("callback_id", callback.id), operator="wangfang",
                                knowledge=knowledge, calendar=calendar, now=NOW, reactions=ledger_reactions(), **kw)
            session.commit()

    with pytest.raises(InvalidAnswer) as caught:
        record(answer="", comment="市民没说")
    assert caught.value.field == "answer"
    with pytest.raises(InvalidAnswer):
        record(answer="satisfied", comment="长" * 1001)
    with pytest.raises(CallbackNotFound):
        record(callback_id=callback.id + 999, answer="satisfied", comment="")
    assert ledger.callbacks(number)[0].state is CallbackState.pending

    record(answer="satisfied", comment=" 很满意 ")
    [answered] = ledger.callbacks(number)
    assert (answered.state, answered.answer, answered.comment, answered.recorded_by) == (
        CallbackState.answered, Answer.satisfied, "很满意", "wangfang")
    with pytest.raises(AlreadyAnswered):
        record(answer="dissatisfied", comment="")
    assert ledger.ticket(number).state is TicketState.verified


def test_three_unanswered_calls_end_a_phone_callback(ledger, engine, knowledge):
    number, callback = _phone(ledger)
    assert knowledge.rules.satisfaction.phone_attempts == 3
    for expected in (CallbackState.pending, CallbackState.pending, CallbackState.no_answer):
        with Session(engine) as session:
            record_phone_attempt(session, callback_id=callback.id, operator="wangfang", knowledge=knowledge,
                                 now=NOW + timedelta(hours=1))
            session.commit()
        assert ledger.callbacks(number)[0].state is expected
    assert ledger.callbacks(number)[0].attempts == 3
    with Session(engine) as session, pytest.raises(AlreadyAnswered):
        record_phone_attempt(session, callback_id=callback.id, operator="wangfang", knowledge=knowledge, now=NOW)


def test_a_telegram_callback_is_not_answered_through_the_phone_form(ledger, engine, knowledge, calendar):
    number = ledger.handled(ledger.complaint())
    [callback] = ledger.callbacks(number)
    with Session(engine) as session, pytest.raises(CallbackNotFound):
        record_phone_answer(session, callback_id=callback.id, answer="satisfied", comment=None, operator="wangfang",
                            knowledge=knowledge, calendar=calendar, now=NOW, reactions=ledger_reactions())

