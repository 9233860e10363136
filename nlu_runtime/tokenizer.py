"""Jieba tokenizer that is safe on mixed Chinese/Latin text and folds full-width characters."""

from __future__ import annotations

import unicodedata
from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class ChineseTokenizer(JiebaTokenizer):
    """JiebaTokenizer without whitespace tokens, with NFKC-folded token text.

    Jieba emits whitespace as tokens between Chinese and Latin text ("建行 ccb"), which
    breaks DIET's sparse feature shapes (Rasa issue 7910). Citizens type full-width
    letters and digits (ＣＣＢ, ７天) as often as half-width ones; folding the token text
    lets both share features, while the offsets keep pointing into the original text so
    entity spans stay exact.
    """

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        import jieba

        text = message.get(attribute)
        tokens = [
            Token(unicodedata.normalize("NFKC", word), start, end)
            for word, start, end in jieba.tokenize(text)
            if word.strip()
        ]
        if not tokens:
            # Rasa needs at least one token per message; an all-blank text keeps one.
            tokens = [Token(text, 0, len(text))] if text else []
        return self._apply_token_pattern(tokens)
