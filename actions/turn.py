"""The citizen's latest message as the actions see it, and where the current turn began.

``Turn.of(tracker)`` gives the text, the interpretation (contract intent names, canonical
entities: bot.nlu.interpret) and the events since the message, so every action reads a message
the same way. Also the helpers that turn a reply of bot.answers into a message with buttons.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import Reply
from bot.answers.layout import to_payload
from bot.knowledge import Knowledge, get_knowledge, normalize_name
from bot.nlu.interpret import FALLBACK_INTENT, Interpretation, interpret, outlet_name

TICKET_NUMBER = re.compile(r"(?<![A-Za-z0-9])([ZD]B)\s*-?\s*(\d{8})\s*-?\s*(\d{4})(?!\d)", re.IGNORECASE)
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# Where a clause ends in a message; a full stop is left out, for dates are written 11.20.
CLAUSE_END = re.compile(r"[，,。！!；;？?]")


def knowledge() -> Knowledge:
    return get_knowledge()


# How sure the NLU must be before a message's intent overrides what the dialogue expects. Its
# confidence is calibrated for a message on its own (config.yml, temperature); inside a form or
# after a question, most messages are answers, so the dialogue asks more of it: LIKELY is where
# the uncalibrated model said 0.5 and SURE where it said 0.8, the levels the conversation tests
# were written against ("招商银行" as a bank's name reads 0.76 out of scope, "不记得了" 0.96 deny).
LIKELY = 0.8
SURE = 0.97


@dataclass(frozen=True)
class Turn:
    """One user message and what happened after it so far."""

    text: str
    intent: str  # Rasa name of the top intent (nlu_fallback included), "" if none
    confidence: float
    interpretation: Interpretation
    entities: dict[str, str] = field(default_factory=dict)
    after: tuple[dict[str, Any], ...] = ()  # events after the user message

    @classmethod
    def of(cls, tracker: Tracker) -> Turn:
        message = tracker.latest_message or {}
        text = (message.get("text") or "").strip()
        top = message.get("intent") or {}
        interp = interpretation(message)
        events = list(tracker.events)
        start = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
        return cls(text=text, intent=top.get("name") or "", confidence=float(top.get("confidence") or 0.0),
                   interpretation=interp, entities=dict(interp.entities), after=tuple(events[start + 1:]))

    # -- what kind of message

    @property
    def compact(self) -> str:
        """The text without spaces, full-width folded: what the keyword checks look at."""
        return normalize_name(self.text)

    @property
    def category(self) -> str:
        if self.intent == FALLBACK_INTENT or not self.intent:
            return ""
        try:
            return knowledge().intent_by_rasa_name(self.intent).category
        except KeyError:
            return ""

    def is_intent(self, *names: str, at_least: float = 0.0) -> bool:
        return self.intent in names and self.confidence >= at_least

    # -- what happened in this turn

    def activated(self, form: str) -> bool:
        """The form was activated in this turn (the message is its trigger)."""
        return any(e.get("event") == "active_loop" and e.get("name") == form for e in self.after)

    def handled_elsewhere(self, form: str) -> bool:
        """The form let go of this message and a rule answered it: the form now returns to its
        question and must not read the message again."""
        return any(e.get("event") == "action_execution_rejected" and e.get("name") == form for e in self.after)

    # -- values mentioned in the message

    def bank(self) -> str | None:
        """The partner bank the message names (entity or any alias in the text), canonical."""
        k = knowledge()
        if self.entities.get("bank"):
            return self.entities["bank"]
        whole = k.canonical_bank(self.text)
        if whole:
            return whole
        text = self.compact
        return next((bank for alias, bank in _bank_aliases(k) if alias in text), None)

    def banks_named(self) -> list[tuple[int, str]]:
        """Where each partner bank is named in the compact text, and which (canonical), in order; of
        overlapping aliases the longest wins."""
        taken: list[tuple[int, int, str]] = []
        for alias, bank in _bank_aliases(knowledge()):
            for match in re.finditer(re.escape(alias), self.compact):
                if all(match.end() <= start or match.start() >= end for start, end, _ in taken):
                    taken.append((match.start(), match.end(), bank))
        return [(start, bank) for start, _, bank in sorted(taken)]

    def corrected_bank(self) -> str | None:
        """The bank a correction says is right: "不是工行，是农行" or "工行说错了，应该是农行" → 农行.

        The right one is said last, unless a negation ("不是", words.yml) stands right before it
        ("是农行，不是工行"); with one bank named, it is that one.
        """
        named = self.banks_named()
        if len({bank for _, bank in named}) < 2:
            return self.bank()
        negations = knowledge().words.negation
        affirmed = [bank for start, bank in named
                    if not any(self.compact[:start].endswith(neg) for neg in negations)]
        return affirmed[-1] if affirmed else None

    def corrected_slots(self) -> list[str]:
        """The answers a correction names in words ("时间写错了" → incident_time, words.yml): before
        the new value ("网点不是李村是浮山后") or in it ("不对，是浮山后支行"). A word elsewhere does
        not count: "不是我夸张，李村支行的小王…" gives no outlet."""
        found = self._new_value()
        if found is None:
            return []
        before, value = (normalize_name(part) for part in found)
        return [entry.slot for entry in knowledge().words.corrected_slot
                if any(word in before or word in value for word in entry.words)]

    def corrected_answers(self, owned: Collection[str]) -> dict[str, str]:
        """The answers among `owned` a correction names in words, with the value it gives them
        ("网点不是李村是浮山后" → outlet 浮山后); an outlet by its own name, without a bank alias."""
        value = self.corrected_value()
        if not value:
            return {}
        answers: dict[str, str] = {}
        for slot in self.corrected_slots():
            new = outlet_name(value, knowledge()) if slot == "outlet" else value
            if slot in owned and new:
                answers[slot] = new
        return answers

    def corrected_value(self) -> str | None:
        """The clause after the last "是" / "改成" of a correction ("网点不是李村是浮山后，麻烦改一下" → 浮山后)."""
        found = self._new_value()
        return found[1] if found else None

    def _new_value(self) -> tuple[str, str] | None:
        """The text up to the last "是" / "改成" (words.yml) and the clause after it, if not empty."""
        text = self.text
        ends = [text.rfind(marker) + len(marker) for marker in knowledge().words.new_value if marker in text]
        if not ends:
            return None
        end = max(ends)
        # What follows the clause is a remark ("，麻烦改一下"), not part of the value.
        value = CLAUSE_END.split(text[end:].strip(" ，,。.！!；;：:、"), maxsplit=1)[0].strip()
        return (text[:end], value) if value else None

    def outlet(self) -> str | None:
        """The outlet the message names as an entity (李村支行), without a bank alias."""
        return self.entities.get("outlet")

    def outlet_answer(self) -> str:
        """The message read as the answer to "which outlet": the entity, else the text itself."""
        return self.outlet() or outlet_name(self.text, knowledge()) or self.text

    def phone(self) -> str | None:
        """An 11-digit mobile number in the message (spaces, dashes and +86 ignored)."""
        digits = re.sub(r"[\s\-－—()（）]", "", self.compact)
        digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)
        found = MOBILE.search(digits)
        return found.group(0) if found else None

    def ticket_numbers(self) -> list[str]:
        return [f"{p.upper()}-{d}-{n}" for p, d, n in TICKET_NUMBER.findall(self.text)]


def interpretation(message: dict[str, Any]) -> Interpretation:
    """bot.nlu's interpretation of a Rasa parse; unknown intent names are left out."""
    k = knowledge()
    known = {i.rasa_name for i in k.intents} | {FALLBACK_INTENT}
    parse = {
        "intent": message.get("intent") or {},
        "intent_ranking": [r for r in message.get("intent_ranking") or [] if r.get("name") in known],
        "entities": message.get("entities") or [],
    }
    if not parse["intent_ranking"] and parse["intent"].get("name") in known:
        parse["intent_ranking"] = [parse["intent"]]
    return interpret((message.get("text") or "").strip(), parse, k)


def buttons(choices: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    """Buttons for (intent, label) choices; the payload triggers the intent directly."""
    k = knowledge()
    return [{"title": label, "payload": "/" + k.intent(name).rasa_name} for name, label in choices]


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send a reply composed by bot.answers, its choices as buttons.

    The text is always the whole reply (what a channel without formatting shows, and the
    transcript); a reply laid out in parts also carries that layout as the custom payload, from
    which the Telegram channel renders it formatted (bot.channels.rasa joins the two again).
    """
    dispatcher.utter_message(text=reply.text, buttons=buttons(reply.choices) if reply.choices else None,
                             json_message=to_payload(reply.answer) if reply.answer is not None else None)


def operator_value(key: str) -> str:
    return knowledge().operator.settings[key].text


def citizen_ref(tracker: Tracker) -> str:
    """The citizen's identity for the ledger: the channel's sender id, e.g. telegram:12345."""
    sender = str(tracker.sender_id)
    return sender if ":" in sender else "telegram:" + sender


def _bank_aliases(k: Knowledge) -> list[tuple[str, str]]:
    """(alias as compared, canonical bank) for every name of two characters or more, longest first."""
    return sorted(((normalize_name(n), b.name) for b in k.banks for n in b.names if len(n) >= 2),
                  key=lambda pair: len(pair[0]), reverse=True)
