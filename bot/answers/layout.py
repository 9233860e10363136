"""One answer, laid out for a phone: the direct answer first, then parts a citizen can scan.

An `Answer` is the matter's heading, the lead (the direct answer, two phone lines at most) and its
sections (materials, where, procedure, time limit, fee, the Art. 19 notice, notes, basis), each a
heading and its lines, all of them sentences of knowledge/. It is rendered three ways with the same
content: `as_text` (the command line, the action server's text, any channel without formatting),
`as_telegram_html` (Telegram's HTML, split into messages at section boundaries) and the console's
partial (templates/assist/_answer.html). `to_payload` / `from_payload` carry it from the action
server to the channels as Rasa's custom payload.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

TELEGRAM_LIMIT = 4096  # characters of one Telegram message
PAYLOAD_KIND = "sbk.answer/1"  # marks the custom payload that carries an Answer
BLOCK_GAP = "\n\n"  # between the lead and the sections, and between sections


@dataclass(frozen=True)
class Section:
    """One part of an answer: `key` names what it is (the catalogue key of its heading), `title` is
    the heading as the citizen reads it, `lines` its content in order."""

    key: str
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    title: str  # the matter, as a heading
    lead: str  # the direct answer
    sections: tuple[Section, ...] = ()

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


# --------------------------------------------------------------------------- plain text


def _block_lines(answer: Answer) -> Iterator[list[str]]:
    yield [answer.title, answer.lead]
    for section in answer.sections:
        yield [section.title, *section.lines]


def as_text(answer: Answer) -> str:
    """Plain text: heading and lead on the first two lines, then each section under its heading."""
    return BLOCK_GAP.join("\n".join(lines) for lines in _block_lines(answer))


# --------------------------------------------------------------------------- Telegram HTML


@dataclass(frozen=True)
class _Unit:
    """A line of a message: bold (a heading) or not; never split unless longer than a message."""

    text: str
    bold: bool = False

    @property
    def html(self) -> str:
        escaped = html.escape(self.text, quote=False)
        return f"<b>{escaped}</b>" if self.bold else escaped


def _units(answer: Answer) -> Iterator[list[_Unit]]:
    yield [_Unit(answer.title, bold=True), _Unit(answer.lead, bold=True)]
    for section in answer.sections:
        yield [_Unit(section.title, bold=True), *(_Unit(line) for line in section.lines)]


def _cut(unit: _Unit, limit: int) -> list[_Unit]:
    """A line longer than a message, cut into pieces that each fit escaped and tagged: cuts fall
    between characters of the text, so never inside an entity or a tag."""
    room = limit - (len("<b></b>") if unit.bold else 0)
    pieces, current = [], ""
    for char in unit.text:
        if len(html.escape(current + char, quote=False)) > room:
            pieces.append(_Unit(current, unit.bold))
            current = ""
        current += char
    return [*pieces, _Unit(current, unit.bold)]


def _pack(blocks: list[str], gap: str, limit: int) -> list[str]:
    """Consecutive blocks joined by `gap` into messages of at most `limit` characters; every block fits."""
    parts: list[str] = []
    for block in blocks:
        if parts and len(parts[-1]) + len(gap) + len(block) <= limit:
            parts[-1] += gap + block
        else:
            parts.append(block)
    return parts


def as_telegram_html(answer: Answer, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Messages in Telegram's HTML (parse_mode HTML): headings and the lead in <b>, every piece of
    content escaped. A message ends at a section boundary; only a section longer than a message is
    split, between its lines."""
    blocks: list[str] = []
    for units in _units(answer):
        lines = [piece.html for unit in units for piece in _cut(unit, limit)]
        block = "\n".join(lines)
        blocks.extend([block] if len(block) <= limit else _pack(lines, "\n", limit))
    return _pack(blocks, BLOCK_GAP, limit)


def html_to_text(part: str) -> str:
    """A message of `as_telegram_html` as plain text: the same content, without the tags."""
    return html.unescape(part.replace("<b>", "").replace("</b>", ""))


# --------------------------------------------------------------------------- Rasa custom payload


class NotAnAnswer(ValueError):
    """A payload marked as an answer that does not have an answer's shape."""


def to_payload(answer: Answer) -> dict[str, Any]:
    """The answer as JSON for Rasa's `json_message` (custom payload)."""
    return {"kind": PAYLOAD_KIND, "title": answer.title, "lead": answer.lead,
            "sections": [{"key": s.key, "title": s.title, "lines": list(s.lines)} for s in answer.sections]}


def is_payload(data: object) -> bool:
    return isinstance(data, Mapping) and data.get("kind") == PAYLOAD_KIND


def _string(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise NotAnAnswer(f"'{name}' is not a string")
    return value


def from_payload(data: Mapping[str, Any]) -> Answer:
    """The answer `to_payload` gave; NotAnAnswer if `data` is not one."""
    if not is_payload(data):
        raise NotAnAnswer("not an answer payload")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list):
        raise NotAnAnswer("'sections' is not a list")
    sections = []
    for raw in raw_sections:
        if not isinstance(raw, Mapping):
            raise NotAnAnswer("a section is not an object")
        lines = raw.get("lines")
        if not (isinstance(lines, list) and all(isinstance(line, str) for line in lines)):
            raise NotAnAnswer("a section's 'lines' are not a list of strings")
        sections.append(Section(_string(raw, "key"), _string(raw, "title"), tuple(lines)))
    return Answer(_string(data, "title"), _string(data, "lead"), tuple(sections))
