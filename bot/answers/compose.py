"""Composing the one reply the assistant gives to an understood message.

Every sentence comes from knowledge/ (guides.yml, notices.yml, time_limits.yml, replies.yml);
this module only chooses and orders them, and cites the articles they rest on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.answers.layout import Answer, Section, as_text
from bot.knowledge import Guide, Knowledge, NoticeCase, Statement, TimeLimit
from bot.knowledge.catalogue import Catalogue
from bot.knowledge.models import chinese_number
from bot.nlu.interpret import Interpretation

# Below this confidence the assistant asks which of the likeliest intents was meant rather than
# give a guide or small talk (complaints and praise start their form, which confirms the details).
# A wrong guide costs twice what a right one gains, so with a calibrated confidence c a guide pays
# off above c = 2/3 (`sbk nlu calibrate` shows the development set's utility around it, BENCHMARKS.md).
CLARIFY_BELOW = 0.67
SIMPLE_REPLIES = {
    "other/greet": "greet",
    "other/goodbye": "goodbye",
    "other/thanks": "thanks",
    "other/affirm": "affirm",
    "other/deny": "deny",
    "other/handoff": "handoff",
    "other/ticket_status": "ticket_status",
}
NOT_OFFERED_WHEN_UNSURE = frozenset({
    "other/greet", "other/goodbye", "other/thanks", "other/affirm", "other/deny", "other/out_of_scope"})


@dataclass(frozen=True)
class Reply:
    """A reply: its text, the articles it rests on, and choices to offer (intent, label).

    A guide's reply also carries its `answer` laid out in parts (bot.answers.layout); `text` is then
    that answer as plain text.
    """

    text: str
    articles: tuple[int, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    answer: Answer | None = None

    def __post_init__(self) -> None:
        # Channels rebuild a laid-out reply from its text and its layout (bot.channels.rasa): the two
        # must say the same.
        if self.answer is not None and self.text != as_text(self.answer):
            raise ValueError("a laid-out reply's text must be its answer as plain text")


def cite(numbers: Iterable[int], messages: Catalogue) -> str:
    """第三条、第十七条 — article numbers in order, once each."""
    return "、".join(messages.render("article_cited", number=chinese_number(n)) for n in sorted(set(numbers)))


def _operator_values(knowledge: Knowledge) -> dict[str, str]:
    return {key: setting.text for key, setting in knowledge.operator.settings.items()}


def _statement(statement: Statement, messages: Catalogue) -> str:
    if statement.is_operator:
        return messages.render("statement_operator", text=statement.text)
    return messages.render("statement_cited", text=statement.text, articles=cite(statement.articles, messages))


def _notice_section(case: NoticeCase, knowledge: Knowledge) -> Section:
    """An Art. 19 one-time notice as one section: everything the citizen must be told at once."""
    r, values = knowledge.messages, _operator_values(knowledge)
    lines = (
        r.render("notice_reason", reason=case.reason),
        r.render("notice_missing"),
        *(f"{i}. {_statement(s, r)}" for i, s in enumerate(case.missing, 1)),
        r.render("notice_procedure"),
        *(f"{i}. {_statement(s, r)}" for i, s in enumerate(case.procedure, 1)),
        r.render("notice_follow_up", days=case.follow_up_days, fields="、".join(case.register_fields),
                 service_phone=values["service_phone"]),
    )
    return Section("notice_title", r.render("notice_title", title=case.title, citation=case.citation), lines)


def _notice_articles(case: NoticeCase) -> set[int]:
    return {case.article, *(n for s in (*case.missing, *case.procedure) for n in s.articles)}


def render_notice(case: NoticeCase, knowledge: Knowledge) -> Reply:
    """The content of an Art. 19 one-time notice for one case."""
    section = _notice_section(case, knowledge)
    return Reply("\n".join((section.title, *section.lines)), tuple(sorted(_notice_articles(case))))


def _time_limit_section(limits: list[TimeLimit], messages: Catalogue) -> Section | None:
    if not limits:
        return None
    r = messages
    lines = [r.render("time_limit_immediate", label=limit.label) if limit.immediate
             else r.render("time_limit_days", label=limit.label, days=limit.working_days) for limit in limits]
    return Section("guide_time_limit", r.render("guide_time_limit"), (*lines, limits[0].note))


def guide_answer(guide: Guide, knowledge: Knowledge) -> tuple[Answer, tuple[int, ...]]:
    """A guide as one answer (the direct answer first, then its parts) and the articles it rests on."""
    r, values = knowledge.messages, _operator_values(knowledge)
    limits = [knowledge.time_limits[key] for key in (guide.time_limit, *guide.related_time_limits) if key]
    articles = (set(guide.articles) | {n for s in guide.statements for n in s.articles}
                | {limit.article for limit in limits} | {12})  # Art. 12: the fee section
    materials = (*(f"· {item}" for item in guide.materials.items), *filter(None, [guide.materials.note]))
    sections = [
        Section("guide_materials", r.render("guide_materials"), materials),
        Section("guide_where", r.render("guide_where"), (_statement(guide.where, r),)),
        Section("guide_procedure", r.render("guide_procedure"),
                tuple(f"{i}. {_statement(step, r)}" for i, step in enumerate(guide.procedure, 1))),
        _time_limit_section(limits, r),
        Section("guide_fee", r.render("guide_fee"),
                tuple(r.render("fee_free" if kind == "free" else "fee_bank") for kind in guide.fee)),
    ]
    if guide.notice_case:
        case = knowledge.notices[guide.notice_case]
        sections.append(_notice_section(case, knowledge))
        articles |= _notice_articles(case)
    if guide.notes:
        sections.append(Section("guide_notes", r.render("guide_notes"),
                                tuple(f"· {_statement(note, r)}" for note in guide.notes)))
    sections.append(Section("guide_basis_heading", r.render("guide_basis_heading"), (
        r.render("guide_basis", regulation=knowledge.regulation_title, articles=cite(articles, r)),
        r.render("guide_operator_note"),
        r.render("guide_phone", service_phone=values["service_phone"]),
    )))
    answer = Answer(r.render("guide_title", title=guide.title), guide.answer,
                    tuple(s for s in sections if s is not None))
    return answer, tuple(sorted(articles))


def render_guide(guide: Guide, knowledge: Knowledge) -> Reply:
    """A complete, one-time answer for an inquiry: materials, where, procedure, time limit, fee, basis."""
    answer, articles = guide_answer(guide, knowledge)
    return Reply(as_text(answer), articles, answer=answer)


def _subject(interp: Interpretation) -> str:
    return "".join(interp.entities.get(k, "") for k in ("bank", "outlet"))


def _bank(interp: Interpretation, messages: Catalogue) -> str:
    """The bank the message names, or words for the bank yet to be found out."""
    return interp.entities["bank"] if "bank" in interp.entities else messages.render("bank_unnamed")


def _complaint(interp: Interpretation, knowledge: Knowledge) -> Reply:
    r = knowledge.messages
    intent = knowledge.intent(interp.intent)
    subject = _subject(interp)
    if not intent.specific:
        text = r.render("complaint_start", subject=r.render("complaint_start_subject", subject=subject) if subject
                        else "", bank=_bank(interp, r))
        return Reply(text, tuple(sorted({*intent.articles, 9, 27, 28})))
    lines = [
        r.render("complaint_ack", subject=r.render("complaint_ack_subject", subject=subject) if subject else "",
                 label=intent.label, articles=cite(intent.articles, r)),
        r.render("complaint_next", bank=_bank(interp, r)),
        r.render("complaint_need_more" if "bank" in interp.entities and "outlet" in interp.entities
                 else "complaint_need_details"),
    ]
    return Reply("\n".join(lines), tuple(sorted({*intent.articles, 9, 27, 28})))


def _praise(interp: Interpretation, knowledge: Knowledge) -> Reply:
    r = knowledge.messages
    subject = _subject(interp) or r.render("praise_subject_unnamed")
    lines = [r.render("praise_ack", subject=subject), r.render("praise_next", bank=_bank(interp, r))]
    return Reply("\n".join(lines), (43,))


def _out_of_scope(interp: Interpretation, knowledge: Knowledge) -> Reply:
    r, values = knowledge.messages, _operator_values(knowledge)
    for referral in knowledge.operator.referrals:
        if any(word in interp.text for word in referral.keywords):
            return Reply(r.render("out_of_scope", topic=referral.topic, contact=referral.contact), (16, 22))
    return Reply(r.render("out_of_scope_unknown", service_phone=values["service_phone"]), (16, 22))


def _clarify(interp: Interpretation, knowledge: Knowledge) -> Reply:
    # "Did you mean: goodbye?" helps no one: a citizen who is not understood is offered only
    # matters the assistant can act on.
    offered = [name for name, _ in interp.ranking if name not in NOT_OFFERED_WHEN_UNSURE]
    choices = tuple((name, knowledge.intent(name).label) for name in offered[:3])
    options = "；".join(f"{i}. {label}" for i, (_, label) in enumerate(choices, 1))
    return Reply(knowledge.messages.render("clarify", options=options), choices=choices)


def compose_reply(interp: Interpretation, knowledge: Knowledge) -> Reply:
    """The reply to one message, chosen by its interpretation."""
    if interp.confidence == 0.0 and not interp.ranking:
        return Reply(knowledge.messages.render("cannot_understand"))
    if interp.low_confidence or interp.confidence < CLARIFY_BELOW:
        return _clarify(interp, knowledge)
    category = knowledge.intent(interp.intent).category
    if category == "inquiry":
        return render_guide(knowledge.guide(interp.intent), knowledge)
    if category == "complaint":
        return _complaint(interp, knowledge)
    if category == "praise":
        return _praise(interp, knowledge)
    if interp.intent == "other/out_of_scope":
        return _out_of_scope(interp, knowledge)
    values = _operator_values(knowledge)
    return Reply(knowledge.messages.render(SIMPLE_REPLIES[interp.intent], **values))
