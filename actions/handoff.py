"""Handoff to a 12333 operator: on request, or after two low-confidence turns in a row.

The action puts the conversation in the console's queue (bot.handoff, with this conversation's last
turns for the operator to read) and tells the citizen. While the handoff is open the citizen's
channel passes their messages to the operator instead of to the assistant. Whether a conversation
is handed over is the queue's to say: no slot copies it, so nothing has to be kept in step (and
Rasa needs no extra call to the action server on every message to check it).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import backoffice
from actions.turn import citizen_ref, knowledge, send
from bot.answers import compose_reply
from bot.clock import get_clock
from bot.handoff import HandoffReason, MessageAuthor, TranscriptLine, open_handoff
from bot.nlu.interpret import Interpretation

logger = logging.getLogger(__name__)

HANDOFF_INTENT = Interpretation(text="", category="other", intent="other/handoff", confidence=1.0)
AUTHORS = {"user": MessageAuthor.citizen, "bot": MessageAuthor.assistant}


def _shown_text(event: dict[str, Any]) -> str:
    """What the citizen saw of a message: a pressed button's payload (/inquiry_apply) becomes its label."""
    text = (event.get("text") or "").strip()
    if event.get("event") == "user" and text.startswith("/"):
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or text[1:].split("{")[0]
        try:
            label = knowledge().intent_by_rasa_name(name).label
        except KeyError:
            return text
        return knowledge().messages.render("handoff_transcript_choice", label=label)
    return text


def transcript(tracker: Tracker) -> list[TranscriptLine]:
    """The citizen's and the assistant's messages of this conversation (since its session started)."""
    events = list(tracker.events)
    start = max((i for i, e in enumerate(events) if e.get("event") == "session_started"), default=-1) + 1
    lines = []
    for event in events[start:]:
        author = AUTHORS.get(event.get("event"))
        text = _shown_text(event) if author else ""
        if text:
            at = datetime.fromtimestamp(event["timestamp"], UTC) if event.get("timestamp") else get_clock().now()
            lines.append(TranscriptLine(at=at, author=author, text=text))
    return lines


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, *, reason: HandoffReason) -> list[EventType]:
    """Queue the conversation for an operator, tell the citizen (knowledge/replies.yml) and mark it.

    When the queue cannot be reached the citizen is given the hotline's number instead: a promise
    that a person will answer here would not be kept.
    """
    ref = citizen_ref(tracker)
    lines = transcript(tracker)

    def work(session):
        return open_handoff(session, citizen_ref=ref, channel=ref.split(":", 1)[0], reason=reason,
                            transcript=lines, now=get_clock().now())

    try:
        await backoffice.run(work, commit=True)
    except (SQLAlchemyError, OSError):
        logger.exception("handoff of %s could not be queued", ref)
        k = knowledge()
        dispatcher.utter_message(text=k.messages.render("handoff_unavailable",
                                                       service_phone=k.operator.service_phone))
        return []
    send(dispatcher, compose_reply(HANDOFF_INTENT, knowledge()))
    return []


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return await hand_off(dispatcher, tracker, reason=HandoffReason.requested)
