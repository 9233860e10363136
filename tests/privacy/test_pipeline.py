"""The spaCy pipeline: lazy, jieba with the project's dictionary, exact spans in doc.ents."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import ID_NUMBER, MOBILE, find, get_nlp, mask
from bot.privacy.pipeline import COMPONENT, SPANS_KEY, build_nlp, findings_of

from .conftest import make_id

ID = make_id("370211", date(1988, 8, 8), 8)


def test_importing_the_package_does_not_load_spacy():
    code = "import sys, bot.privacy; assert 'spacy' not in sys.modules, 'spacy imported'; print('lazy')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "lazy"


def test_the_pipeline_is_built_once():
    nlp = get_nlp()
    assert get_nlp() is nlp
    assert nlp.lang == "zh"
    assert nlp.pipe_names == [COMPONENT]
    assert nlp.tokenizer.segmenter == "jieba"


def test_the_segmenter_uses_the_projects_dictionary_on_a_private_jieba():
    import jieba

    nlp = get_nlp()
    # Without the dictionary jieba reads 建/行李/村/支行 (FACTS.md).
    assert [t.text for t in nlp("我在建行李村支行办卡")][2:4] == ["建行", "李村支行"]
    assert nlp.tokenizer.jieba_seg is not jieba and nlp.tokenizer.jieba_seg is not jieba.dt


def test_a_number_glued_to_letters_becomes_its_own_token_and_entity():
    doc = get_nlp()(f"ID{ID}好")
    assert [t.text for t in doc] == ["ID", ID, "好"]
    assert [(e.text, e.label_) for e in doc.ents] == [(ID, ID_NUMBER)]


def test_a_spaced_number_is_one_span_over_several_tokens():
    doc = get_nlp()("电话138 1234 5678好")
    [span] = doc.spans[SPANS_KEY]
    assert (span.text, span.label_) == ("138 1234 5678", MOBILE)
    assert len(span) == 3
    assert findings_of(doc)[0].start == 2


def test_the_component_joins_another_pipeline_and_wins_overlaps():
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "bank", "pattern": "建行"}, {"label": "number", "pattern": [{"LIKE_NUM": True}]}])
    nlp.add_pipe(COMPONENT)
    doc = nlp("建行 13812345678")
    assert [(e.text, e.label_) for e in doc.ents] == [("建行", "bank"), ("13812345678", MOBILE)]


def test_a_fixed_today_decides_about_birth_dates():
    born = date(2030, 1, 1)
    number = make_id("370202", born, 1)
    nlp = build_nlp(today=date(2029, 12, 31))
    assert findings_of(nlp(number)) == []
    nlp.get_pipe(COMPONENT).today = born
    assert [f.kind for f in findings_of(nlp(number))] == [ID_NUMBER]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_handled(text):
    findings = find(text)
    assert all(text[f.start:f.end] == f.text for f in findings)
    assert len(mask(text)) == len(text)


def test_masking_in_a_fresh_process_prints_nothing_on_stderr():
    """Commands that mask (sbk report, sbk telegram, the action server) keep stderr for real problems."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", "from bot.privacy import mask; print(mask('电话13912345678'))"],
                            capture_output=True, text=True, timeout=300, check=True)
    assert result.stdout.strip() == "电话139****5678"
    assert result.stderr == ""
