"""Issuing and registering one-time notices (Art. 19), their reminders and their completion.

Every function works in the caller's transaction and raises the ledger's typed errors
(`InvalidInput` naming the field, `NotFound`, `InvalidTransition`) with a Chinese message that
can be shown as is. The text of a notice comes from knowledge/notices.yml and the reminder's
from knowledge/replies.yml; nothing a citizen reads is written here.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from pydantic import ValidationError
from sqlmodel import Session, select

from bot.clock import SHANGHAI, local_day
from bot.knowledge import Knowledge, NoticeCase, Statement
from bot.ledger.errors import InvalidInput, InvalidTransition, NotFound
from bot.ledger.numbers import next_number
from bot.ledger.phones import normalize_phone
from bot.notifications import CitizenMessage, queue_message
from bot.one_time_notices.models import OneTimeNotice, OneTimeNoticeCreate

PREFIX = "GZ"  # 告知单: GZ-YYYYMMDD-NNNN, counted per Asia/Shanghai day like ZB-/DB- tickets
NUMBER = re.compile(r"^GZ-\d{8}-\d{4}$")
CITIZEN_REF = re.compile(r"^[a-z][a-z0-9_]*:\S{1,48}$")
# The reminder goes out on the morning of the window's second-to-last day: late enough to be
# worth sending, early enough to leave the citizen a full day (and the outlet's opening hours)
# to finish the matter.
REMINDER_DAYS_BEFORE = 1
REMINDER_TIME = time(9, 0)
LOOKUP_LIMIT = 20


def resolve_matter(matter: str, knowledge: Knowledge) -> tuple[str, NoticeCase]:
    """The taxonomy intent and notice case for `matter`: an inquiry intent whose guide has a
    notice case (inquiry/photo) or a notice case key (no_photo)."""
    key = (matter or "").strip()
    if key in knowledge.notices:
        intent = next((g.intent for g in knowledge.guides.values() if g.notice_case == key), key)
        return intent, knowledge.notices[key]
    guide = knowledge.guides.get(key)
    if guide is None or guide.notice_case is None:
        raise InvalidInput("matter_without_notice" if key else "matter_missing", field="matter", matter=key)
    return guide.intent, knowledge.notices[guide.notice_case]


def _item(statement: Statement) -> dict[str, object]:
    return {"text": statement.text, "source": statement.source, "articles": list(statement.articles)}


def _validated(*, matter: str, channel: str, contact_name: str | None, contact_phone: str | None,
               citizen_ref: str | None, knowledge: Knowledge) -> OneTimeNoticeCreate:
    try:
        knowledge.channel(channel)
    except KeyError:
        raise InvalidInput("unknown_channel", field="channel", channel=channel) from None
    name = (contact_name or "").strip() or None
    if name is not None and len(name) > 64:
        raise InvalidInput("contact_name_too_long", field="contact_name", limit=64)
    phone = normalize_phone(contact_phone) if (contact_phone or "").strip() else None
    ref = (citizen_ref or "").strip() or None
    if ref is not None and not CITIZEN_REF.fullmatch(ref):
        raise InvalidInput("unknown_citizen_ref", field="citizen_ref", ref=ref[:64])
    if phone is None and ref is None:
        # Art. 19: 登记受理时间、受理事项、联系人、联系电话.
        raise InvalidInput("notice_phone_missing", field="contact_phone")
    try:
        return OneTimeNoticeCreate.model_validate(
            {"matter": matter, "channel": channel, "contact_name": name, "contact_phone": phone, "citizen_ref": ref})
    except ValidationError as exc:  # lengths the checks above already cover; kept as a typed error
        field = str(exc.errors()[0]["loc"][0]) if exc.errors() else None
        raise InvalidInput("notice_input_invalid", field=field) from exc


def register_notice(session: Session, *, matter: str, channel: str, contact_name: str | None = None,
                    contact_phone: str | None = None, citizen_ref: str | None = None, knowledge: Knowledge,
                    now: datetime) -> OneTimeNotice:
    """Issue a numbered one-time notice for `matter` and register it (Art. 19).

    `channel` is a channel code of knowledge/channels.yml (``telegram``, ``hotline_12333``);
    the citizen is reachable by `contact_phone` or, from a chat channel, by `citizen_ref`
    (``telegram:<chat id>``), one of which is required.
    """
    intent, case = resolve_matter(matter, knowledge)
    data = _validated(matter=intent, channel=channel, contact_name=contact_name, contact_phone=contact_phone,
                      citizen_ref=citizen_ref, knowledge=knowledge)
    notice = OneTimeNotice.model_validate(data, update={
        "number": next_number(session, prefix=PREFIX, at=now),
        "issued_at": now,
        "notice_case": case.key,
        "title": case.title,
        "citation": case.citation,
        "reason": case.reason,
        "handled_at": case.handled_at,
        "missing": [_item(s) for s in case.missing],
        "procedure": [_item(s) for s in case.procedure],
        "service_phone": knowledge.operator.service_phone,
        "follow_up_by": local_day(now) + timedelta(days=case.follow_up_days),
    })
    session.add(notice)
    session.flush()
    return notice


def get_notice(session: Session, *, number: str) -> OneTimeNotice:
    number = (number or "").strip().upper()
    notice = session.exec(select(OneTimeNotice).where(OneTimeNotice.number == number)).first() \
        if NUMBER.fullmatch(number) else None
    if notice is None:
        raise NotFound("notice_not_found", number=number[:32])
    return notice


def reminder_time(notice: OneTimeNotice) -> datetime:
    """When the reminder of `notice` is pushed: 09:00 Asia/Shanghai the day before its last day."""
    day = notice.follow_up_by - timedelta(days=REMINDER_DAYS_BEFORE)
    return datetime.combine(day, REMINDER_TIME, tzinfo=SHANGHAI)


def request_reminder(session: Session, *, number: str, knowledge: Knowledge, now: datetime) -> OneTimeNotice:
    """Queue a push reminding the citizen before the follow-up window ends.

    The reminder is a CitizenMessage whose next_attempt_at lies in the future, so the citizen's
    channel (the Telegram bot's push loop) sends it when it becomes due, and not before.
    Asking twice queues one reminder.
    """
    notice = get_notice(session, number=number)
    if notice.completed_at is not None:
        raise InvalidTransition("notice_completed_no_reminder", number=notice.number)
    if local_day(now) > notice.follow_up_by:
        raise InvalidTransition("notice_window_over", number=notice.number, follow_up_by=notice.follow_up_by.isoformat())
    if not notice.citizen_ref:
        raise InvalidInput("notice_without_channel", field="citizen_ref", number=notice.number)
    if notice.reminder_requested:
        return notice
    issued = local_day(notice.issued_at)
    text = knowledge.messages.render(
        "notice_reminder", number=notice.number, title=notice.title, issued=issued.isoformat(),
        days=(notice.follow_up_by - issued).days, follow_up_by=notice.follow_up_by.isoformat(), handled_at=notice.handled_at,
        service_phone=notice.service_phone)
    reminder = queue_message(session, citizen_ref=notice.citizen_ref, text=text, now=now,
                             send_at=reminder_time(notice))
    session.flush()
    notice.reminder_requested = True
    notice.reminder_message_id = reminder.id
    session.add(notice)
    session.flush()
    return notice


def complete_notice(session: Session, *, number: str, now: datetime) -> OneTimeNotice:
    """Record that the matter has been finished; a reminder not yet sent is withdrawn."""
    notice = get_notice(session, number=number)
    if notice.completed_at is not None:
        raise InvalidTransition("notice_already_completed", number=notice.number,
                                completed=local_day(notice.completed_at).isoformat())
    notice.completed_at = now
    reminder = session.get(CitizenMessage, notice.reminder_message_id) if notice.reminder_message_id else None
    if reminder is not None and reminder.sent_at is None:
        notice.reminder_message_id = None
        session.add(notice)
        session.flush()
        session.delete(reminder)
    session.add(notice)
    session.flush()
    return notice


def notices_for_phone(session: Session, *, phone: str, limit: int = LOOKUP_LIMIT) -> list[OneTimeNotice]:
    """A caller's notices, newest first (indexed on phone and issue time)."""
    number = normalize_phone(phone, field="phone")
    query = (select(OneTimeNotice).where(OneTimeNotice.contact_phone == number)
             .order_by(OneTimeNotice.issued_at.desc()).limit(limit))  # type: ignore[attr-defined]
    return list(session.exec(query))
