"""One-time notices (Art. 19) as the hotline and the Telegram dialogue rely on them: numbered,
registered with what knowledge/ says, followed up within 7 calendar days, reminders pushed when
intended and withdrawn when the matter is done; bad input saves nothing."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot.db import new_session
from bot.ledger.errors import InvalidInput, InvalidTransition, NotFound
from bot.ledger.models import TicketKind
from bot.ledger.numbers import next_ticket_number
from bot.notifications import due_messages, mark_sent
from bot.notifications.models import CitizenMessage
from bot.one_time_notices import (
    OneTimeNotice,
    OneTimeNoticePublic,
    complete_notice,
    get_notice,
    notices_for_phone,
    register_notice,
    request_reminder,
)

SH = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=SH)


def register(engine, knowledge, *, now=FRIDAY, **fields):
    values = {"matter": "inquiry/photo", "channel": "hotline_12333", "contact_name": "张女士",
              "contact_phone": "139 1234 5678", **fields}
    with new_session(engine) as session:
        notice = register_notice(session, knowledge=knowledge, now=now, **values)
        session.commit()
    return notice


def count(engine, model) -> int:
    with new_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_notice_is_numbered_and_says_what_knowledge_says(engine, knowledge):
    notice = register(engine, knowledge)
    case = knowledge.notices["no_photo"]
    assert notice.number == "GZ-20261127-0001"
    with new_session(engine) as session:
        stored = get_notice(session, number=notice.number)
    # Art. 19: reason, missing procedures and materials, procedure, service phone …
    assert stored.reason == case.reason and stored.title == case.title
    assert [i.text for i in stored.missing_items] == [s.text for s in case.missing]
    assert [i.text for i in stored.procedure_steps] == [s.text for s in case.procedure]
    assert [i.articles for i in stored.procedure_steps] == [list(s.articles) for s in case.procedure]
    assert stored.service_phone == knowledge.operator.service_phone
    # … and the registration: time, matter, contact person, contact phone.
    assert stored.issued_at == FRIDAY and stored.matter == "inquiry/photo" and stored.channel == "hotline_12333"
    assert (stored.contact_name, stored.contact_phone) == ("张女士", "13912345678")
    # "7日内" are calendar days, the day of issue not counted: Friday 27th → Friday 4 December.
    assert stored.follow_up_by == date(2026, 12, 4)
    public = OneTimeNoticePublic.model_validate(stored)
    assert public.number == notice.number and public.missing[0].text == case.missing[0].text


def test_the_matter_may_be_named_by_its_notice_case(engine, knowledge):
    notice = register(engine, knowledge, matter="insurance_record")
    assert notice.matter == "inquiry/insurance_record"
    assert notice.reason == knowledge.notices["insurance_record"].reason


def test_numbers_count_per_shanghai_day_apart_from_tickets(engine, knowledge):
    with new_session(engine) as session:
        assert next_ticket_number(session, kind=TicketKind.transfer, at=FRIDAY) == "ZB-20261127-0001"
        session.commit()
    assert register(engine, knowledge).number == "GZ-20261127-0001"
    assert register(engine, knowledge).number == "GZ-20261127-0002"
    # 16:30 UTC is 00:30 the next day in Qingdao: a new day, a new count and a later follow-up date.
    late = register(engine, knowledge, now=datetime(2026, 11, 27, 16, 30, tzinfo=timezone.utc))
    assert late.number == "GZ-20261128-0001" and late.follow_up_by == date(2026, 12, 5)


def test_concurrent_registrations_never_share_a_number(engine, knowledge):
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        try:
            for _ in range(5):
                number = register(engine, knowledge).number
                with lock:
                    numbers.append(number)
        except BaseException as exc:  # reported below rather than lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [f"GZ-20261127-{n:04d}" for n in range(1, 21)]
    assert count(engine, OneTimeNotice) == 20


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"matter": "inquiry/apply"}, "matter", "没有需要出具一次性告知单的情形"),
    ({"matter": "<script>"}, "matter", "没有需要出具一次性告知单的情形"),
    ({"channel": "fax"}, "channel", "未知的受理渠道"),
    ({"contact_phone": "12345"}, "contact_phone", "请填写正确的联系电话"),
    ({"contact_phone": "", "citizen_ref": None}, "contact_phone", "第十九条要求登记联系电话"),
    ({"contact_name": "张" * 65}, "contact_name", "不能超过 64 个字"),
    ({"citizen_ref": "telegram 12 34"}, "citizen_ref", "无法识别"),
])
def test_bad_input_names_the_field_and_saves_nothing(engine, knowledge, fields, field, message):
    with new_session(engine) as session:
        with pytest.raises(InvalidInput) as caught:
            register_notice(session, knowledge=knowledge, now=FRIDAY,
                            **{"matter": "inquiry/photo", "channel": "hotline_12333", "contact_phone": "13912345678",
                               **fields})
        session.commit()
    assert caught.value.field == field and message in knowledge.messages.explain(caught.value)
    assert count(engine, OneTimeNotice) == 0
    assert register(engine, knowledge).number == "GZ-20261127-0001"  # no number was used up


def test_a_telegram_citizen_needs_no_phone(engine, knowledge):
    notice = register(engine, knowledge, channel="telegram", contact_phone=None, contact_name=None,
                      citizen_ref="telegram:4242")
    assert notice.citizen_ref == "telegram:4242" and notice.contact_phone is None


def test_the_reminder_becomes_due_the_morning_before_the_last_day(engine, knowledge):
    notice = register(engine, knowledge, channel="telegram", citizen_ref="telegram:4242")
    with new_session(engine) as session:
        request_reminder(session, number=notice.number, knowledge=knowledge, now=FRIDAY + timedelta(minutes=5))
        request_reminder(session, number=notice.number, knowledge=knowledge, now=FRIDAY + timedelta(minutes=6))
        session.commit()
    intended = datetime(2026, 12, 3, 9, 0, tzinfo=SH)  # Thursday, the last day being Friday 4 December
    with new_session(engine) as session:
        assert due_messages(session, channel="telegram", now=intended - timedelta(seconds=1)) == []
        due = due_messages(session, channel="telegram", now=intended)
        assert get_notice(session, number=notice.number).reminder_requested
    assert len(due) == 1 == count(engine, CitizenMessage)  # asked twice, queued once
    assert due[0].citizen_ref == "telegram:4242" and due[0].ticket_id is None
    assert notice.number in due[0].text and "2026-12-04" in due[0].text and "2026-11-27" in due[0].text
    assert knowledge.operator.service_phone in due[0].text
    assert not re.search(r"\$\{?\w+", due[0].text)


def test_a_reminder_asked_for_late_is_sent_at_once(engine, knowledge):
    notice = register(engine, knowledge, channel="telegram", citizen_ref="telegram:4242")
    late = datetime(2026, 12, 3, 15, 0, tzinfo=SH)
    with new_session(engine) as session:
        request_reminder(session, number=notice.number, knowledge=knowledge, now=late)
        session.commit()
    with new_session(engine) as session:
        assert len(due_messages(session, channel="telegram", now=late)) == 1


def test_reminders_are_refused_where_they_cannot_help(engine, knowledge):
    by_phone = register(engine, knowledge)
    chat = register(engine, knowledge, channel="telegram", citizen_ref="telegram:4242")
    with new_session(engine) as session:
        with pytest.raises(InvalidInput) as caught:
            request_reminder(session, number=by_phone.number, knowledge=knowledge, now=FRIDAY)
        assert caught.value.field == "citizen_ref"
        with pytest.raises(InvalidTransition) as late:
            request_reminder(session, number=chat.number, knowledge=knowledge, now=datetime(2026, 12, 5, 8, tzinfo=SH))
        assert "已过" in knowledge.messages.explain(late.value)
        with pytest.raises(NotFound):
            request_reminder(session, number="GZ-20200101-0001", knowledge=knowledge, now=FRIDAY)
        complete_notice(session, number=chat.number, now=FRIDAY + timedelta(days=1))
        with pytest.raises(InvalidTransition) as done:
            request_reminder(session, number=chat.number, knowledge=knowledge, now=FRIDAY + timedelta(days=1))
        assert "已办结" in knowledge.messages.explain(done.value)
        session.commit()
    assert count(engine, CitizenMessage) == 0


def test_completing_the_matter_withdraws_an_unsent_reminder(engine, knowledge):
    notice = register(engine, knowledge, channel="telegram", citizen_ref="telegram:4242")
    with new_session(engine) as session:
        request_reminder(session, number=notice.number, knowledge=knowledge, now=FRIDAY)
        session.commit()
    with new_session(engine) as session:
        done = complete_notice(session, number=notice.number.lower(), now=FRIDAY + timedelta(days=2))
        session.commit()
    assert done.completed_at == FRIDAY + timedelta(days=2)
    with new_session(engine) as session:
        assert due_messages(session, channel="telegram", now=datetime(2026, 12, 3, 9, 0, tzinfo=SH)) == []
        with pytest.raises(InvalidTransition) as again:
            complete_notice(session, number=notice.number, now=FRIDAY + timedelta(days=3))
        assert "已于 2026-11-29 办结" in knowledge.messages.explain(again.value)


def test_a_reminder_already_sent_stays_recorded(engine, knowledge):
    notice = register(engine, knowledge, channel="telegram", citizen_ref="telegram:4242")
    at = datetime(2026, 12, 3, 9, 0, tzinfo=SH)
    with new_session(engine) as session:
        request_reminder(session, number=notice.number, knowledge=knowledge, now=FRIDAY)
        session.commit()
    with new_session(engine) as session:
        mark_sent(session, due_messages(session, channel="telegram", now=at)[0], now=at)
        complete_notice(session, number=notice.number, now=at + timedelta(hours=1))
        session.commit()
    with new_session(engine) as session:
        assert session.exec(select(CitizenMessage)).one().sent_at == at


def test_a_callers_notices_are_found_by_phone_in_any_spelling(engine, knowledge):
    first = register(engine, knowledge, contact_phone="13912345678")
    second = register(engine, knowledge, matter="insurance_record", contact_phone="+86 139-1234-5678",
                      now=FRIDAY + timedelta(hours=1))
    register(engine, knowledge, contact_phone="13800000000")
    with new_session(engine) as session:
        found = notices_for_phone(session, phone="１３９ １２３４ ５６７８")
        assert [n.number for n in found] == [second.number, first.number]
        assert notices_for_phone(session, phone="13700000000") == []
        with pytest.raises(InvalidInput) as caught:
            notices_for_phone(session, phone="abc")
    assert caught.value.field == "phone"


def test_a_local_landline_is_stored_with_qingdaos_area_code(engine, knowledge):
    notice = register(engine, knowledge, contact_phone="8234 5678")
    assert notice.contact_phone == "053282345678"
    with new_session(engine) as session:
        assert [n.number for n in notices_for_phone(session, phone="0532-82345678")] == [notice.number]
