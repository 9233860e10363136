"""The handoff reply reaching a (test) Telegram chat: a citizen handed over in Telegram, an operator in
the console, every part a real process on loopback — the console server (console_server), the Bot API
server (telegram-test-api), the bot pushing from the outbox, a fake Rasa — over one database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.channels.replies import Say
from bot.db import make_engine, new_session
from bot.handoff import (
    HandoffReason,
    HandoffState,
    MessageAuthor,
    TranscriptLine,
    add_citizen_message,
    get_handoff,
    open_handoff,
)
from bot.notifications.models import CitizenMessage
from tests.e2e.conftest import Citizen, node_modules, telegram_stack  # noqa: F401  (node_modules: a fixture)

say = Say()
CHAT = 77001
PHONE, MASKED_PHONE = "13912345678", "139****5678"


@pytest.fixture(scope="module")
def telegram(console_server, node_modules, tmp_path_factory):  # noqa: F811
    """The bot and its peers on the console server's database."""
    with telegram_stack(tmp_path_factory.mktemp("telegram"), console_server.database_url) as (bot_api, rasa, bot):
        yield bot_api, rasa, bot


@pytest.fixture
def engine(console_server):
    engine = make_engine(console_server.database_url)
    yield engine
    engine.dispose()


def hand_over(engine, chat_id: int) -> int:
    """What the assistant's action does when the citizen asks for a person."""
    now = datetime.now(UTC)
    transcript = [
        TranscriptLine(at=now - timedelta(minutes=2), author=MessageAuthor.citizen, text="补卡两周了还没拿到"),
        TranscriptLine(at=now - timedelta(minutes=2), author=MessageAuthor.assistant,
                       text="补换社保卡：自受理之日起 7 个工作日内发卡（第十七条）。"),
        TranscriptLine(at=now - timedelta(minutes=1), author=MessageAuthor.citizen, text="转人工"),
    ]
    with new_session(engine) as session:
        handoff = open_handoff(session, citizen_ref=f"telegram:{chat_id}", channel="telegram",
                               reason=HandoffReason.requested, transcript=transcript, now=now - timedelta(minutes=1))
        session.commit()
        return handoff.id


def test_an_operator_answers_a_handed_over_citizen_who_receives_it_in_telegram(
        page, console_server, sign_in, screenshot, telegram, engine):
    bot_api, rasa, _bot = telegram
    citizen = Citizen(bot_api, CHAT)
    handoff_id = hand_over(engine, CHAT)

    # The citizen writes while waiting: the message goes to the queue, and they are told a person will reply.
    citizen.send(f"我的电话是{PHONE}，麻烦尽快联系我")
    citizen.wait_for_text(say("handoff_waiting"), timeout=15)

    sign_in(page, "operator")
    page.click("nav >> text=转人工会话")
    row = page.locator(f"tr[data-handoff='{handoff_id}']")
    assert f"Telegram 用户 {CHAT}" in row.inner_text()
    assert f"我的电话是{MASKED_PHONE}" in row.inner_text() and PHONE not in page.content()
    assert "分钟" in row.inner_text()  # how long the citizen has waited
    screenshot(page, "handoff_queue")

    row.locator("text=查看并接入").click()
    history = page.locator("#history")
    assert history.locator(".line").count() == 4
    assert "补卡两周了还没拿到" in history.inner_text() and "智能助手" in history.inner_text()
    page.click("#take-form button")
    page.wait_for_selector("text=您已接入")
    assert f"我的电话是{PHONE}" in history.inner_text()  # the operator serving the citizen sees the number
    citizen.wait_for_text(say("handoff_taken"), timeout=15)

    # A new message from the citizen appears on the open page without reloading it.
    citizen.send("我是在李村支行办的")
    history.locator(".line-citizen", has_text="我是在李村支行办的").wait_for(timeout=15_000)

    # A blank reply is refused in Chinese and nothing reaches the citizen.
    page.fill("#reply-text", "   ")
    page.click("#reply-form button[type=submit]")
    assert "回复内容不能为空" in page.locator(".flash-error").inner_text()

    reply = "您好，我查到您的卡已制好，明天上午可以到李村支行领取。"
    page.fill("#reply-text", reply)
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector("text=已发送")
    assert page.locator("#history .line-operator").last.inner_text().endswith(reply)
    screenshot(page, "handoff_conversation")

    # The real bot pushes it from the outbox to the test Telegram chat.
    received = citizen.wait_for(lambda m: m["message"]["text"].endswith(reply), timeout=15,
                                what="the operator's reply")
    assert received["message"]["text"].startswith("12333 客服")
    texts = [m["message"]["text"] for m in citizen.inbox]
    assert not any("回复内容不能为空" in t or t.strip() == "12333 客服：" for t in texts)

    page.click("#close-form button")
    page.wait_for_selector("text=已结束这次人工服务")
    citizen.wait_for_text(say("handoff_closed_by_operator"), timeout=15)
    with new_session(engine) as session:
        assert get_handoff(session, handoff_id=handoff_id).state is HandoffState.closed
        unsent = session.exec(select(CitizenMessage).where(CitizenMessage.citizen_ref == f"telegram:{CHAT}",
                                                          CitizenMessage.sent_at == None)).all()  # noqa: E711
        assert unsent == []

    # The assistant answers again.
    citizen.send("谢谢")
    citizen.wait_for_text("收到：谢谢", timeout=15)
    assert [r["message"] for r in rasa.received() if r["sender"] == f"telegram:{CHAT}"] == ["谢谢"]


def test_an_unattended_conversation_page_stops_asking_for_messages_until_the_operator_returns(
        page, console_server, sign_in, engine):
    handoff_id = hand_over(engine, CHAT + 1)
    sign_in(page, "operator")
    page.clock.install()
    page.goto(f"{console_server.url}/console/handoff/{handoff_id}")
    # Nobody touches the page for longer than the session's idle limit (30 minutes): the poll pauses,
    # so the open page does not keep the session alive.
    page.clock.fast_forward("31:00")
    page.wait_for_selector("text=长时间未操作，已暂停接收新消息")
    with new_session(engine) as session:
        add_citizen_message(session, citizen_ref=f"telegram:{CHAT + 1}", text="还有人吗", now=datetime.now(UTC))
        session.commit()
    page.clock.fast_forward("00:10")
    assert "还有人吗" not in page.locator("#history").inner_text()
    page.click("#poll-resume")
    page.locator("#history .line-citizen", has_text="还有人吗").wait_for(timeout=10_000)
