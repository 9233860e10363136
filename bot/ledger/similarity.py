"""How alike two complaint descriptions are, by their words (jieba), for the duplicate check.

Chinese has no spaces, so descriptions are cut into words with jieba (search mode, which also
yields the shorter words inside long ones: 理财产品 → 理财, 产品, 理财产品) and the knowledge's
user dictionary (bank and outlet names, card terms). The similarity is the overlap coefficient of
the two word sets: the share of the shorter description's words found in the other, so a short
second call ("李村支行又逼我买理财") matches the longer first one it repeats.
"""

from __future__ import annotations

import logging
import unicodedata
from functools import lru_cache

import jieba

from bot.knowledge import Knowledge, build_user_dictionary


@lru_cache(maxsize=4)
def _segmenter(dictionary: tuple[str, ...]) -> jieba.Tokenizer:
    # jieba reports its dictionary loading on stderr at DEBUG.
    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    for line in dictionary:
        parts = line.split()
        if parts:
            segmenter.add_word(parts[0], int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None)
    return segmenter


def words(text: str, knowledge: Knowledge) -> frozenset[str]:
    """The description's words: no punctuation, no single characters (我, 了, 的 say nothing of the matter)."""
    segmenter = _segmenter(tuple(build_user_dictionary(knowledge)))
    return _words(segmenter, text)


def words_of(texts: list[str], knowledge: Knowledge) -> list[frozenset[str]]:
    """`words` of several descriptions, the segmenter looked up once."""
    segmenter = _segmenter(tuple(build_user_dictionary(knowledge)))
    return [_words(segmenter, text) for text in texts]


def _words(segmenter: jieba.Tokenizer, text: str) -> frozenset[str]:
    normalized = unicodedata.normalize("NFKC", text).lower()
    return frozenset(w for w in segmenter.lcut_for_search(normalized)
                     if len(w) > 1 and any(ch.isalnum() for ch in w))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """0 (no word in common) to 1 (every word of the smaller set is in the other)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def similarity(first: str, second: str, knowledge: Knowledge) -> float:
    """How alike two descriptions are: the `overlap` of their words."""
    return overlap(words(first, knowledge), words(second, knowledge))
