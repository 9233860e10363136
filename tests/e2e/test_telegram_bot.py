"""The real bot process against a local Telegram Bot API server and a fake Rasa: what a citizen sees.

One stack for the module (Bot API server, fake Rasa, bot, SQLite database: the `stack` fixture of
conftest.py); each test plays its own citizen (chat id), so their messages never mix.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.channels.replies import Say
from bot.db import new_session
from bot.knowledge import get_knowledge
from bot.ledger.cases import record_case
from bot.ledger.models import CaseCreate
from bot.ledger.tickets import report
from bot.notifications.models import CitizenMessage
from bot.reactions import ledger_reactions
from bot.workdays import WorkdayCalendar
from tests.e2e.conftest import BotProcess, Citizen, free_port, wait_for_port

say = Say()


def test_a_text_gets_rasas_reply(stack, citizen):
    _bot_api, rasa, _bot, _engine, _tmp = stack
    citizen.send("社保卡丢了怎么办")
    citizen.wait_for_text("收到：社保卡丢了怎么办")
    assert {"sender": f"telegram:{citizen.chat_id}", "message": "社保卡丢了怎么办"} in rasa.received()


def test_buttons_arrive_as_an_inline_keyboard_and_a_press_reaches_rasa(stack, citizen):
    _bot_api, rasa, _bot, _engine, _tmp = stack
    citizen.send("请给我按钮")
    question = citizen.wait_for_text("请确认：请给我按钮")
    rows = question["message"]["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [["是"], ["否"]]
    citizen.press(question, "否")
    citizen.wait_for_text("收到：/other_deny")
    mine = [r["message"] for r in rasa.received() if r["sender"] == f"telegram:{citizen.chat_id}"]
    assert mine == ["请给我按钮", "/other_deny"]


def test_a_sticker_and_a_photo_get_a_polite_refusal(stack, citizen):
    _bot_api, rasa, _bot, _engine, _tmp = stack
    citizen.send(sticker={"file_id": "CAACAgIAAx", "file_unique_id": "AgADAQ", "width": 512, "height": 512,
                          "is_animated": False, "is_video": False, "type": "regular", "emoji": "👍"})
    citizen.wait_for_text(say("channel_non_text"))
    citizen.send(photo=[{"file_id": "AgACAgIAAx", "file_unique_id": "AQADAg", "width": 90, "height": 90}],
                 caption="看看这张照片")
    citizen.wait_for_text(say("channel_non_text"))
    assert not [r for r in rasa.received() if r["sender"] == f"telegram:{citizen.chat_id}"]


def test_an_unknown_command_gets_the_help(stack, citizen):
    citizen.send("/foo")
    answer = citizen.wait_for(lambda m: m["message"]["text"].startswith(say("channel_unknown_command",
                                                                            command="/foo")))
    assert say("channel_help") in answer["message"]["text"]


def test_status_lists_the_citizens_ticket_and_the_banks_result_is_pushed(stack, citizen):
    _bot_api, _rasa, _bot, engine, _tmp = stack
    knowledge = get_knowledge()
    now = datetime.now(UTC)
    with new_session(engine) as session:
        _case, ticket = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
            kind="complaint", intent="complaint/fees", bank="建行", outlet="李村支行", channel="telegram",
            description="补卡收了20元工本费", citizen_ref=f"telegram:{citizen.chat_id}"),
            knowledge=knowledge, calendar=WorkdayCalendar(), now=now)
        session.commit()
    due = f"{ticket.due_date.year}年{ticket.due_date.month}月{ticket.due_date.day}日"

    citizen.send("/status")
    answer = citizen.wait_for(lambda m: ticket.number in m["message"]["text"], what="the ticket in /status")
    assert "中国建设银行" in answer["message"]["text"] and "已创建" in answer["message"]["text"]
    assert due in answer["message"]["text"]

    # The bank reports its result through the back office: the citizen gets it without asking.
    with new_session(engine) as session:
        stored = session.get(type(ticket), ticket.id)
        report(session, stored, reactions=ledger_reactions(), process="已核实并退还20元", result="已退还工本费20元", actor="中国建设银行",
               now=datetime.now(UTC), knowledge=knowledge)
        session.commit()
    pushed = citizen.wait_for(lambda m: "已退还工本费20元" in m["message"]["text"], what="the pushed result")
    assert ticket.number in pushed["message"]["text"]
    with new_session(engine) as session:
        notice = session.exec(select(CitizenMessage).where(
            CitizenMessage.citizen_ref == f"telegram:{citizen.chat_id}")).one()
        assert notice.sent_at is not None and notice.attempts == 0

    citizen.send("/status")
    answer = citizen.wait_for(lambda m: ticket.number in m["message"]["text"], what="the ticket in /status")
    assert "已反馈结果" in answer["message"]["text"] and "已退还工本费20元" in answer["message"]["text"]


def test_a_notice_in_the_outbox_is_pushed_once(stack, citizen):
    _bot_api, _rasa, _bot, engine, _tmp = stack
    text = "测试通知：您的工单有新进展。"
    with new_session(engine) as session:
        now = datetime.now(UTC)  # the bot pushes what is due by its own (the system's) clock
        session.add(CitizenMessage(citizen_ref=f"telegram:{citizen.chat_id}", text=text, created_at=now,
                                  next_attempt_at=now))
        session.commit()
    citizen.wait_for_text(text)
    assert text not in citizen.quiet_for(1.5)  # marked sent: not pushed again


def test_while_rasa_is_down_the_citizen_is_told_and_answered_when_it_is_back(stack, citizen):
    _bot_api, rasa, _bot, _engine, _tmp = stack
    rasa.stop()
    try:
        citizen.send("我的卡还没到")
        citizen.wait_for_text(say("channel_busy"))
        citizen.send("一周了")
        citizen.wait_for_text(say("channel_queued"))
        assert "收到：我的卡还没到" not in citizen.quiet_for(1.0)
    finally:
        rasa.start()
    citizen.wait_for_text("收到：我的卡还没到", timeout=15)
    citizen.wait_for_text("收到：一周了", timeout=5)
    texts = [m["message"]["text"] for m in citizen.inbox]
    assert texts.index(say("channel_delayed_answer", text="我的卡还没到")) < texts.index("收到：我的卡还没到")
    # The restarted Rasa got each message once, in order, without the citizen sending anything again.
    assert [r["message"] for r in rasa.received() if r["sender"] == f"telegram:{citizen.chat_id}"] == \
        ["我的卡还没到", "一周了"]


def test_a_kept_message_survives_a_restart_of_the_bot(stack, citizen):
    _bot_api, rasa, bot, _engine, _tmp = stack
    rasa.stop()
    try:
        citizen.send("重启也不能丢")
        citizen.wait_for_text(say("channel_busy"))
        assert bot.stop() == 0  # a clean stop (SIGTERM) saves the chat data
    finally:
        rasa.start()
    bot.start()
    citizen.wait_for_text("收到：重启也不能丢", timeout=30)
    assert [r["message"] for r in rasa.received() if r["sender"] == f"telegram:{citizen.chat_id}"] == \
        ["重启也不能丢"]


def test_webhook_mode_when_a_webhook_url_is_configured(stack):
    bot_api, rasa, _bot, _engine, tmp = stack
    token, port = "654321:e2e-webhook-token", free_port()
    webhook_bot = BotProcess(tmp, bot_api=bot_api, rasa=rasa, database_url=f"sqlite:///{tmp / 'sbk.db'}",
                             token=token, name="webhook-bot", TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg",
                             TELEGRAM_WEBHOOK_PORT=str(port), TELEGRAM_PERSISTENCE_FILE=str(tmp / "webhook.pickle"))
    citizen = Citizen(bot_api, 31337, token=token)
    webhook_bot.start()
    try:
        wait_for_port(port, timeout=30, process=webhook_bot.process)
        citizen.send("通过 webhook 来的消息")
        citizen.wait_for_text("收到：通过 webhook 来的消息")
    finally:
        assert webhook_bot.stop() == 0
    assert "webhook delivery" not in bot_api.output()  # every update was accepted (secret token included)
    output = webhook_bot.output()
    assert "Traceback" not in output and "webhook" in output
