"""An answer laid out for a phone: the direct answer first, the same content in the command line,
Telegram and the console, Telegram's HTML safe and split where a citizen would expect it."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from bot.answers import Reply, render_guide, render_notice
from bot.answers.layout import (
    TELEGRAM_LIMIT,
    Answer,
    NotAnAnswer,
    Section,
    as_telegram_html,
    as_text,
    from_payload,
    html_to_text,
    to_payload,
)
from bot.knowledge import get_knowledge
from bot.knowledge.models import LEAD_MAX_CHARS
from bot.web.console.templating import _templates

GUIDES = sorted(get_knowledge().guides)
TAG = re.compile(r"<[^>]*>")
# An ampersand that does not start one of the entities html.escape writes.
BROKEN_ENTITY = re.compile(r"&(?!(amp|lt|gt);)")


def content_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def telegram_lines(parts: list[str]) -> list[str]:
    return [line for part in parts for line in content_lines(html.unescape(TAG.sub("", part)))]


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(data.strip())


def console_texts(answer: Answer) -> list[str]:
    parser = _Texts()
    parser.feed(_templates().env.get_template("assist/_answer.html").render(answer=answer))
    return parser.texts


def synthetic(sections: int, lines: int, line: str) -> Answer:
    return Answer("【测试事项】", "直接答复", tuple(
        Section(f"part_{s}", f"第{s}部分：", tuple(f"{s}.{n} {line}" for n in range(lines)))
        for s in range(sections)))


@pytest.mark.parametrize("intent", GUIDES)
def test_the_first_two_lines_answer_the_question(knowledge, intent):
    guide = knowledge.guide(intent)
    reply = render_guide(guide, knowledge)
    first, second = reply.text.splitlines()[:2]
    assert guide.title in first
    assert second == guide.answer == reply.answer.lead
    assert len(reply.answer.lead) <= LEAD_MAX_CHARS <= 120  # two lines of a phone screen
    # In Telegram too, the first message opens with the heading and the direct answer, in bold.
    assert as_telegram_html(reply.answer)[0].startswith(
        f"<b>{html.escape(first, quote=False)}</b>\n<b>{html.escape(second, quote=False)}</b>")


@pytest.mark.parametrize("intent", GUIDES)
def test_telegram_and_the_console_show_every_line_of_the_plain_answer_in_order(knowledge, intent):
    reply = render_guide(knowledge.guide(intent), knowledge)
    plain = content_lines(reply.text)
    assert telegram_lines(as_telegram_html(reply.answer)) == plain
    assert console_texts(reply.answer) == plain


@pytest.mark.parametrize("intent", GUIDES)
def test_the_answer_has_its_parts_and_says_what_it_did_before(knowledge, intent):
    """The materials, where, procedure, fee and basis are parts of their own; nothing of the guide is lost."""
    guide = knowledge.guide(intent)
    answer = render_guide(guide, knowledge).answer
    keys = [s.key for s in answer.sections]
    assert keys[:3] == ["guide_materials", "guide_where", "guide_procedure"]
    assert {"guide_fee", "guide_basis_heading"} <= set(keys) and keys[-1] == "guide_basis_heading"
    assert ("guide_time_limit" in keys) == bool(guide.time_limit or guide.related_time_limits)
    text = as_text(answer)
    for statement in guide.statements:
        assert statement.text in text
    for item in guide.materials.items:
        assert any(item in line for line in answer.section("guide_materials").lines)
    assert knowledge.operator.service_phone in "".join(answer.section("guide_basis_heading").lines)


@pytest.mark.parametrize("intent", [i for i in GUIDES if get_knowledge().guides[i].notice_case])
def test_the_one_time_notice_is_given_whole_in_one_message(knowledge, intent):
    """Art. 19: everything the citizen needs for the case, told at once — not spread over messages."""
    guide = knowledge.guide(intent)
    case = knowledge.notices[guide.notice_case]
    reply = render_guide(guide, knowledge)
    notice = reply.answer.section("notice_title")
    assert render_notice(case, knowledge).text == "\n".join((notice.title, *notice.lines))
    assert render_notice(case, knowledge).text in reply.text
    body = "\n".join(notice.lines)
    assert case.reason in body
    for statement in (*case.missing, *case.procedure):
        assert statement.text in body
    assert knowledge.operator.service_phone in body
    holding = [part for part in as_telegram_html(reply.answer)
               if html.escape(notice.title, quote=False) in part]
    assert len(holding) == 1
    assert all(html.escape(line, quote=False) in holding[0] for line in notice.lines)


def test_content_is_escaped_and_only_headings_are_bold():
    answer = Answer("【A&B】", "用 <b>粗体</b> & 1 < 2", (Section("x", "材料 <i>：", ("a < b & c > d",)),))
    (part,) = as_telegram_html(answer)
    tags = TAG.findall(part)
    assert set(tags) == {"<b>", "</b>"} and tags.count("<b>") == tags.count("</b>") == 3
    assert "&lt;b&gt;粗体&lt;/b&gt;" in part and "a &lt; b &amp; c &gt; d" in part
    assert not BROKEN_ENTITY.search(part)
    assert html_to_text(part) == as_text(answer)


def _balanced(part: str) -> bool:
    depth = 0
    for tag in TAG.findall(part):
        depth += 1 if tag == "<b>" else -1
        if depth not in (0, 1):
            return False
    return depth == 0


def test_a_long_answer_is_split_between_sections():
    answer = synthetic(sections=12, lines=8, line="银" * 60)  # about 500 characters a section
    parts = as_telegram_html(answer)
    assert len(parts) > 1
    assert all(len(part) <= TELEGRAM_LIMIT and _balanced(part) for part in parts)
    for section in answer.sections:
        holding = [part for part in parts if html.escape(section.title) in part]
        assert len(holding) == 1, section.title
        assert all(line in holding[0] for line in section.lines)
    for part in parts[1:]:
        assert part.startswith("<b>")  # every message begins with a heading
    assert telegram_lines(parts) == content_lines(as_text(answer))


def test_a_section_longer_than_a_message_is_split_between_lines_never_inside_an_entity():
    answer = synthetic(sections=2, lines=30, line="&<" * 90)  # each line escapes to about 800 characters
    parts = as_telegram_html(answer)
    assert len(parts) >= 6
    assert all(len(part) <= TELEGRAM_LIMIT and _balanced(part) for part in parts)
    assert not any(BROKEN_ENTITY.search(part) or part.endswith("&") for part in parts)
    assert telegram_lines(parts) == content_lines(as_text(answer))


def test_a_line_longer_than_a_message_is_cut_between_characters():
    answer = Answer("【长】", "答", (Section("x", "说明：", ("&" * 3000,)),))
    parts = as_telegram_html(answer)
    assert all(len(part) <= TELEGRAM_LIMIT and not BROKEN_ENTITY.search(part) for part in parts)
    assert "".join(html_to_text(part) for part in parts).count("&") == 3000


def test_the_payload_carries_the_answer_and_refuses_what_is_not_one(knowledge):
    answer = render_guide(knowledge.guide("inquiry/photo"), knowledge).answer
    assert from_payload(to_payload(answer)) == answer
    broken = {**to_payload(answer), "sections": [{"key": "x", "title": "t", "lines": "not a list"}]}
    with pytest.raises(NotAnAnswer):
        from_payload(broken)
    with pytest.raises(NotAnAnswer):
        from_payload({"title": "t", "lead": "l", "sections": []})  # no mark: some other payload


def test_a_reply_whose_text_is_not_its_answer_is_refused(knowledge):
    answer = render_guide(knowledge.guide("inquiry/apply"), knowledge).answer
    with pytest.raises(ValueError):
        Reply("社保卡可以到网点办理", answer=answer)
