"""One-time notices (一次性告知单, Art. 19): numbered, registered, followed up within 7 days.

``register_notice`` issues and registers a notice (from the Telegram dialogue or the 12333
console), ``request_reminder`` queues a push before the follow-up window ends,
``complete_notice`` closes it, ``notices_for_phone`` lists a caller's notices.
"""

from bot.one_time_notices.models import (
    NoticeItem,
    OneTimeNotice,
    OneTimeNoticeBase,
    OneTimeNoticeCreate,
    OneTimeNoticePublic,
)
from bot.one_time_notices.registry import (
    PREFIX,
    complete_notice,
    get_notice,
    notices_for_phone,
    register_notice,
    reminder_time,
    request_reminder,
    resolve_matter,
)

__all__ = [
    "PREFIX",
    "NoticeItem",
    "OneTimeNotice",
    "OneTimeNoticeBase",
    "OneTimeNoticeCreate",
    "OneTimeNoticePublic",
    "complete_notice",
    "get_notice",
    "notices_for_phone",
    "register_notice",
    "reminder_time",
    "request_reminder",
    "resolve_matter",
]
