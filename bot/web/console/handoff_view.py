"""What the console's handoff pages show: the queue's rows and a conversation's lines, in Chinese,
with ID and phone numbers masked for everyone but the operator serving the citizen (Art. 9, 51).

Masking uses the privacy rules directly (``bot.privacy.rules``), not the spaCy pipeline: the texts
are short chat messages, and the first use of the pipeline costs seconds that a page must not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.handoff import Handoff, HandoffMessage, HandoffReason, HandoffState, MessageAuthor, QueueItem
from bot.privacy.rules import apply_masks, scan
from bot.web.console.models import ConsoleUser
from bot.web.console.templating import local_time

REASON_LABELS = {HandoffReason.requested: "市民要求转人工", HandoffReason.low_confidence: "机器人两次未能理解"}
STATE_LABELS = {HandoffState.waiting: "等待接入", HandoffState.taken: "接待中", HandoffState.closed: "已结束"}
AUTHOR_LABELS = {MessageAuthor.citizen: "市民", MessageAuthor.assistant: "智能助手", MessageAuthor.operator: "12333 客服"}
CHANNEL_LABELS = {"telegram": "Telegram"}
PREVIEW_CHARS = 60


def masked(text: str) -> str:
    """`text` with ID, phone and bank card numbers masked."""
    findings = scan(text)
    return apply_masks(text, findings) if findings else text


def age_label(delta: timedelta) -> str:
    """How long something has waited, as an operator reads it at a glance."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 1:
        return "不到 1 分钟"
    if minutes < 60:
        return f"{minutes} 分钟"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} 小时 {minutes} 分钟" if minutes else f"{hours} 小时"
    return f"{hours // 24} 天"


def citizen_label(handoff: Handoff) -> str:
    """Who the citizen is to the operator: the channel and its identity (a chat id, not personal data)."""
    channel, _, identity = handoff.citizen_ref.partition(":")
    return f"{CHANNEL_LABELS.get(channel, channel)} 用户 {identity}".strip()


def serves(user: ConsoleUser, handoff: Handoff) -> bool:
    """`user` is the operator serving this citizen: the only one who sees the numbers in full."""
    return handoff.state is HandoffState.taken and handoff.taken_by == user.name


@dataclass(frozen=True)
class QueueRow:
    id: int
    citizen: str
    channel: str
    reason: str
    state: str
    opened_at: str
    waited: str
    taken_by: str | None
    preview: str  # the citizen's latest message, masked and shortened
    messages: int


def queue_rows(items: list[QueueItem], *, now: datetime) -> list[QueueRow]:
    rows = []
    for item in items:
        h = item.handoff
        text = masked(item.last_citizen_text or "")
        preview = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
        rows.append(QueueRow(id=h.id, citizen=citizen_label(h), channel=CHANNEL_LABELS.get(h.channel, h.channel),
                             reason=REASON_LABELS[h.reason], state=STATE_LABELS[h.state],
                             opened_at=local_time(h.opened_at), waited=age_label(now - h.opened_at),
                             taken_by=h.taken_by, preview=preview, messages=item.messages))
    return rows


@dataclass(frozen=True)
class Line:
    id: int
    author: str  # citizen / assistant / operator
    label: str  # who, in Chinese
    text: str
    at: str

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "author": self.author, "label": self.label, "text": self.text, "at": self.at}


def conversation_lines(messages: list[HandoffMessage], *, show_numbers: bool) -> list[Line]:
    lines = []
    for m in messages:
        label = AUTHOR_LABELS[m.author] + (f"（{m.operator}）" if m.author is MessageAuthor.operator and m.operator
                                           else "")
        lines.append(Line(id=m.id, author=m.author.value, label=label,
                          text=m.text if show_numbers else masked(m.text), at=local_time(m.at, "%m-%d %H:%M:%S")))
    return lines
