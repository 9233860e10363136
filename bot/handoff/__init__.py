"""Handoff of a citizen's conversation to a 12333 operator (issue 4, issue 5 item 3).

``models`` (the tables), ``queue`` (open, the citizen's messages, take, reply, close, the queue),
``errors`` (refusals with a Chinese message). The assistant's action server opens handoffs, the
Telegram bot routes the citizen's messages into them, the console serves them.
"""

from bot.handoff.errors import HandoffClosed, HandoffError, HandoffNotFound, ReplyRejected, TakenByAnother
from bot.handoff.models import Handoff, HandoffMessage, HandoffReason, HandoffState, MessageAuthor
from bot.handoff.queue import (
    REPLY_LIMIT,
    REPLYABLE_CHANNELS,
    QueueItem,
    Received,
    TranscriptLine,
    add_citizen_message,
    close,
    end_by_citizen,
    get_handoff,
    in_service,
    messages,
    open_handoff,
    open_handoff_for,
    reply,
    take,
    waiting,
)

__all__ = [
    "REPLYABLE_CHANNELS",
    "REPLY_LIMIT",
    "Handoff",
    "HandoffClosed",
    "HandoffError",
    "HandoffMessage",
    "HandoffNotFound",
    "HandoffReason",
    "HandoffState",
    "MessageAuthor",
    "QueueItem",
    "Received",
    "ReplyRejected",
    "TakenByAnother",
    "TranscriptLine",
    "add_citizen_message",
    "close",
    "end_by_citizen",
    "get_handoff",
    "in_service",
    "messages",
    "open_handoff",
    "open_handoff_for",
    "reply",
    "take",
    "waiting",
]
