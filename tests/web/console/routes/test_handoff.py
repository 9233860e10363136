"""The handoff pages for operators: the queue, a conversation with its history, take, reply and close;
what the citizen is sent, what is refused (in Chinese, nothing sent), what is masked, what is audited."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import event, insert
from sqlmodel import Session, select

from bot.handoff import (
    REPLY_LIMIT,
    Handoff,
    HandoffMessage,
    HandoffReason,
    HandoffState,
    MessageAuthor,
    TranscriptLine,
    add_citizen_message,
    open_handoff,
)
from bot.notifications.models import CitizenMessage
from bot.web.console.models import AuditEntry
from tests.web.console.conftest import NOW

PHONE = "13912345678"
MASKED_PHONE = "139****5678"


def hand_over(engine, chat_id: int, *, minutes_ago: int = 0, texts: tuple[str, ...] = ("转人工",),
              reason: HandoffReason = HandoffReason.requested) -> int:
    at = NOW - timedelta(minutes=minutes_ago)
    transcript = [TranscriptLine(at=at, author=MessageAuthor.citizen, text=t) for t in texts]
    with Session(engine, expire_on_commit=False) as session:
        handoff = open_handoff(session, citizen_ref=f"telegram:{chat_id}", channel="telegram", reason=reason,
                               transcript=transcript, now=at)
        session.commit()
        return handoff.id


def notices(engine, chat_id: int) -> list[str]:
    with Session(engine) as session:
        return [n.text for n in session.exec(select(CitizenMessage).where(
            CitizenMessage.citizen_ref == f"telegram:{chat_id}").order_by(CitizenMessage.id))]


def stored(engine, handoff_id: int) -> list[tuple[MessageAuthor, str]]:
    with Session(engine) as session:
        return [(m.author, m.text) for m in session.exec(select(HandoffMessage).where(
            HandoffMessage.handoff_id == handoff_id).order_by(HandoffMessage.id))]


def audit(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def page_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_queue_shows_waiting_citizens_oldest_first_with_their_wait_and_masked_numbers(engine, signed_in):
    recent = hand_over(engine, 101, minutes_ago=3, texts=("我的卡丢了",))
    oldest = hand_over(engine, 102, minutes_ago=75, texts=(f"请回电{PHONE}",))
    page = signed_in("operator").get("/console/handoff")
    assert page.status_code == 200
    waiting = page.text.split("接待中（")[0]
    assert waiting.index(f'data-handoff="{oldest}"') < waiting.index(f'data-handoff="{recent}"')
    text = page_text(page.text)
    assert "1 小时 15 分钟" in text and "3 分钟" in text
    assert MASKED_PHONE in text and PHONE not in page.text


def test_a_conversation_shows_the_history_masked_until_the_operator_takes_it(engine, signed_in):
    handoff_id = hand_over(engine, 103, texts=("补卡要多久", f"我电话{PHONE}"))
    operator = signed_in("operator")
    page = operator.get(f"/console/handoff/{handoff_id}")
    assert page.status_code == 200
    text = page_text(page.text)
    assert text.index("补卡要多久") < text.index(f"我电话{MASKED_PHONE}") and PHONE not in page.text
    assert "等待接入" in text

    taken = operator.post(f"/console/handoff/{handoff_id}/take")
    assert taken.status_code == 303
    page = operator.get(taken.headers["location"])
    assert f"我电话{PHONE}" in page.text and "接待中" in page_text(page.text)
    assert notices(engine, 103) and "已接入" in notices(engine, 103)[0]
    assert [e.detail["handoff"] for e in audit(engine, "view_handoff")] == [handoff_id, handoff_id]
    assert [(e.user_name, e.detail["handoff"]) for e in audit(engine, "take_handoff")] == [("operator1", handoff_id)]


def test_a_reply_is_queued_for_the_citizens_telegram_chat_and_shown_in_the_history(engine, signed_in):
    handoff_id = hand_over(engine, 104)
    operator = signed_in("operator")
    sent = operator.post(f"/console/handoff/{handoff_id}/reply", {"text": "您好，请问您在哪个网点办的卡？"})
    assert sent.status_code == 303
    page = operator.get(sent.headers["location"])
    assert "已发送" in page.text
    assert "12333 客服（operator1）" in page_text(page.text) and "您好，请问您在哪个网点办的卡？" in page.text
    assert notices(engine, 104)[-1].endswith("您好，请问您在哪个网点办的卡？")
    assert stored(engine, handoff_id)[-1] == (MessageAuthor.operator, "您好，请问您在哪个网点办的卡？")
    [entry] = audit(engine, "reply_handoff")
    assert entry.detail["handoff"] == handoff_id and "您好" not in str(entry.detail)  # the text stays out of the log


@pytest.mark.parametrize("text, message", [
    ("", "回复内容不能为空"),
    ("  \n  ", "回复内容不能为空"),
    ("字" * (REPLY_LIMIT + 1), f"回复不能超过 {REPLY_LIMIT} 个字"),
], ids=["empty", "blank", "too-long"])
def test_an_empty_or_too_long_reply_is_refused_in_chinese_and_nothing_is_sent(engine, signed_in, text, message):
    handoff_id = hand_over(engine, 105)
    operator = signed_in("operator")
    refused = operator.post(f"/console/handoff/{handoff_id}/reply", {"text": text})
    assert refused.status_code == 422
    assert message in refused.text
    if text.strip():
        assert text in refused.text  # kept for the operator to shorten
    assert notices(engine, 105) == []
    assert stored(engine, handoff_id) == [(MessageAuthor.citizen, "转人工")]
    assert audit(engine, "reply_handoff") == []


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_reply_without_the_sessions_token_is_refused_and_nothing_is_sent(engine, signed_in, token):
    handoff_id = hand_over(engine, 106)
    operator = signed_in("operator")
    form = {"text": "您好"} if token is None else {"text": "您好", "csrf_token": token}
    refused = operator.post(f"/console/handoff/{handoff_id}/reply", form, csrf=False)
    assert refused.status_code == 403 and "页面已过期或请求无法验证" in refused.text
    assert notices(engine, 106) == []


def test_script_in_a_citizens_message_or_a_reply_is_shown_as_text(engine, signed_in):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    handoff_id = hand_over(engine, 107, texts=(attack,))
    operator = signed_in("operator")
    operator.post(f"/console/handoff/{handoff_id}/reply", {"text": attack})
    page = operator.get(f"/console/handoff/{handoff_id}")
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert page_text(page.text).count(attack) == 2
    assert notices(engine, 107)[-1].endswith(attack)  # Telegram shows plain text: sent as written
    queue = operator.get("/console/handoff")
    assert "<script>alert" not in queue.text


def test_another_operator_cannot_answer_a_citizen_being_served(engine, signed_in):
    handoff_id = hand_over(engine, 108)
    signed_in("operator").post(f"/console/handoff/{handoff_id}/take")
    other = signed_in("admin")
    page = other.get(f"/console/handoff/{handoff_id}")
    assert "正由 operator1 接待" in page_text(page.text) and 'id="reply-form"' not in page.text
    refused = other.post(f"/console/handoff/{handoff_id}/reply", {"text": "我来回答"})
    assert refused.status_code == 409 and "正由 operator1 接待" in refused.text
    assert len(notices(engine, 108)) == 1  # "an operator has joined", nothing from the other


def test_closing_tells_the_citizen_and_leaves_the_queue(engine, signed_in):
    handoff_id = hand_over(engine, 109)
    operator = signed_in("operator")
    operator.post(f"/console/handoff/{handoff_id}/reply", {"text": "已为您查到。"})
    closed = operator.post(f"/console/handoff/{handoff_id}/close")
    assert closed.status_code == 303 and closed.headers["location"].startswith("/console/handoff?")
    queue = operator.get(closed.headers["location"])
    assert "已结束这次人工服务" in queue.text and f'data-handoff="{handoff_id}"' not in queue.text
    assert "智能助手" in notices(engine, 109)[-1]
    page = operator.get(f"/console/handoff/{handoff_id}")
    assert "这次人工服务已经结束" in page.text and 'id="reply-form"' not in page.text
    late = operator.post(f"/console/handoff/{handoff_id}/reply", {"text": "还有一件事"})
    assert late.status_code == 409 and "已经结束" in late.text
    assert len(audit(engine, "close_handoff")) == 1


def test_the_page_script_gets_only_the_citizens_new_messages(engine, signed_in):
    handoff_id = hand_over(engine, 110, texts=("第一句",))
    operator = signed_in("operator")
    [first] = operator.get(f"/console/handoff/{handoff_id}/messages").json()["messages"]
    assert first["text"] == "第一句" and first["label"] == "市民"
    assert operator.get(f"/console/handoff/{handoff_id}/messages?after={first['id']}").json()["messages"] == []
    with Session(engine) as session:
        add_citizen_message(session, citizen_ref="telegram:110", text=f"电话{PHONE}", now=NOW)
        session.commit()
    polled = operator.get(f"/console/handoff/{handoff_id}/messages?after={first['id']}").json()
    assert [m["text"] for m in polled["messages"]] == [f"电话{MASKED_PHONE}"]  # not taken: masked
    assert polled["state"] == "waiting" and polled["state_label"] == "等待接入"


def test_an_unknown_conversation_is_not_found(signed_in):
    assert signed_in("operator").get("/console/handoff/999999").status_code == 404


def test_supervisors_cannot_open_the_queue(signed_in):
    for role in ("district_supervisor", "city_supervisor"):
        page = signed_in(role).get("/console/handoff")
        assert page.status_code == 403 and "您没有权限查看此页面" in page.text


def _statements(engine, call):  # noqa: ANN001
    """What `call()` returns, and the SQL statements it ran on `engine`."""
    seen: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        return call(), seen
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def test_the_queue_lists_only_the_waiting_among_many_closed_handoffs_in_a_few_queries(engine, signed_in):
    # How fast the page is with many rows is `sbk bench console`'s (转人工队列); here, what it shows and
    # that its work does not grow with the rows: no query per conversation.
    closed = [{"citizen_ref": f"telegram:{i}", "channel": "telegram", "reason": HandoffReason.requested,
               "state": HandoffState.closed, "opened_at": NOW - timedelta(days=1), "citizen_messages": 0,
               "last_message_at": NOW - timedelta(days=1)} for i in range(100_000)]
    with Session(engine) as session:
        session.execute(insert(Handoff), closed)
        session.commit()
    operator = signed_in("operator")
    hand_over(engine, 1_000_000)
    _, few = _statements(engine, lambda: operator.get("/console/handoff"))
    for chat in range(1, 200):
        hand_over(engine, 1_000_000 + chat, minutes_ago=chat)
    page, many = _statements(engine, lambda: operator.get("/console/handoff"))
    assert page.status_code == 200 and page.text.count("data-handoff=") == 200
    assert few and len(many) == len(few), many


def test_an_administrator_may_end_a_conversation_an_operator_left_open(engine, signed_in):
    handoff_id = hand_over(engine, 111)
    signed_in("operator").post(f"/console/handoff/{handoff_id}/take")
    admin = signed_in("admin")
    assert 'id="close-form"' in admin.get(f"/console/handoff/{handoff_id}").text
    assert admin.post(f"/console/handoff/{handoff_id}/close").status_code == 303
    [entry] = audit(engine, "close_handoff")
    assert (entry.user_name, entry.detail["taken_by"]) == ("admin1", "operator1")
    assert "智能助手" in notices(engine, 111)[-1]
