"""The tokenizer's normalisation and the sentence encoder (nlu_runtime/), run in the NLU environment."""

from __future__ import annotations

import textwrap

import pytest

from tests.nlu_runtime import run_in_rasa_environment

SCRIPT = textwrap.dedent("""
    import json, sys, tempfile
    from pathlib import Path
    import numpy as np
    from nlu_runtime.normalise import Normaliser, pinyin_lexicon
    from nlu_runtime.encoder import SentenceEncoder, clip

    lexicon = pinyin_lexicon(["社保卡", "怎么", "挂失", "社保卡", "办", "激活"])
    n = Normaliser(misspellings={"社报卡": "社保卡", "挂师": "挂失"}, pinyin_lexicon=lexicon)
    out = {}
    for key, text in {"traditional": "社保卡遺失怎麼辦", "fullwidth": "ＣＣＢ李村支行７天", "misspelt": "社报卡挂师了",
                      "pinyin": "shebaoka zenme guashi", "english": "how do I apply for a card",
                      "mixed_pinyin": "wo de ka diu le"}.items():
        r = n(text)
        out[key] = {"text": r.text, "origin": list(r.origin)}
    # Where 李村支行 is in the normalised full-width text, and where that is in the original.
    folded = n("ＣＣＢ李村支行７天")
    start = folded.text.index("李村支行")
    out["outlet_span"] = list(folded.span(start, start + 4))

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache.sqlite"
        encoder = SentenceEncoder(max_chars=64, cache_path=cache)
        texts = ["社保卡丢了怎么挂失", "社保卡掉了要去哪里挂失", "今天天气怎么样"]
        first = encoder.embed(texts)
        calls = []
        real = encoder._model.query
        encoder._model.query = lambda batch: calls.append(list(batch)) or real(batch)
        again = encoder.embed(texts + ["银行卡密码忘了"])
        out["cached_equal"] = bool(np.allclose(first, again[:3]))
        out["embedded_again"] = list(calls)
        import sqlite3
        rows = lambda: sqlite3.connect(cache).execute("SELECT count(*) FROM embedding").fetchone()[0]
        before = rows()
        encoder.embed(["我的电话是13912345678 卡丢了"], cached=False)
        out["uncached_rows_added"] = rows() - before
        out["similar"] = float(first[0] @ first[1])
        out["unrelated"] = float(first[0] @ first[2])
        out["norms"] = [float(np.linalg.norm(v)) for v in first]
        long = "我" * 500 + "社保卡丢了怎么办"
        out["clipped"] = clip(long, 64)
        out["long_shape"] = list(SentenceEncoder(max_chars=64).embed([long]).shape)
    print(json.dumps(out, ensure_ascii=False))
""")


@pytest.fixture(scope="module")
def seen() -> dict:
    return run_in_rasa_environment(SCRIPT)


def test_traditional_characters_read_as_simplified(seen):
    assert seen["traditional"]["text"] == "社保卡遗失怎么办"
    assert seen["traditional"]["origin"] == list(range(8))


def test_full_width_forms_fold_and_spans_still_point_into_the_original(seen):
    assert seen["fullwidth"]["text"] == "ccb李村支行7天"
    assert seen["outlet_span"] == [3, 7]  # 李村支行 in what the citizen typed


def test_misspelt_card_words_are_corrected(seen):
    assert seen["misspelt"]["text"] == "社保卡挂失了"


def test_pinyin_only_messages_read_as_chinese(seen):
    assert seen["pinyin"]["text"] == "社保卡怎么挂失"
    # Every Chinese character points into the pinyin it came from.
    assert all(0 <= i < len("shebaoka zenme guashi") for i in seen["pinyin"]["origin"])


def test_english_and_unknown_pinyin_are_left_alone(seen):
    assert seen["english"]["text"] == "how do i apply for a card"
    assert seen["mixed_pinyin"]["text"] == "wo de ka diu le"  # most of it not in the lexicon


def test_the_cache_answers_what_it_has_embedded_and_embeds_only_new_texts(seen):
    assert seen["cached_equal"]
    assert seen["embedded_again"] == [["银行卡密码忘了"]]


def test_a_message_embedded_while_serving_is_not_written_to_the_cache(seen):
    assert seen["uncached_rows_added"] == 0


def test_embeddings_are_normalised_and_put_paraphrases_closer_than_unrelated_text(seen):
    assert all(abs(n - 1.0) < 1e-3 for n in seen["norms"])
    assert seen["similar"] > seen["unrelated"] + 0.05


def test_long_messages_keep_their_head_and_tail_and_embed(seen):
    assert len(seen["clipped"]) == 64 and seen["clipped"].endswith("社保卡丢了怎么办")
    assert seen["long_shape"] == [1, 384]
