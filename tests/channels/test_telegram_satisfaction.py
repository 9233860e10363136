"""The satisfaction question through the real Telegram channel code: pushed with its three buttons,
answered by a press, one comment that never reaches Rasa, a second press told it was recorded, and
a press carrying another citizen's callback refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.channels.replies import Say
from bot.clock import FixedClock
from bot.knowledge import get_knowledge
from bot.ledger.cases import record_case, verify_case
from bot.ledger.models import CaseCreate, CaseKind, Ticket, TicketState
from bot.ledger.tickets import get_ticket, report
from bot.reactions import ledger_reactions
from bot.satisfaction.models import Answer, CallbackState, SatisfactionCallback
from bot.workdays import WorkdayCalendar
from tests.channels.conftest import callback_update, feed, message_update, running

say = Say()
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)
ALICE, BOB = 5151, 5252


def _handled_complaint(engine, chat_id: int) -> str:
    """A complaint from this chat, reported by the bank and found true: its callback is asked."""
    knowledge, calendar, reactions = get_knowledge(), WorkdayCalendar(), ledger_reactions()
    with Session(engine) as session:
        case, ticket = record_case(session, reactions=reactions, data=CaseCreate(
            kind=CaseKind.complaint, intent="complaint/fees", bank="中国建设银行", outlet="李村支行",
            district="李沧区", channel="telegram", description="补卡收取了工本费。", consent_to_contact=True,
            citizen_ref=f"telegram:{chat_id}"), knowledge=knowledge, calendar=calendar, now=NOW - timedelta(days=5))
        report(session, ticket, process="已核实", result="已退还工本费", actor="中国建设银行",
               now=NOW - timedelta(days=1), knowledge=knowledge, reactions=reactions)
        verify_case(session, case_id=case.id, found_true=True, by="city1", knowledge=knowledge, now=NOW,
                    reactions=reactions)
        session.commit()
        return ticket.number


def _callback(engine, number: str) -> SatisfactionCallback:
    with Session(engine) as session:
        row = session.exec(select(SatisfactionCallback).join(Ticket, Ticket.id == SatisfactionCallback.ticket_id)
                           .where(Ticket.number == number).order_by(SatisfactionCallback.round.desc())).first()
        session.expunge(row)
        return row


def _keyboard(bot_api, chat_id: int) -> list[list[dict]]:
    return next(p["reply_markup"]["inline_keyboard"] for p in reversed(bot_api.sent(chat_id)) if "reply_markup" in p)


def test_the_question_is_pushed_with_its_buttons_and_a_press_records_the_answer(settings, bot_api, rasa, ledger):
    number = _handled_complaint(ledger, ALICE)
    _push_and_press(settings, bot_api, rasa, ledger, FixedClock(NOW + timedelta(minutes=5)), [])
    question = bot_api.sent(ALICE)[-1]
    assert number in question["text"]
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in keyboard] == [["满意"], ["基本满意"], ["不满意"]]
    # What Telegram sees is an opaque key of the bot's cache, never the callback's id or token.
    token = _callback(ledger, number).token
    assert all(token not in b["callback_data"] and len(b["callback_data"].encode()) <= 64
               for row in keyboard for b in row)


def _push_and_press(settings, bot_api, rasa, ledger, clock, steps):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=ledger, clock=clock) as app:
            job = app.job_queue.get_jobs_by_name("push-messages")[0]
            await job.run(app)
            for step in steps:
                await step(app)
    asyncio.run(main())


def test_dissatisfied_press_reopens_and_the_next_text_is_the_comment_not_a_new_complaint(
        settings, bot_api, rasa, ledger):
    number = _handled_complaint(ledger, ALICE)
    clock = FixedClock(NOW + timedelta(hours=1))

    async def press_dissatisfied(app):
        await feed(app, callback_update(ALICE, _keyboard(bot_api, ALICE)[2][0]["callback_data"]))

    async def comment(app):
        await feed(app, message_update(ALICE, "网点工作人员态度很差，希望严肃处理"))

    async def later_question(app):
        await feed(app, message_update(ALICE, "社保卡怎么激活"))

    keyboards: list = []

    async def keep_question_keyboard(app):
        keyboards.append(_keyboard(bot_api, ALICE))

    _push_and_press(settings, bot_api, rasa, ledger, clock,
                    [keep_question_keyboard, press_dissatisfied, comment, later_question])
    callback = _callback(ledger, number)
    assert (callback.state, callback.answer, callback.comment) == (
        CallbackState.answered, Answer.dissatisfied, "网点工作人员态度很差，希望严肃处理")
    with Session(ledger) as session:
        ticket = get_ticket(session, number)
        assert ticket.state is TicketState.acknowledged  # back with the bank
    texts = bot_api.texts(ALICE)
    assert say("satisfaction_thanks", answer="不满意") in texts
    assert any(number in t and "重新办理" in t and ticket.due_date.isoformat() in t for t in texts)
    assert say("satisfaction_comment_saved") in texts
    # Only the question after the comment reached Rasa: the comment was not read as a complaint.
    assert rasa.messages(ALICE) == ["社保卡怎么激活"]
    invite = next(p for p in bot_api.sent(ALICE) if p["text"].startswith("如果还有意见"))
    assert [[b["text"] for b in row] for row in invite["reply_markup"]["inline_keyboard"]] == [["跳过"]]


def test_a_second_press_is_told_it_was_recorded_and_changes_nothing(settings, bot_api, rasa, ledger):
    number = _handled_complaint(ledger, ALICE)
    clock = FixedClock(NOW + timedelta(hours=1))
    pressed: list[str] = []

    async def press_satisfied_then_dissatisfied(app):
        keyboard = _keyboard(bot_api, ALICE)
        pressed.extend([keyboard[0][0]["callback_data"], keyboard[2][0]["callback_data"]])
        await feed(app, callback_update(ALICE, pressed[0]))
        await feed(app, callback_update(ALICE, pressed[1]))

    async def skip(app):
        await feed(app, callback_update(ALICE, _keyboard(bot_api, ALICE)[0][0]["callback_data"]))

    async def after_skip(app):
        await feed(app, message_update(ALICE, "谢谢"))

    _push_and_press(settings, bot_api, rasa, ledger, clock, [press_satisfied_then_dissatisfied, skip, after_skip])
    callback = _callback(ledger, number)
    assert (callback.answer, callback.comment) == (Answer.satisfied, None)
    with Session(ledger) as session:
        assert get_ticket(session, number).state is TicketState.verified
    texts = bot_api.texts(ALICE)
    assert say("satisfaction_already_recorded", number=number) in texts
    assert say("satisfaction_comment_skipped") in texts
    assert rasa.messages(ALICE) == ["谢谢"]  # after 跳过, texts go to Rasa again


def test_a_press_carrying_another_citizens_callback_is_refused(settings, bot_api, rasa, ledger):
    bobs = _handled_complaint(ledger, BOB)
    clock = FixedClock(NOW + timedelta(hours=1))

    async def alice_presses_bobs_button(app):
        await feed(app, callback_update(ALICE, _keyboard(bot_api, BOB)[0][0]["callback_data"]))

    async def alice_forges_data(app):
        await feed(app, callback_update(ALICE, "0" * 64))

    _push_and_press(settings, bot_api, rasa, ledger, clock, [alice_presses_bobs_button, alice_forges_data])
    assert _callback(ledger, bobs).state is CallbackState.asked  # Bob's callback still waits for Bob
    assert bot_api.texts(ALICE) == [say("satisfaction_unknown"), say("channel_button_expired")]
    assert rasa.received == []


def test_the_comment_window_closes_and_the_text_goes_to_rasa(settings, bot_api, rasa, ledger, knowledge):
    number = _handled_complaint(ledger, ALICE)
    clock = FixedClock(NOW + timedelta(hours=1))
    hours = knowledge.rules.satisfaction.comment_window_hours

    async def press(app):
        await feed(app, callback_update(ALICE, _keyboard(bot_api, ALICE)[1][0]["callback_data"]))
        clock.advance(timedelta(hours=hours, minutes=1))
        await feed(app, message_update(ALICE, "我还想投诉另一个网点"))

    _push_and_press(settings, bot_api, rasa, ledger, clock, [press])
    assert _callback(ledger, number).comment is None
    assert rasa.messages(ALICE) == ["我还想投诉另一个网点"]
