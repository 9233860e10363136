"""The satisfaction callback with the real bot process and the local Bot API server (`stack` of
conftest.py): the question pushed after the finding, 不满意 pressed, the comment kept from Rasa."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.channels.replies import Say
from bot.db import new_session
from bot.knowledge import get_knowledge
from bot.ledger.cases import record_case, verify_case
from bot.ledger.models import CaseCreate, CaseKind, TicketState
from bot.ledger.tickets import get_ticket, report
from bot.reactions import ledger_reactions
from bot.satisfaction.models import Answer, CallbackState, SatisfactionCallback
from bot.workdays import WorkdayCalendar

say = Say()


def handled_complaint(engine, chat_id: int) -> str:
    knowledge, calendar, reactions, now = get_knowledge(), WorkdayCalendar(), ledger_reactions(), datetime.now(UTC)
    with new_session(engine) as session:
        case, ticket = record_case(session, reactions=reactions, data=CaseCreate(
            kind=CaseKind.complaint, intent="complaint/fees", bank="中国建设银行", outlet="李村支行",
            district="李沧区", channel="telegram", description="补卡收取了工本费。", consent_to_contact=True,
            citizen_ref=f"telegram:{chat_id}"), knowledge=knowledge, calendar=calendar, now=now - timedelta(days=3))
        report(session, ticket, process="已核实", result="已退还工本费", actor="中国建设银行",
               now=now - timedelta(days=1), knowledge=knowledge, reactions=reactions)
        verify_case(session, case_id=case.id, found_true=True, by="city1", knowledge=knowledge, now=now,
                    reactions=reactions)
        session.commit()
        return ticket.number


def test_the_citizen_answers_with_a_button_and_the_comment_does_not_reach_rasa(stack, citizen):
    _bot_api, rasa, _bot, engine, _tmp = stack
    number = handled_complaint(engine, citizen.chat_id)
    question = citizen.wait_for(lambda m: number in m["message"]["text"] and "评价" in m["message"]["text"],
                                what="the satisfaction question")
    buttons = [b["text"] for row in question["message"]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["满意", "基本满意", "不满意"]

    citizen.press(question, "不满意")
    citizen.wait_for_text(say("satisfaction_thanks", answer="不满意"))
    citizen.wait_for(lambda m: "重新办理" in m["message"]["text"], what="the reopening")
    citizen.wait_for(lambda m: m["message"]["text"].startswith("如果还有意见"), what="the comment prompt")
    citizen.send("网点工作人员态度很差")
    citizen.wait_for_text(say("satisfaction_comment_saved"))
    citizen.press(question, "满意")  # pressed again: told it was recorded
    citizen.wait_for_text(say("satisfaction_already_recorded", number=number))

    assert not [r for r in rasa.received() if r["sender"] == f"telegram:{citizen.chat_id}"]
    with new_session(engine) as session:
        ticket = get_ticket(session, number)
        callback = session.exec(select(SatisfactionCallback).where(SatisfactionCallback.ticket_id == ticket.id)).one()
        assert ticket.state is TicketState.acknowledged
        assert (callback.state, callback.answer, callback.comment) == (
            CallbackState.answered, Answer.dissatisfied, "网点工作人员态度很差")
