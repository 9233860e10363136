"""The handoff queue on SQLite and PostgreSQL: opening with the transcript, the citizen's messages,
take / reply / close and what the citizen is sent through the notice outbox."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.db import new_session
from bot.handoff import (
    REPLY_LIMIT,
    Handoff,
    HandoffClosed,
    HandoffNotFound,
    HandoffReason,
    HandoffState,
    MessageAuthor,
    ReplyRejected,
    TakenByAnother,
    TranscriptLine,
    add_citizen_message,
    close,
    end_by_citizen,
    in_service,
    messages,
    open_handoff,
    open_handoff_for,
    reply,
    take,
    waiting,
)
from bot.handoff.queue import TRANSCRIPT_TURNS, last_turns
from bot.notifications import due_messages
from bot.notifications.models import CitizenMessage

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
CITIZEN = "telegram:4242"


def line(minute: int, author: MessageAuthor, text: str) -> TranscriptLine:
    return TranscriptLine(at=T0 + timedelta(minutes=minute), author=author, text=text)


TRANSCRIPT = [
    line(0, MessageAuthor.citizen, "补卡要多久"),
    line(0, MessageAuthor.assistant, "补换社保卡：自受理之日起 7 个工作日内发卡。"),
    line(1, MessageAuthor.citizen, "我上周在建行李村支行办的，我电话13912345678"),
    line(1, MessageAuthor.assistant, "抱歉，我没完全明白您的意思。"),
    line(2, MessageAuthor.citizen, "转人工"),
]


def opened(session: Session, citizen_ref: str = CITIZEN, *, minute: int = 3,
           reason: HandoffReason = HandoffReason.requested) -> Handoff:
    handoff = open_handoff(session, citizen_ref=citizen_ref, channel="telegram", reason=reason,
                           transcript=TRANSCRIPT, now=T0 + timedelta(minutes=minute))
    session.commit()
    return handoff


def notices_to(session: Session, citizen_ref: str = CITIZEN) -> list[str]:
    return [n.text for n in session.exec(select(CitizenMessage).where(CitizenMessage.citizen_ref == citizen_ref)
                                         .order_by(CitizenMessage.id))]


def test_a_handoff_waits_in_the_queue_with_the_conversation_so_far(engine):
    with new_session(engine) as session:
        handoff = opened(session)
    with new_session(engine) as session:
        stored = session.get(Handoff, handoff.id)
        assert (stored.state, stored.reason, stored.channel, stored.opened_at) == \
            (HandoffState.waiting, HandoffReason.requested, "telegram", T0 + timedelta(minutes=3))
        history = messages(session, handoff_id=handoff.id)
    # Stored as written: the operator who serves the citizen reads the number to call back.
    assert [(m.author, m.text, m.at) for m in history] == [(t.author, t.text, t.at) for t in TRANSCRIPT]


def test_opening_twice_gives_the_same_handoff_without_copying_the_transcript_again(engine):
    with new_session(engine) as session:
        first = opened(session)
        again = opened(session, minute=9, reason=HandoffReason.low_confidence)
        assert again.id == first.id and again.reason is HandoffReason.requested
        assert len(messages(session, handoff_id=first.id)) == len(TRANSCRIPT)
        assert len(session.exec(select(Handoff)).all()) == 1


def test_after_a_handoff_is_closed_the_citizen_can_be_handed_over_again(engine, knowledge):
    with new_session(engine) as session:
        first = opened(session)
        close(session, handoff_id=first.id, operator="王芳", now=T0 + timedelta(minutes=5), knowledge=knowledge)
        session.commit()
        second = opened(session, minute=20)
        assert second.id != first.id and open_handoff_for(session, citizen_ref=CITIZEN).id == second.id


def test_the_database_itself_refuses_a_second_open_handoff_for_one_citizen(engine):
    with new_session(engine) as session:
        opened(session)
        session.add(Handoff(citizen_ref=CITIZEN, channel="telegram", reason=HandoffReason.requested,
                            opened_at=T0, last_message_at=T0))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        # Closed ones do not count: history may hold many.
        session.add(Handoff(citizen_ref=CITIZEN, channel="telegram", reason=HandoffReason.requested,
                            opened_at=T0, last_message_at=T0, state=HandoffState.closed))
        session.add(Handoff(citizen_ref=CITIZEN, channel="telegram", reason=HandoffReason.requested,
                            opened_at=T0, last_message_at=T0, state=HandoffState.closed))
        session.commit()


def test_two_openings_at_the_same_moment_give_one_handoff(pg_engine):
    first = new_session(pg_engine)
    handoff = open_handoff(first, citizen_ref=CITIZEN, channel="telegram", reason=HandoffReason.requested,
                           transcript=TRANSCRIPT, now=T0)
    result: dict[str, object] = {}

    def second_opening() -> None:
        with new_session(pg_engine) as session:
            try:
                result["id"] = open_handoff(session, citizen_ref=CITIZEN, channel="telegram",
                                            reason=HandoffReason.low_confidence, transcript=[], now=T0).id
                session.commit()
            except Exception as error:  # reported to the test below
                result["error"] = error

    other = threading.Thread(target=second_opening)
    other.start()
    other.join(0.5)
    assert other.is_alive()  # waits on the unique index for the first transaction
    first.commit()
    first.close()
    other.join(10)
    assert result == {"id": handoff.id}
    with new_session(pg_engine) as session:
        assert len(session.exec(select(Handoff)).all()) == 1
        assert len(messages(session, handoff_id=handoff.id)) == len(TRANSCRIPT)


def test_only_the_last_turns_of_a_long_conversation_are_kept():
    long = [line(i, author, f"{author.value} {i}") for i in range(30) for author in
            (MessageAuthor.citizen, MessageAuthor.assistant)]
    kept = last_turns(long)
    assert [m.author for m in kept].count(MessageAuthor.citizen) == TRANSCRIPT_TURNS
    assert kept == long[-2 * TRANSCRIPT_TURNS:]
    assert last_turns(TRANSCRIPT) == TRANSCRIPT


def test_the_citizens_messages_go_to_the_open_handoff_and_only_the_first_is_marked_first(engine, knowledge):
    with new_session(engine) as session:
        assert add_citizen_message(session, citizen_ref=CITIZEN, text="你好", now=T0) is None
        handoff = opened(session)
        one = add_citizen_message(session, citizen_ref=CITIZEN, text="  还在吗？ ", now=T0 + timedelta(minutes=4))
        two = add_citizen_message(session, citizen_ref=CITIZEN, text="我的身份证号370202199001011234",
                                  now=T0 + timedelta(minutes=5))
        session.commit()
        assert (one.handoff_id, one.first, two.first) == (handoff.id, True, False)
        everything = messages(session, handoff_id=handoff.id)
        history = messages(session, handoff_id=handoff.id, after_id=everything[-4].id)  # what a poll would get
        assert [(m.author, m.text) for m in history] == [
            (MessageAuthor.citizen, "转人工"), (MessageAuthor.citizen, "还在吗？"),
            (MessageAuthor.citizen, "我的身份证号370202199001011234")]
        assert session.get(Handoff, handoff.id).last_message_at == T0 + timedelta(minutes=5)
        close(session, handoff_id=handoff.id, operator="王芳", now=T0 + timedelta(minutes=6), knowledge=knowledge)
        session.commit()
        assert add_citizen_message(session, citizen_ref=CITIZEN, text="谢谢", now=T0 + timedelta(minutes=7)) is None


def test_a_reply_is_stored_and_queued_for_the_citizens_chat(engine, knowledge):
    with new_session(engine) as session:
        handoff = opened(session)
        message = reply(session, handoff_id=handoff.id, operator="王芳", text="  您好，我帮您查一下补卡进度。 ",
                        now=T0 + timedelta(minutes=4), knowledge=knowledge)
        session.commit()
        stored = session.get(Handoff, handoff.id)
        # Answering a waiting citizen takes the handoff.
        assert (stored.state, stored.taken_by, stored.taken_at) == (HandoffState.taken, "王芳",
                                                                    T0 + timedelta(minutes=4))
        assert (message.author, message.operator, message.text) == (MessageAuthor.operator, "王芳",
                                                                    "您好，我帮您查一下补卡进度。")
        sent = notices_to(session)
        assert len(sent) == 2 and "已接入" in sent[0]
        assert sent[1].startswith("12333 客服") and sent[1].endswith("您好，我帮您查一下补卡进度。")
        assert "王芳" not in "".join(sent)  # the operator's name stays in the console
        # The Telegram bot's outbox query finds both, in order.
        due = due_messages(session, channel="telegram", now=T0 + timedelta(minutes=4))
        assert [n.text for n in due] == sent and all(n.ticket_id is None for n in due)


@pytest.mark.parametrize("text", ["", "   \n ", "长" * (REPLY_LIMIT + 1)], ids=["empty", "blank", "too-long"])
def test_an_empty_or_too_long_reply_is_refused_and_nothing_is_sent(engine, knowledge, text):
    with new_session(engine) as session:
        handoff = opened(session)
        with pytest.raises(ReplyRejected) as refused:
            reply(session, handoff_id=handoff.id, operator="王芳", text=text, now=T0, knowledge=knowledge)
        assert ("不能为空" if not text.strip() else str(REPLY_LIMIT)) in knowledge.messages.explain(refused.value)
        session.commit()
        assert notices_to(session) == []
        assert len(messages(session, handoff_id=handoff.id)) == len(TRANSCRIPT)
        assert session.get(Handoff, handoff.id).state is HandoffState.waiting


def test_a_reply_of_exactly_the_limit_is_accepted(engine, knowledge):
    with new_session(engine) as session:
        handoff = opened(session)
        reply(session, handoff_id=handoff.id, operator="王芳", text="好" * REPLY_LIMIT, now=T0, knowledge=knowledge)
        session.commit()
        assert notices_to(session)[-1].endswith("好" * REPLY_LIMIT)


def test_another_operator_cannot_answer_or_close_a_citizen_being_served(engine, knowledge):
    with new_session(engine) as session:
        handoff = opened(session)
        take(session, handoff_id=handoff.id, operator="王芳", now=T0, knowledge=knowledge)
        session.commit()
        for step in (take, reply, close):
            extra = {"text": "我来回答"} if step is reply else {}
            with pytest.raises(TakenByAnother) as refused:
                step(session, handoff_id=handoff.id, operator="李强", now=T0, knowledge=knowledge, **extra)
            assert "王芳" in knowledge.messages.explain(refused.value)
        session.commit()
        assert len(notices_to(session)) == 1  # only "an operator has joined", once
        # Taking it again oneself changes nothing and tells the citizen nothing new.
        take(session, handoff_id=handoff.id, operator="王芳", now=T0 + timedelta(minutes=9), knowledge=knowledge)
        session.commit()
        assert session.get(Handoff, handoff.id).taken_at == T0 and len(notices_to(session)) == 1


def test_closing_tells_the_citizen_once_and_ends_the_conversation_with_the_operator(engine, knowledge):
    with new_session(engine) as session:
        handoff = opened(session)
        reply(session, handoff_id=handoff.id, operator="王芳", text="已为您查到，卡已制好。", now=T0,
              knowledge=knowledge)
        close(session, handoff_id=handoff.id, operator="王芳", now=T0 + timedelta(minutes=8), knowledge=knowledge)
        close(session, handoff_id=handoff.id, operator="王芳", now=T0 + timedelta(minutes=9), knowledge=knowledge)
        session.commit()
        stored = session.get(Handoff, handoff.id)
        assert (stored.state, stored.closed_by, stored.closed_at) == (HandoffState.closed, "王芳",
                                                                      T0 + timedelta(minutes=8))
        sent = notices_to(session)
        assert len(sent) == 3 and "结束" in sent[-1] and "智能助手" in sent[-1]
        with pytest.raises(HandoffClosed):
            reply(session, handoff_id=handoff.id, operator="王芳", text="还有一件事", now=T0, knowledge=knowledge)
        assert open_handoff_for(session, citizen_ref=CITIZEN) is None


def test_the_citizen_can_end_the_handoff_and_is_told_by_the_channel_not_the_outbox(engine):
    with new_session(engine) as session:
        assert end_by_citizen(session, citizen_ref=CITIZEN, now=T0) is None
        handoff = opened(session)
        ended = end_by_citizen(session, citizen_ref=CITIZEN, now=T0 + timedelta(minutes=4))
        session.commit()
        assert (ended.id, ended.state, ended.closed_by) == (handoff.id, HandoffState.closed, None)
        assert notices_to(session) == []


def test_an_unknown_handoff_is_reported_in_chinese(engine, knowledge):
    with new_session(engine) as session:
        with pytest.raises(HandoffNotFound) as missing:
            take(session, handoff_id=999, operator="王芳", now=T0, knowledge=knowledge)
        assert "没有找到" in knowledge.messages.explain(missing.value)


def test_the_queue_lists_waiting_citizens_oldest_first_and_those_being_served_apart(engine, knowledge):
    with new_session(engine) as session:
        late = opened(session, "telegram:3", minute=30)
        early = opened(session, "telegram:1", minute=10)
        served = opened(session, "telegram:2", minute=5)
        done = opened(session, "telegram:4", minute=1)
        take(session, handoff_id=served.id, operator="王芳", now=T0, knowledge=knowledge)
        close(session, handoff_id=done.id, operator="王芳", now=T0, knowledge=knowledge)
        add_citizen_message(session, citizen_ref="telegram:1", text="我电话13912345678，请回电", now=T0)
        session.commit()
        queue = waiting(session)
        assert [item.handoff.id for item in queue] == [early.id, late.id]
        assert queue[0].last_citizen_text == "我电话13912345678，请回电" and queue[0].messages == len(TRANSCRIPT) + 1
        assert queue[1].last_citizen_text == "转人工"
        assert [item.handoff.id for item in in_service(session)] == [served.id]


def test_an_administrator_can_end_a_conversation_its_operator_left_behind(engine, knowledge):
    with new_session(engine) as session:
        handoff = opened(session)
        take(session, handoff_id=handoff.id, operator="王芳", now=T0, knowledge=knowledge)
        with pytest.raises(TakenByAnother):
            close(session, handoff_id=handoff.id, operator="管理员", now=T0, knowledge=knowledge)
        close(session, handoff_id=handoff.id, operator="管理员", now=T0, knowledge=knowledge, override=True)
        session.commit()
        stored = session.get(Handoff, handoff.id)
        assert (stored.state, stored.closed_by) == (HandoffState.closed, "管理员")
        assert "结束" in notices_to(session)[-1]
