"""jieba user dictionary built from the knowledge base.

jieba's default dictionary splits 建行李村支行 as 建/行李/村/支行 and 农商行 as 农/商行, which
hides banks and outlets from entity extraction. Listing the names of banks, outlets, districts
and card terms with a high frequency makes jieba keep them whole.
"""

from __future__ import annotations

from pathlib import Path

from .knowledge import Knowledge

# jieba picks the segmentation with the highest product of word probabilities. The default
# dictionary's common words run into the hundreds of thousands (的 ≈ 300 000) but the pairs that
# compete with our names are rare (行李 891, 商行 ≈ 400), so a frequency well above those is
# enough; much higher would let short aliases (中行, 市南) swallow characters of ordinary words.
NAME_FREQ = 20000
TERM_FREQ = 10000

BANK_TAG = "nt"  # organisation
OUTLET_TAG = "nt"
DISTRICT_TAG = "ns"  # place name


def build_user_dictionary(knowledge: Knowledge) -> list[str]:
    """Lines "word freq tag" for jieba.load_userdict / Rasa's JiebaTokenizer dictionary_path."""
    entries: dict[str, tuple[int, str]] = {}

    def add(word: str, freq: int, tag: str) -> None:
        word = word.strip()
        if not word or any(ch.isspace() for ch in word):
            return  # jieba's dictionary format cannot hold spaces inside a word
        for variant in dict.fromkeys((word, word.lower())):
            entries.setdefault(variant, (freq, tag))

    for bank in knowledge.banks:
        for name in bank.names:
            add(name, NAME_FREQ, BANK_TAG)
        for outlet in bank.outlets.items:
            add(outlet.name, NAME_FREQ, OUTLET_TAG)
    for district in knowledge.districts:
        for name in district.names:
            add(name, NAME_FREQ, DISTRICT_TAG)
    for term in knowledge.vocabulary.terms:
        add(term.word, TERM_FREQ, term.tag)
    return [f"{word} {freq} {tag}" for word, (freq, tag) in entries.items()]


def write_user_dictionary(path: Path | str, knowledge: Knowledge | None = None) -> Path:
    """Write the dictionary (UTF-8, one entry a line) and return its path."""
    if knowledge is None:
        from .loader import get_knowledge

        knowledge = get_knowledge()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(build_user_dictionary(knowledge)) + "\n", encoding="utf-8")
    return path
