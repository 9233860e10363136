"""Jieba tokenizer over the normalised message, safe on mixed Chinese/Latin text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_runtime.normalise import Normaliser, pinyin_lexicon

# The normalised text, for the components after the tokenizer (features, the encoder).
NORMALISED_TEXT = "normalised_text"
_DICTIONARY = "jieba"
_NORMALISATION = "normalisation.json"


def normalised_text(message: Message) -> str:
    """The message's normalised text (its plain text where no tokenizer normalised it)."""
    return message.get(NORMALISED_TEXT) or message.get(TEXT) or ""


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class ChineseTokenizer(JiebaTokenizer):
    """JiebaTokenizer over `nlu_runtime.normalise`, without whitespace tokens.

    Normalising here, in the one component both training and serving pass through, keeps them
    seeing messages alike: traditional characters, full-width forms, the card words'
    misspellings (config `misspellings`) and pinyin-only messages, whose lexicon is learned from
    the training examples' words. Token offsets point into the original text, so entity spans
    stay exact. Jieba's whitespace tokens are dropped: they break DIET's sparse feature shapes
    (Rasa issue 7910).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**JiebaTokenizer.get_default_config(), "misspellings": {}}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 lexicon: Optional[Dict[str, str]] = None) -> None:
        super().__init__(config, model_storage, resource)
        self._lexicon = lexicon or {}
        self._normalise = Normaliser(misspellings=config.get("misspellings"), pinyin_lexicon=self._lexicon)

    def train(self, training_data: TrainingData) -> Resource:
        import jieba

        plain = Normaliser(misspellings=self._config.get("misspellings"))
        words = [w for ex in training_data.training_examples if ex.get(TEXT)
                 for w in jieba.lcut(plain(ex.get(TEXT)).text)]
        self._lexicon = pinyin_lexicon(words)
        self._normalise = Normaliser(misspellings=self._config.get("misspellings"), pinyin_lexicon=self._lexicon)
        self.persist()
        return self._resource

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        import jieba

        text = message.get(attribute)
        if not text:
            return []
        normalised = self._normalise(text)
        if attribute == TEXT:
            message.set(NORMALISED_TEXT, normalised.text)
        tokens = []
        for word, start, end in jieba.tokenize(normalised.text):
            if word.strip():
                begin, finish = normalised.span(start, end)
                tokens.append(Token(word, begin, finish))
        if not tokens:
            # Rasa needs at least one token per message; an all-blank text keeps one.
            tokens = [Token(text, 0, len(text))]
        return self._apply_token_pattern(tokens)

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            if self._config["dictionary_path"] is not None:
                self._copy_files_dir_to_dir(self._config["dictionary_path"], str(directory / _DICTIONARY))
            (directory / _NORMALISATION).write_text(json.dumps({"pinyin": self._lexicon}, ensure_ascii=False),
                                                    encoding="utf-8")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> ChineseTokenizer:
        try:
            with model_storage.read_from(resource) as directory:
                if (Path(directory) / _DICTIONARY).is_dir():
                    cls._load_custom_dictionary(str(Path(directory) / _DICTIONARY))
                data = json.loads((Path(directory) / _NORMALISATION).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, lexicon=data.get("pinyin"))
