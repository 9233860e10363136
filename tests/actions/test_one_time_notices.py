"""Art. 19 in the chat: the notice is registered with a number, and the reminder offer is answered."""

from __future__ import annotations

import re
from datetime import date

from rasa_sdk.events import SlotSet
from sqlmodel import select

from actions import backoffice
from actions.inquiries import ActionAnswer
from actions.one_time_notices import ActionNoticeReminder
from bot.db import new_session
from bot.knowledge import get_knowledge
from bot.notifications.models import CitizenMessage
from bot.one_time_notices.models import OneTimeNotice
from tests.actions.conftest import SENDER, message, run, tracker

OFFERED = {"reminder_offered": True}


def notices() -> list[OneTimeNotice]:
    with new_session() as session:
        return list(session.exec(select(OneTimeNotice)))


def reminders() -> list[CitizenMessage]:
    with new_session() as session:
        return list(session.exec(select(CitizenMessage)))


def test_the_answer_registers_a_numbered_notice_for_this_chat_and_offers_a_reminder(db):
    events, messages = run(ActionAnswer(), tracker(message("没有照片怎么办", "inquiry_photo", 0.97)))
    [notice] = notices()
    assert re.fullmatch(r"GZ-\d{8}-\d{4}", notice.number)
    assert (notice.matter, notice.channel, notice.citizen_ref) == ("inquiry/photo", "telegram", SENDER)
    assert events == [SlotSet("notice_number", notice.number), SlotSet("reminder_offered", True)]
    registered = messages[-1]
    assert registered["response"] == "utter_notice_registered"
    assert registered["number"] == notice.number
    assert registered["follow_up_by"] == f"{notice.follow_up_by.month}月{notice.follow_up_by.day}日"
    # The offer's two buttons are the response's own (knowledge/responses.yml).
    offer = get_knowledge().messages.responses["utter_notice_registered"]
    assert [b.payload for b in offer.buttons] == ["/other_affirm", "/other_deny"]


def test_an_answer_without_a_notice_registers_nothing(db):
    events, _ = run(ActionAnswer(), tracker(message("怎么激活社保卡", "inquiry_activate", 0.99)))
    backoffice.ensure_schema()
    assert events == [] and notices() == []


def test_yes_queues_one_reminder_for_the_day_before_the_last_day(db):
    _, _ = run(ActionAnswer(), tracker(message("参保信息错了怎么办", "inquiry_insurance_record", 0.97)))
    [notice] = notices()
    slots = {**OFFERED, "notice_number": notice.number}
    events, messages = run(ActionNoticeReminder(), tracker(message("好的", "other_affirm", 0.99), slots=slots))
    assert events == [SlotSet("reminder_offered", False), SlotSet("notice_number", None)]
    [reminder] = reminders()
    assert reminder.citizen_ref == SENDER and reminder.sent_at is None
    due_day = reminder.next_attempt_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()
    assert due_day == date.fromordinal(notice.follow_up_by.toordinal() - 1)
    assert notice.number in reminder.text
    assert messages == [{**messages[0], "response": "utter_notice_reminder_set", "number": notice.number,
                         "remind_on": f"{due_day.month}月{due_day.day}日"}]


def test_no_queues_nothing(db):
    _, _ = run(ActionAnswer(), tracker(message("没有照片怎么办", "inquiry_photo", 0.97)))
    [notice] = notices()
    events, messages = run(ActionNoticeReminder(),
                           tracker(message("/other_deny", "other_deny", 1.0), slots={**OFFERED, "notice_number": notice.number}))
    assert events == [SlotSet("reminder_offered", False), SlotSet("notice_number", None)]
    assert reminders() == [] and messages[0]["response"] == "utter_notice_reminder_declined"


def test_moving_on_withdraws_the_offer(db):
    events, _ = run(ActionAnswer(), tracker(message("办卡收费吗", "inquiry_fees", 0.97),
                                            slots={**OFFERED, "notice_number": "GZ-20261127-0001"}))
    assert events == [SlotSet("reminder_offered", False), SlotSet("notice_number", None)]


def test_back_office_down_still_gives_the_notice_and_says_the_number_is_missing(monkeypatch, tmp_path):
    import bot.db.engine
    import bot.settings

    url = f"sqlite:///{tmp_path}/missing/dir/sbk.db"
    monkeypatch.setenv("DATABASE_URL", url)
    bot.settings.get_settings.cache_clear()
    bot.db.engine.get_engine.cache_clear()
    backoffice._migrated.add(url)
    try:
        events, messages = run(ActionAnswer(), tracker(message("没有照片怎么办", "inquiry_photo", 0.97)))
    finally:
        backoffice._migrated.discard(url)
        bot.settings.get_settings.cache_clear()
        bot.db.engine.get_engine.cache_clear()
    assert events == []
    assert "一次性告知" in messages[0]["text"]
    assert messages[-1]["response"] == "utter_notice_not_registered"
