"""The bot's handlers, fed updates as polling would, talking to HTTP-level stand-ins of the Bot API and Rasa.

What the end-to-end suite cannot produce through telegram-test-api (edited messages, voice, documents,
locations, floods, expired buttons, Telegram refusing a push) is checked here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import select
from telegram import Update

from bot.answers import render_guide
from bot.answers.layout import as_text, html_to_text
from bot.channels.rasa import RasaClient
from bot.channels.replies import Say
from bot.channels.telegram import PENDING, TelegramNotConfigured, build_application, push_messages
from bot.db import make_engine, new_session
from bot.knowledge import get_knowledge
from bot.ledger.cases import record_case
from bot.ledger.models import CaseCreate
from bot.notifications.models import CitizenMessage
from bot.reactions import ledger_reactions
from bot.workdays import WorkdayCalendar
from tests.channels.conftest import callback_update, feed, message_update, rest_answer, running

say = Say()
CHAT = 4242


async def eventually(predicate, *, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def test_without_a_token_the_bot_is_not_built(settings):
    settings.telegram_token = None
    client = RasaClient(httpx.AsyncClient(), base_url=settings.rasa_url)
    with pytest.raises(TelegramNotConfigured, match="未配置 TELEGRAM_TOKEN"):
        build_application(settings, rasa=client)


def test_a_text_goes_to_rasa_as_this_chat_and_every_reply_comes_back(settings, bot_api, rasa):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "社保卡怎么激活"))
    asyncio.run(main())
    [body] = rasa.received
    assert {k: body[k] for k in ("sender", "message")} == {"sender": f"telegram:{CHAT}", "message": "社保卡怎么激活"}
    assert body["metadata"]["message_id"]
    assert bot_api.texts(CHAT) == ["收到：社保卡怎么激活"]


def test_a_message_whose_answer_was_lost_is_resent_with_its_id_and_each_message_has_its_own(settings, bot_api, rasa):
    """Rasa died (or the balancer gave up) after the message reached it: the channel cannot know whether it
    was processed, and sends it again with the same id, so Rasa answers a repeat instead of processing it
    twice (nlu_runtime/server.py)."""
    lost = {"count": 0}

    def answer(sender: str, message: str) -> httpx.Response:
        if message == "确认" and lost["count"] == 0:
            lost["count"] += 1
            return httpx.Response(502)
        return httpx.Response(200, json=[{"recipient_id": sender, "text": f"收到：{message}"}])

    rasa.answer = answer

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "确认"))
            await eventually(lambda: "收到：确认" in bot_api.texts(CHAT))
            await feed(app, message_update(CHAT, "确认"))
            await eventually(lambda: bot_api.texts(CHAT).count("收到：确认") == 2)
    asyncio.run(main())
    ids = [body["metadata"]["message_id"] for body in rasa.received]
    assert rasa.messages(CHAT) == ["确认", "确认", "确认"]
    # The resend carries the first attempt's id; the citizen's second 确认 is a message of its own.
    assert ids[0] == ids[1] != ids[2]
    assert bot_api.texts(CHAT) == [say("channel_busy"), say("channel_delayed_answer", text="确认"), "收到：确认",
                                   "收到：确认"]


def test_buttons_become_an_inline_keyboard_and_a_press_sends_the_payload(settings, bot_api, rasa):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "给我按钮"))
            keyboard = bot_api.sent(CHAT)[-1]["reply_markup"]["inline_keyboard"]
            assert [[b["text"] for b in row] for row in keyboard] == [["是"], ["否"]]
            await feed(app, callback_update(CHAT, keyboard[0][0]["callback_data"]))
    asyncio.run(main())
    assert rasa.messages(CHAT) == ["给我按钮", "/other_affirm"]
    assert bot_api.texts(CHAT)[-1] == "收到：/other_affirm"
    assert [m for m, _ in bot_api.calls].count("answerCallbackQuery") == 1


def test_a_long_rasa_payload_still_fits_telegrams_callback_data(settings, bot_api, rasa):
    payload = '/complaint_fees{"bank": "中国建设银行", "outlet": "李村支行", "district": "李沧区"}'
    assert len(payload.encode()) > 64  # Telegram's limit for callback_data
    rasa.answer = lambda sender, message: httpx.Response(200, json=(
        [{"text": "您要投诉收费吗？", "buttons": [{"title": "是的", "payload": payload}]}]
        if message == "收费" else [{"text": f"收到：{message}"}]))

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "收费"))
            data = bot_api.sent(CHAT)[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            assert len(data.encode()) <= 64
            await feed(app, callback_update(CHAT, data))
    asyncio.run(main())
    assert rasa.messages(CHAT) == ["收费", payload]


def test_an_unknown_button_is_answered_not_ignored(settings, bot_api, rasa):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, callback_update(CHAT, "f" * 32))  # e.g. pressed after the cache forgot it
    asyncio.run(main())
    assert bot_api.texts(CHAT) == [say("channel_button_expired")]
    assert rasa.received == []


@pytest.mark.parametrize("content", [
    {"voice": {"file_id": "v", "file_unique_id": "v1", "duration": 3}},
    {"document": {"file_id": "d", "file_unique_id": "d1", "file_name": "身份证.pdf"}},
    {"location": {"latitude": 36.07, "longitude": 120.38}},
    {"sticker": {"file_id": "s", "file_unique_id": "s1", "width": 512, "height": 512, "is_animated": False,
                 "is_video": False, "type": "regular"}},
    {"photo": [{"file_id": "p", "file_unique_id": "p1", "width": 90, "height": 90}], "caption": "照片"},
], ids=["voice", "document", "location", "sticker", "photo"])
def test_non_text_gets_a_polite_refusal_and_nothing_reaches_rasa(settings, bot_api, rasa, content):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, **content))
    asyncio.run(main())
    assert bot_api.texts(CHAT) == [say("channel_non_text")]
    assert rasa.received == []


def test_an_edit_is_not_read_again_and_the_citizen_is_told(settings, bot_api, rasa):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "我要投诉工行"))
            await feed(app, message_update(CHAT, "我要投诉建行", edited=True))
    asyncio.run(main())
    assert rasa.messages(CHAT) == ["我要投诉工行"]
    assert bot_api.texts(CHAT) == ["收到：我要投诉工行", say("channel_edited")]


def test_an_unknown_command_gets_the_help_and_is_not_passed_on(settings, bot_api, rasa):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "/other_affirm"))
    asyncio.run(main())
    assert rasa.received == []  # a citizen cannot type Rasa intents
    [text] = bot_api.texts(CHAT)
    assert text.startswith(say("channel_unknown_command", command="/other_affirm"))
    assert say("channel_help") in text


def test_start_and_help_answer_without_rasa(settings, bot_api, rasa):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "/start"))
            await feed(app, message_update(CHAT, "/help"))
    asyncio.run(main())
    start, help_text = bot_api.texts(CHAT)
    assert say("greet") in start and say("channel_start_hint") in start
    assert help_text == say("channel_help")
    assert rasa.received == []


def test_cancel_asks_rasa_to_cancel_the_open_form(settings, bot_api, rasa):
    rasa.answer = lambda sender, message: httpx.Response(200, json=[])

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "/cancel"))
    asyncio.run(main())
    assert rasa.messages(CHAT) == [settings.rasa_cancel_message]
    assert bot_api.texts(CHAT) == [say("channel_cancelled")]


def test_a_very_long_text_is_cut_with_a_note(settings, bot_api, rasa):
    text = "我" * 30 + "要" * 40  # 70 characters, the limit is 50

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, text))
    asyncio.run(main())
    assert rasa.messages(CHAT) == [text[:50]]
    assert bot_api.texts(CHAT) == [say("channel_truncated", limit=50), f"收到：{text[:50]}"]


def test_a_flood_is_refused_with_one_polite_note(settings, bot_api, rasa):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            for n in range(8):  # the limit is 5 a minute
                await feed(app, message_update(CHAT, f"第{n}条"))
            await feed(app, message_update(CHAT + 1, "别人不受影响"))
    asyncio.run(main())
    assert rasa.messages(CHAT) == [f"第{n}条" for n in range(5)]
    assert bot_api.texts(CHAT).count(say("channel_rate_limited", limit=5)) == 1
    assert rasa.messages(CHAT + 1) == ["别人不受影响"]


def test_long_replies_are_split_and_an_empty_answer_is_not_silence(settings, bot_api, rasa):
    rasa.answer = lambda sender, message: httpx.Response(
        200, json=[{"text": "长" * 5000}] if message == "长" else [])

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "长"))
            await feed(app, message_update(CHAT, "空"))
    asyncio.run(main())
    texts = bot_api.texts(CHAT)
    assert [len(t) for t in texts[:2]] == [4096, 904]
    assert texts[2:] == [say("cannot_understand")]


def test_rasa_down_the_citizen_is_told_and_kept_messages_are_answered_in_order(settings, bot_api, rasa):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            rasa.down = True
            await feed(app, message_update(CHAT, "第一条"))
            await feed(app, message_update(CHAT, "第二条"))
            assert [m["message"] for m in app.chat_data[CHAT][PENDING]] == ["第一条", "第二条"]
            assert bot_api.texts(CHAT) == [say("channel_busy"), say("channel_queued")]
            await asyncio.sleep(0.3)  # a few retries fail
            rasa.down = False
            await eventually(lambda: "收到：第二条" in bot_api.texts(CHAT))
            assert PENDING not in app.chat_data[CHAT]
    asyncio.run(main())
    assert rasa.messages(CHAT) == ["第一条", "第二条"]
    assert bot_api.texts(CHAT)[2:] == [say("channel_delayed_answer", text="第一条"), "收到：第一条",
                                       say("channel_delayed_answer", text="第二条"), "收到：第二条"]


def test_a_kept_message_survives_a_restart(settings, bot_api, rasa):
    async def down():
        rasa.down = True
        settings.telegram_rasa_retry_seconds = 60  # no retry before the stop
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "重启前的消息"))
    asyncio.run(down())
    with open(settings.telegram_persistence_file, "rb") as file:
        saved = pickle.load(file)
    assert [m["message"] for m in saved["chat_data"][CHAT][PENDING]] == ["重启前的消息"]

    async def up():
        rasa.down = False
        async with running(settings, bot_api=bot_api, rasa=rasa):
            await eventually(lambda: "收到：重启前的消息" in bot_api.texts(CHAT))
    asyncio.run(up())
    assert rasa.messages(CHAT) == ["重启前的消息"]


def test_a_bad_answer_from_rasa_is_reported_not_kept(settings, bot_api, rasa):
    rasa.answer = lambda sender, message: httpx.Response(200, text="<html>oops</html>")

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "你好"))
            assert PENDING not in app.chat_data.get(CHAT, {})
    asyncio.run(main())
    assert bot_api.texts(CHAT) == [say("channel_failed")]


def test_an_unexpected_error_is_logged_with_its_traceback_and_the_citizen_told(settings, bot_api, rasa, caplog):
    def broken(sender, message):
        raise RuntimeError("bug in the stand-in")
    rasa.answer = broken

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "你好"))
    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram"):
        asyncio.run(main())
    [record] = [r for r in caplog.records if r.name == "bot.channels.telegram"]
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)
    assert bot_api.texts(CHAT) == [say("channel_failed")]


def test_status_lists_the_citizens_tickets_only(settings, bot_api, rasa, ledger):
    knowledge = get_knowledge()
    with new_session(ledger) as session:
        _, mine = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
            kind="complaint", intent="complaint/attitude", bank="农行", channel="telegram",
            description="态度很差", citizen_ref="telegram:777"), knowledge=knowledge,
            calendar=WorkdayCalendar(), now=datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
        _, other = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
            kind="complaint", intent="complaint/attitude", bank="农行", channel="telegram",
            description="态度很差", citizen_ref="telegram:778"), knowledge=knowledge,
            calendar=WorkdayCalendar(), now=datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
        session.commit()

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=ledger) as app:
            await feed(app, message_update(777, "/status"))
            await feed(app, message_update(779, "/status"))
    asyncio.run(main())
    [text] = bot_api.texts(777)
    assert mine.number in text and other.number not in text
    due = mine.due_date
    assert f"{mine.number}（转办单，中国农业银行）：已创建，办理期限 {due.year}年{due.month}月{due.day}日" in text
    assert bot_api.texts(779) == [say("channel_status_none")]


def test_status_says_so_when_the_ledger_is_unavailable(settings, bot_api, rasa, tmp_path):
    empty = make_engine(f"sqlite:///{tmp_path / 'not-migrated.db'}")  # no tables: every query fails

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=empty) as app:
            await feed(app, message_update(CHAT, "/status"))
    asyncio.run(main())
    assert bot_api.texts(CHAT) == [say("channel_status_unavailable")]


def test_push_sends_due_notices_and_keeps_the_ones_telegram_refused(settings, bot_api, rasa, ledger):
    with new_session(ledger) as session:
        now = datetime.now(UTC)  # the bot pushes what is due by its own (the system's) clock
        notices = [CitizenMessage(citizen_ref=ref, text=text, created_at=now, next_attempt_at=now) for ref, text in [
            ("telegram:501", "结果一"), ("telegram:502", "结果二"), ("telegram:abc", "坏的"),
            ("console:503", "别的渠道")]]
        session.add_all(notices)
        session.commit()
    bot_api.blocked.add(502)

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=ledger) as app:
            job = app.job_queue.get_jobs_by_name("push-messages")[0]
            await job.run(app)
            await job.run(app)  # sent notices are not sent twice; refused ones wait for their back-off
    asyncio.run(main())
    assert bot_api.texts(501) == ["结果一"]
    assert bot_api.sent(503) == []
    with new_session(ledger) as session:
        rows = {n.citizen_ref: n for n in session.exec(select(CitizenMessage).where(
            CitizenMessage.id.in_([n.id for n in notices])))}
    assert rows["telegram:501"].sent_at is not None
    for ref in ("telegram:502", "telegram:abc"):
        assert rows[ref].sent_at is None and rows[ref].attempts == 1 and rows[ref].last_error
        assert rows[ref].next_attempt_at > datetime.now(UTC)
    assert "Forbidden" in rows["telegram:502"].last_error
    assert rows["console:503"].sent_at is None and rows["console:503"].attempts == 0


def test_push_messages_is_the_job_the_bot_repeats(settings, bot_api, rasa, ledger):
    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=ledger) as app:
            [job] = app.job_queue.get_jobs_by_name("push-messages")
            assert job.callback is push_messages
            assert job.job.trigger.interval.total_seconds() == settings.telegram_push_interval
    asyncio.run(main())


def test_a_slow_answer_to_one_citizen_does_not_hold_up_another_and_one_chats_order_is_kept(settings, bot_api):
    release = asyncio.Event()
    received: list[str] = []

    async def rasa(request: httpx.Request) -> httpx.Response:
        message = json.loads(request.content)["message"]
        received.append(message)
        if message == "慢":
            await release.wait()
        return httpx.Response(200, json=[{"text": f"收到：{message}"}])

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            for chat, text in [(1, "慢"), (1, "后到"), (2, "快")]:
                await app.update_queue.put(Update.de_json(message_update(chat, text), app.bot))
            try:
                await eventually(lambda: bot_api.texts(2) == ["收到：快"])
                assert bot_api.texts(1) == [] and "后到" not in received  # waits behind the slow one
            finally:
                release.set()
            await eventually(lambda: bot_api.texts(1) == ["收到：慢", "收到：后到"])
    asyncio.run(main())


def _guide_answer(rasa, intent: str, buttons=None):
    k = get_knowledge()
    answer = render_guide(k.guide(intent), k).answer
    rasa.answer = lambda sender, message: httpx.Response(200, json=rest_answer(
        answer, buttons=buttons, after=[{"text": "还有其他问题吗？"}]))
    return answer


def _shown(sent: list[dict]) -> list[str]:
    """The lines a citizen reads, whatever the formatting."""
    return [line for p in sent for line in html_to_text(p["text"]).splitlines() if line.strip()]


def test_a_guide_goes_out_in_html_in_a_few_messages_with_its_buttons_on_the_last(settings, bot_api, rasa):
    answer = _guide_answer(rasa, "inquiry/insurance_record", buttons=[{"title": "转人工", "payload": "/other_handoff"}])

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            await feed(app, message_update(CHAT, "参保信息错了怎么办"))
    asyncio.run(main())
    sent = bot_api.sent(CHAT)
    *guide, closing = sent
    assert closing["text"] == "还有其他问题吗？" and "parse_mode" not in closing
    assert 1 <= len(guide) < len(answer.sections)  # not a message per paragraph
    assert all(p["parse_mode"] == "HTML" and len(p["text"]) <= 4096 for p in guide)
    assert guide[0]["text"].startswith(f"<b>{answer.title}</b>\n<b>{answer.lead}</b>")
    assert _shown(guide) == [line for line in as_text(answer).splitlines() if line.strip()]
    assert [[b["text"] for b in row] for row in guide[-1]["reply_markup"]["inline_keyboard"]] == [["转人工"]]
    assert all("reply_markup" not in p for p in guide[:-1])


def test_html_telegram_refuses_is_sent_as_plain_text_and_logged(settings, bot_api, rasa, caplog):
    answer = _guide_answer(rasa, "inquiry/photo", buttons=[{"title": "转人工", "payload": "/other_handoff"}])
    bot_api.refuse_html = True

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa) as app:
            with caplog.at_level(logging.WARNING, logger="bot.channels.telegram"):
                await feed(app, message_update(CHAT, "没有照片怎么办"))
    asyncio.run(main())
    delivered = [p for p in bot_api.sent(CHAT) if "parse_mode" not in p]  # what Telegram accepted
    *guide, closing = delivered
    assert closing["text"] == "还有其他问题吗？"
    assert "<b>" not in "".join(p["text"] for p in guide)
    assert _shown(guide) == [line for line in as_text(answer).splitlines() if line.strip()]
    assert "reply_markup" in guide[-1]
    assert any("plain text" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
