"""What the console's handoff pages show: the queue's rows and a conversation's lines, in the
catalogue's words (knowledge/console.yml), with ID and phone numbers masked for everyone but the
operator serving the citizen (Art. 9, 51).

Masking uses the privacy rules directly (``bot.privacy.rules``), not the spaCy pipeline: the texts
are short chat messages, and the first use of the pipeline costs seconds that a page must not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.handoff import Handoff, HandoffMessage, HandoffReason, HandoffState, MessageAuthor, QueueItem
from bot.knowledge import Knowledge
from bot.privacy.rules import apply_masks, scan
from bot.web.console.models import ConsoleUser
from bot.web.console.templating import local_time

CHANNEL_LABELS = {"telegram": "Telegram"}
PREVIEW_CHARS = 60


def masked(text: str) -> str:
    """`text` with ID, phone and bank card numbers masked."""
    findings = scan(text)
    return apply_masks(text, findings) if findings else text


def reason_label(reason: HandoffReason, knowledge: Knowledge) -> str:
    return knowledge.messages.text(f"console_handoff_reason_{reason.value}")


def state_label(state: HandoffState, knowledge: Knowledge) -> str:
    return knowledge.messages.text(f"console_handoff_state_{state.value}")


def author_label(author: MessageAuthor, knowledge: Knowledge) -> str:
    return knowledge.messages.text(f"console_handoff_author_{author.value}")


def age_label(delta: timedelta, knowledge: Knowledge) -> str:
    """How long something has waited, as an operator reads it at a glance."""
    messages = knowledge.messages
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 1:
        return messages.render("console_age_under_a_minute")
    if minutes < 60:
        return messages.render("console_age_minutes", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return messages.render("console_age_hours_minutes", hours=hours, minutes=minutes) if minutes \
            else messages.render("console_age_hours", hours=hours)
    return messages.render("console_age_days", days=hours // 24)


def citizen_label(handoff: Handoff, knowledge: Knowledge) -> str:
    """Who the citizen is to the operator: the channel and its identity (a chat id, not personal data)."""
    channel, _, identity = handoff.citizen_ref.partition(":")
    return knowledge.messages.render("console_handoff_citizen", channel=CHANNEL_LABELS.get(channel, channel),
                                     identity=identity).strip()


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


def queue_rows(items: list[QueueItem], *, now: datetime, knowledge: Knowledge) -> list[QueueRow]:
    rows = []
    for item in items:
        h = item.handoff
        text = masked(item.last_citizen_text or "")
        preview = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
        rows.append(QueueRow(id=h.id, citizen=citizen_label(h, knowledge),
                             channel=CHANNEL_LABELS.get(h.channel, h.channel),
                             reason=reason_label(h.reason, knowledge), state=state_label(h.state, knowledge),
                             opened_at=local_time(h.opened_at), waited=age_label(now - h.opened_at, knowledge),
                             taken_by=h.taken_by, preview=preview, messages=item.messages))
    return rows


@dataclass(frozen=True)
class Line:
    id: int
    author: str  # citizen / assistant / operator
    label: str  # who, as the operator reads it
    text: str
    at: str

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "author": self.author, "label": self.label, "text": self.text, "at": self.at}


def conversation_lines(messages: list[HandoffMessage], *, show_numbers: bool, knowledge: Knowledge) -> list[Line]:
    lines = []
    for m in messages:
        label = author_label(m.author, knowledge)
        if m.author is MessageAuthor.operator and m.operator:
            label = knowledge.messages.render("console_handoff_author_named", author=label, operator=m.operator)
        lines.append(Line(id=m.id, author=m.author.value, label=label,
                          text=m.text if show_numbers else masked(m.text), at=local_time(m.at, "%m-%d %H:%M:%S")))
    return lines
