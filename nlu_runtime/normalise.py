"""What a citizen typed, brought to the one form the models learn from.

Citizens type traditional characters (社保卡遺失), full-width forms (ＣＣＢ, ７天), homophone
misspellings of the card's words (社报卡, 挂师) and, on a phone without a Chinese keyboard, pinyin
only (shebaoka zenme guashi). The tokenizer applies `normalise` to training examples and to
served messages alike, so both are seen the same way.

Every character of the normalised text remembers which character of the original it came from
(`Normalised.origin`), so tokens and entity spans still point into what the citizen wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

_CJK = re.compile(r"[\u3400-\u9fff]")
# Letters, with the spaces between syllables or words that some type and others leave out.
_LATIN_RUN = re.compile(r"[a-z]+(?:\s+[a-z]+)*")
# A pinyin word longer than this is not looked up whole (the lexicon's longest keys are shorter).
_LONGEST_KEY = 24


@dataclass(frozen=True)
class Normalised:
    """The normalised text and, for each of its characters, the index of its original character."""

    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of normalised characters [start, end)."""
        if start >= end:
            at = self.origin[start] if start < len(self.origin) else (self.origin[-1] + 1 if self.origin else 0)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def _fold(text: str) -> Normalised:
    # NFKC turns full-width letters, digits and punctuation into their usual forms; one original
    # character may become several (㈱ → (株)), each remembering where it came from.
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for folded in unicodedata.normalize("NFKC", ch).lower():
            chars.append(folded)
            origin.append(i)
    return Normalised("".join(chars), tuple(origin))


def _simplify(n: Normalised) -> Normalised:
    if not _CJK.search(n.text):
        return n
    converter = _to_simplified()
    whole = converter.convert(n.text)
    if len(whole) == len(n.text):
        return Normalised(whole, n.origin)
    # A phrase conversion changed the length: convert character by character to keep the map.
    return Normalised("".join(converter.convert(ch) if len(converter.convert(ch)) == 1 else ch for ch in n.text),
                      n.origin)


def _replace(n: Normalised, spans: Iterable[tuple[int, int, str]]) -> Normalised:
    """Replace non-overlapping spans [start, end) of the normalised text, keeping the map."""
    chars: list[str] = []
    origin: list[int] = []
    pos = 0
    for start, end, new in spans:
        chars.append(n.text[pos:start])
        origin.extend(n.origin[pos:start])
        chars.append(new)
        if len(new) == end - start:
            origin.extend(n.origin[start:end])
        else:  # every new character points at the start of what it replaced
            origin.extend([n.origin[start]] * len(new))
        pos = end
    chars.append(n.text[pos:])
    origin.extend(n.origin[pos:])
    return Normalised("".join(chars), tuple(origin))


class Normaliser:
    """Folding, simplification, the card words' misspellings and pinyin, in that order."""

    def __init__(self, *, misspellings: Mapping[str, str] | None = None,
                 pinyin_lexicon: Mapping[str, str] | None = None) -> None:
        self.misspellings = dict(misspellings or {})
        self.pinyin_lexicon = dict(pinyin_lexicon or {})
        self._misspelt = (re.compile("|".join(re.escape(w) for w in sorted(self.misspellings, key=len, reverse=True)))
                          if self.misspellings else None)

    def __call__(self, text: str) -> Normalised:
        n = _simplify(_fold(text))
        if self._misspelt is not None:
            n = _replace(n, ((m.start(), m.end(), self.misspellings[m.group()]) for m in self._misspelt.finditer(n.text)))
        if self.pinyin_lexicon and not _CJK.search(n.text):
            n = self._from_pinyin(n)
        return n

    def _segment(self, word: str) -> list[str] | None:
        """The fewest lexicon words that spell `word` in pinyin, or None."""
        best: list[list[str] | None] = [None] * (len(word) + 1)
        best[0] = []
        for end in range(1, len(word) + 1):
            for start in range(max(0, end - _LONGEST_KEY), end):
                head = best[start]
                hanzi = self.pinyin_lexicon.get(word[start:end])
                if head is not None and hanzi is not None and (best[end] is None or len(head) + 1 < len(best[end])):
                    best[end] = head + [hanzi]
        return best[len(word)]

    def _from_pinyin(self, n: Normalised) -> Normalised:
        runs = list(_LATIN_RUN.finditer(n.text))
        converted = [(m, self._segment("".join(m.group().split()))) for m in runs]
        letters = sum(len(m.group()) for m in runs)
        understood = sum(len(m.group()) for m, words in converted if words)
        # English shares a few syllables with pinyin (a, an, ban): only a message that reads as
        # pinyin almost throughout is taken for pinyin.
        if not letters or understood < 0.8 * letters:
            return n
        return _replace(n, ((m.start(), m.end(), "".join(words)) for m, words in converted if words))


def pinyin_lexicon(words: Iterable[str]) -> dict[str, str]:
    """Toneless pinyin → the most frequent Chinese word spelled so, from words seen in training."""
    from pypinyin import lazy_pinyin

    counts = Counter(w for w in words if w and all(_CJK.match(ch) for ch in w))
    lexicon: dict[str, str] = {}
    for word, _ in counts.most_common():  # most frequent first: it keeps an ambiguous spelling
        key = "".join(lazy_pinyin(word)).replace("ü", "v")
        if len(key) <= _LONGEST_KEY:
            lexicon.setdefault(key, word)
    return lexicon
