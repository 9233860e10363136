"""The spaCy pipeline that finds personal data: blank Chinese, jieba segmenter, one rule component.

spaCy has no trained Chinese pipeline here (see FACTS.md), so the pipeline is
``spacy.blank("zh")`` with the jieba segmenter (the project's user dictionary loaded into a private
``jieba.Tokenizer``, so the global jieba state other modules use is not touched) and the
``sbk_personal_data`` component. The component runs :func:`bot.privacy.rules.scan` on the
document's text, splits any token that a finding starts or ends inside (jieba keeps
``ID370202…`` or ``证370202…`` glued in some texts, and Latin letters glued to digits always),
so every finding is an exact token span, and then

* puts the findings in ``doc.spans["personal_data"]`` (label = kind), and
* adds them to ``doc.ents``, replacing entities of earlier components that overlap them.

The component can be added to any spaCy pipeline: ``nlp.add_pipe("sbk_personal_data")`` once
this module is imported.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Iterable
from datetime import date

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .rules import Finding, scan

COMPONENT = "sbk_personal_data"
SPANS_KEY = "personal_data"


class PersonalDataComponent:
    """spaCy component: personal data as exact token spans (see the module docstring)."""

    def __init__(self, spans_key: str = SPANS_KEY, today: date | None = None):
        self.spans_key = spans_key
        self.today = today  # fixed "today" for birth-date checks (tests); None: the real date

    def __call__(self, doc: Doc) -> Doc:
        findings = scan(doc.text, today=self.today)
        if findings:
            _split_at(doc, {b for f in findings for b in (f.start, f.end)})
        spans = []
        for f in findings:
            span = doc.char_span(f.start, f.end, label=f.kind, alignment_mode="strict")
            if span is None:  # cannot happen after the split; never lose a finding over it
                span = doc.char_span(f.start, f.end, label=f.kind, alignment_mode="expand")
            spans.append(span)
        doc.spans[self.spans_key] = spans
        if spans:
            ours = {(s.start, s.end) for s in spans}
            others = [e for e in doc.ents if not any(e.start < end and start < e.end for start, end in ours)]
            doc.ents = filter_spans(others + spans)
        return doc


def _split_at(doc: Doc, boundaries: set[int]) -> None:
    """Split every token that has one of the character offsets strictly inside it."""
    cuts: list[tuple[int, list[str]]] = []
    for token in doc:
        inner = sorted(b - token.idx for b in boundaries if token.idx < b < token.idx + len(token.text))
        if inner:
            edges = [0, *inner, len(token.text)]
            cuts.append((token.i, [token.text[a:b] for a, b in zip(edges, edges[1:])]))
    if not cuts:
        return
    with doc.retokenize() as retokenizer:
        for i, orths in cuts:
            token = doc[i]
            retokenizer.split(token, orths, heads=[(token, 0)] * len(orths))


@Language.factory(COMPONENT, default_config={"spans_key": SPANS_KEY})
def make_personal_data_component(nlp: Language, name: str, spans_key: str) -> PersonalDataComponent:
    return PersonalDataComponent(spans_key=spans_key)


def project_user_dictionary() -> list[str]:
    """The project's jieba dictionary lines ("word freq tag"), from the knowledge base.

    A broken knowledge folder must not take the masking of logs down with it: detection works on
    characters, not on words, so the pipeline then segments with jieba's own dictionary and a
    warning says so.
    """
    from bot.knowledge import KnowledgeError, build_user_dictionary, get_knowledge

    try:
        return build_user_dictionary(get_knowledge())
    except KnowledgeError as exc:
        warnings.warn(f"personal-data pipeline without the project's jieba dictionary: {exc}", stacklevel=2)
        return []


def build_nlp(user_dictionary: Iterable[str] = (), *, today: date | None = None) -> Language:
    """A new pipeline: blank zh on jieba (with these dictionary lines) + the personal-data component."""
    import jieba

    # jieba reports its dictionary loading on stderr at DEBUG; every command that masks would print it.
    jieba.setLogLevel(logging.WARNING)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    segmenter = jieba.Tokenizer()
    for line in user_dictionary:
        parts = line.split()
        if not parts:
            continue
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[2] if len(parts) > 2 else None
        segmenter.add_word(word, freq, tag)
    nlp.tokenizer.jieba_seg = segmenter
    component = nlp.add_pipe(COMPONENT)
    component.today = today
    return nlp


@functools.cache
def get_nlp() -> Language:
    """The shared pipeline with the project's dictionary, built on first use (not at import)."""
    return build_nlp(project_user_dictionary())


def findings_of(doc: Doc, spans_key: str = SPANS_KEY) -> list[Finding]:
    """The findings a processed ``doc`` carries, as exact character offsets."""
    group: Iterable[Span] = doc.spans[spans_key] if spans_key in doc.spans else ()
    return [Finding(s.label_, s.start_char, s.end_char, s.text) for s in group]
