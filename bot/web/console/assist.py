"""What the assist page shows for the caller's words: category, the likeliest intents, entities,
the masked utterances, the answer to read out with its articles, and what to prefill.

The model is asked about every sentence of the call on its own (the parser remembers sentences
it has seen, so only new text reaches Rasa). The sentence in focus (what is being typed, else
the last one) decides what the caller wants when it says something of substance; when it does
not (a phone number, "对", "谢谢", or too unsure), the latest sentence that did decides, so a
complaint stays a complaint while the caller spells out their number. Entities come from every
sentence, a later mention winning ("不对，是农行"), so a bank named in the first sentence and an
outlet in the third both reach the ticket form. The operator may pick another intent (or, with
the NLU down, look one up): the answer then follows their choice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from starlette.concurrency import run_in_threadpool

from bot.answers import Answer, compose_reply
from bot.answers.compose import CLARIFY_BELOW
from bot.knowledge import Knowledge, NoticeCase
from bot.nlu.errors import NluError, NluUnavailable
from bot.nlu.interpret import Interpretation, blank
from bot.nlu.remote import RasaParser
from bot.privacy import find, mask

MAX_UTTERANCES = 50
MAX_CHARS = 500  # per utterance: what the model reads (Settings.nlu_max_chars)
TOP = 3
TICKET_CATEGORIES = ("complaint", "praise")
# What a caller says that is no request of its own: a phone number reads as out of scope.
SMALL_TALK = frozenset({"other/greet", "other/goodbye", "other/thanks", "other/affirm", "other/deny",
                        "other/out_of_scope"})


@dataclass(frozen=True)
class Guess:
    intent: str
    label: str
    category_label: str
    confidence: float

    @property
    def percent(self) -> str:
        return f"{self.confidence * 100:.0f}%"


@dataclass(frozen=True)
class ArticleText:
    number: int
    label: str
    text: str


@dataclass
class Analysis:
    utterances: list[str] = field(default_factory=list)  # masked, in order
    focus: str = ""  # masked
    truncated: bool = False
    masked_count: int = 0
    nlu_error: str | None = None
    category_label: str | None = None
    guesses: list[Guess] = field(default_factory=list)
    low_confidence: bool = False
    intent: str | None = None  # the intent the answer follows
    intent_label: str | None = None
    chosen_by_operator: bool = False
    understood_from: int | None = None  # the focus asked for nothing: the request of this earlier sentence (1-based)
    entities: dict[str, str] = field(default_factory=dict)
    answer: str | None = None  # the reply as plain text
    layout: Answer | None = None  # the same reply in parts, when it has them (a guide)
    articles: list[ArticleText] = field(default_factory=list)
    notice_case: NoticeCase | None = None
    ticket_intent: str | None = None
    description: str = ""  # masked utterances, for the ticket form


def _cut(text: str) -> tuple[str, bool]:
    text = (text or "").strip()
    return text[:MAX_CHARS], len(text) > MAX_CHARS


async def _masked(texts: list[str]) -> tuple[list[str], int]:
    """Masked texts and how many pieces of personal data were hidden (spaCy runs off the loop)."""

    def work() -> tuple[list[str], int]:
        return [mask(t) for t in texts], sum(len(find(t)) for t in texts)

    return await run_in_threadpool(work)


def _entities(parses: list[Interpretation], knowledge: Knowledge) -> dict[str, str]:
    """Bank, outlet and district named anywhere in the call; a later mention wins."""
    entities: dict[str, str] = {}
    for parse in parses:
        entities.update(parse.entities)
    if "district" not in entities and "bank" in entities and "outlet" in entities:
        outlet = knowledge.bank(entities["bank"]).outlet(entities["outlet"])
        if outlet is not None:
            entities["district"] = outlet.district
    return {k: entities[k] for k in ("bank", "outlet", "district") if k in entities}


def _answer(analysis: Analysis, interp: Interpretation, intent: str, knowledge: Knowledge) -> None:
    """The reply the assistant would give for `intent`, as the operator's script."""
    chosen = knowledge.intent(intent)
    # The operator decides what was meant: never the clarifying question here.
    confidence = max(interp.confidence if interp.intent == intent else 1.0, CLARIFY_BELOW)
    reply = compose_reply(replace(interp, intent=intent, category=chosen.category, confidence=confidence,
                                  low_confidence=False, ranking=interp.ranking or ((intent, confidence),)),
                          knowledge)
    analysis.intent, analysis.intent_label = intent, chosen.label
    analysis.answer, analysis.layout = reply.text, reply.answer
    analysis.articles = [ArticleText(n, knowledge.article(n).label, knowledge.article(n).text)
                         for n in reply.articles if n in knowledge.articles]
    guide = knowledge.guides.get(intent)
    if guide is not None and guide.notice_case:
        analysis.notice_case = knowledge.notices[guide.notice_case]


async def analyze(parser: RasaParser | None, *, draft: str, utterances: list[str], knowledge: Knowledge,
                  intent: str | None = None) -> Analysis:
    """Everything the page shows for the conversation so far; the NLU being down is part of the
    result (`nlu_error`), not an exception, so the rest of the page keeps working."""
    cut = [_cut(u) for u in utterances[-MAX_UTTERANCES:] if (u or "").strip()]
    texts = [t for t, _ in cut]
    draft_text, draft_cut = _cut(draft)
    spoken = [*texts, draft_text] if draft_text else texts  # the focus is the last one

    masked, count = await _masked(spoken)
    analysis = Analysis(utterances=masked[:len(texts)], focus=masked[-1] if masked else "",
                        truncated=draft_cut or any(c for _, c in cut), masked_count=count,
                        description="\n".join(masked))

    parses = [blank(text) for text in spoken]
    if spoken and parser is not None:
        try:
            # Each sentence on its own (the parser remembers sentences it has seen).
            parses = list(await asyncio.gather(*(parser.parse(text) for text in spoken)))
        except NluUnavailable:
            analysis.nlu_error = knowledge.messages.render("console_nlu_unavailable")
        except NluError:
            analysis.nlu_error = knowledge.messages.render("console_nlu_failed")
    elif spoken:
        analysis.nlu_error = knowledge.messages.render("console_nlu_unavailable")

    understood = parses[-1] if parses else blank("")
    if not _substantive(understood):
        for index in range(len(parses) - 2, -1, -1):
            if _substantive(parses[index]):
                understood, analysis.understood_from = parses[index], index + 1
                break
    if understood.ranking:
        analysis.category_label = knowledge.category(understood.category).label
        analysis.low_confidence = not _confident(understood)
        for name, confidence in understood.ranking[:TOP]:
            item = knowledge.intent(name)
            analysis.guesses.append(Guess(name, item.label, knowledge.category(item.category).label, confidence))
    analysis.entities = _entities(parses, knowledge)

    chosen = intent if intent and _known(intent, knowledge) else None
    if chosen:
        analysis.chosen_by_operator = True
        _answer(analysis, understood, chosen, knowledge)
    elif understood.ranking:
        _answer(analysis, understood, understood.intent, knowledge)

    candidates = ([analysis.intent] if analysis.intent else []) + [g.intent for g in analysis.guesses]
    analysis.ticket_intent = next(
        (name for name in candidates if knowledge.intent(name).category in TICKET_CATEGORIES), None)
    return analysis


def _confident(interp: Interpretation) -> bool:
    return not interp.low_confidence and interp.confidence >= CLARIFY_BELOW


def _substantive(interp: Interpretation) -> bool:
    """Says what the caller wants: understood with confidence, and not small talk or a bare detail."""
    return bool(interp.ranking) and interp.intent not in SMALL_TALK and _confident(interp)


def _known(intent: str, knowledge: Knowledge) -> bool:
    try:
        knowledge.intent(intent)
    except KeyError:
        return False
    return True
