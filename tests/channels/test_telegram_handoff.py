"""The bot while a citizen's conversation is handed over to a 12333 operator: their messages go to the
operator's queue (not to Rasa), they are told once, /cancel ends it, the operator's reply is pushed,
and once the handoff is closed Rasa answers again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlmodel import select

from bot.channels.replies import Say
from bot.db import make_engine, new_session
from bot.handoff import Handoff, HandoffReason, HandoffState, MessageAuthor, close, messages, open_handoff, reply
from bot.knowledge import get_knowledge
from tests.channels.conftest import callback_update, feed, message_update, running

say = Say()


def hand_over(engine, chat_id: int) -> int:
    with new_session(engine) as session:
        handoff = open_handoff(session, citizen_ref=f"telegram:{chat_id}", channel="telegram",
                               reason=HandoffReason.requested, transcript=[], now=datetime.now(UTC))
        session.commit()
        return handoff.id


def history(engine, handoff_id: int) -> list[tuple[MessageAuthor, str]]:
    with new_session(engine) as session:
        return [(m.author, m.text) for m in messages(session, handoff_id=handoff_id)]


def test_the_citizens_messages_reach_the_operator_not_rasa_and_they_are_told_once(settings, bot_api, rasa, ledger):
    chat = 6101
    handoff_id = hand_over(ledger, chat)

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=ledger) as app:
            await feed(app, message_update(chat, "我的卡补了两周还没到"))
            await feed(app, message_update(chat, "电话13912345678"))
    asyncio.run(main())
    assert rasa.messages(chat) == []
    assert bot_api.texts(chat) == [say("handoff_waiting")]
    assert history(ledger, handoff_id) == [(MessageAuthor.citizen, "我的卡补了两周还没到"),
                                           (MessageAuthor.citizen, "电话13912345678")]


def test_a_button_pressed_during_the_handoff_reaches_the_operator_as_its_label(settings, bot_api, rasa, ledger):
    chat = 6102

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=ledger) as app:
            await feed(app, message_update(chat, "给我按钮"))  # Rasa asks, with buttons
            keyboard = bot_api.sent(chat)[-1]["reply_markup"]["inline_keyboard"]
            handoff_id = hand_over(ledger, chat)
            await feed(app, callback_update(chat, keyboard[0][0]["callback_data"]))
            return handoff_id
    handoff_id = asyncio.run(main())
    assert rasa.messages(chat) == ["给我按钮"]
    assert history(ledger, handoff_id) == [(MessageAuthor.citizen, "是")]


def test_cancel_ends_the_handoff_and_the_assistant_answers_again(settings, bot_api, rasa, ledger):
    chat = 6103
    handoff_id = hand_over(ledger, chat)

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=ledger) as app:
            await feed(app, message_update(chat, "/cancel"))
            await feed(app, message_update(chat, "补卡要多久"))
    asyncio.run(main())
    assert bot_api.texts(chat) == [say("handoff_closed_by_citizen"), "收到：补卡要多久"]
    assert rasa.messages(chat) == ["补卡要多久"]  # the cancel was the handoff's, not a form's
    with new_session(ledger) as session:
        assert session.get(Handoff, handoff_id).state is HandoffState.closed


def test_the_operators_reply_and_close_are_pushed_and_then_rasa_answers(settings, bot_api, rasa, ledger):
    chat = 6104
    handoff_id = hand_over(ledger, chat)
    knowledge = get_knowledge()

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=ledger) as app:
            push = app.job_queue.get_jobs_by_name("push-messages")[0]
            await feed(app, message_update(chat, "在吗"))
            with new_session(ledger) as session:
                reply(session, handoff_id=handoff_id, operator="王芳", text="您好，我是12333客服，请讲。",
                      now=datetime.now(UTC), knowledge=knowledge)
                session.commit()
            await push.run(app)
            await feed(app, message_update(chat, "卡在哪个网点领"))
            with new_session(ledger) as session:
                close(session, handoff_id=handoff_id, operator="王芳", now=datetime.now(UTC), knowledge=knowledge)
                session.commit()
            await push.run(app)
            await feed(app, message_update(chat, "谢谢"))
    asyncio.run(main())
    texts = bot_api.texts(chat)
    assert texts[0] == say("handoff_waiting")
    assert texts[1] == say("handoff_taken") and texts[2].endswith("您好，我是12333客服，请讲。")
    assert texts[3] == say("handoff_closed_by_operator")
    assert texts[4:] == ["收到：谢谢"]
    assert rasa.messages(chat) == ["谢谢"]
    assert history(ledger, handoff_id)[-1] == (MessageAuthor.citizen, "卡在哪个网点领")


def test_without_a_handoff_nothing_changes_for_the_citizen(settings, bot_api, rasa, ledger):
    chat = 6105

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=ledger) as app:
            await feed(app, message_update(chat, "怎么激活"))
            await feed(app, message_update(chat, "/cancel"))
    asyncio.run(main())
    assert rasa.messages(chat) == ["怎么激活", settings.rasa_cancel_message]
    with new_session(ledger) as session:
        assert session.exec(select(Handoff).where(Handoff.citizen_ref == f"telegram:{chat}")).first() is None


def test_when_the_queue_cannot_be_read_the_assistant_still_answers(settings, bot_api, rasa, tmp_path):
    broken = make_engine(f"sqlite:///{tmp_path / 'not-migrated.db'}")  # no tables: every query fails

    async def main():
        async with running(settings, bot_api=bot_api, rasa=rasa, engine=broken) as app:
            await feed(app, message_update(6106, "怎么激活"))
    asyncio.run(main())
    assert bot_api.texts(6106) == ["收到：怎么激活"]
