"""Jieba tokenizer over the normalised message, safe on mixed Chinese/Latin text."""

from __future__ import annotations

import hashlib
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


def _read_misspellings(config: Dict[Text, Any]) -> Dict[str, str]:
    """The misspellings `sbk nlu build` wrote from knowledge/vocabulary.yml; an error naming the file if unreadable."""
    path = config.get("misspellings_path")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"ChineseTokenizer: cannot read the misspellings file {path} ({exc}); "
                         "run `sbk nlu build` to write it from knowledge/vocabulary.yml") from exc
    if not (isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items())):
        raise ValueError(f"ChineseTokenizer: {path} is not a JSON object of misspelling → word")
    return data


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
    misspellings (knowledge/vocabulary.yml, the file `misspellings_path` names) and pinyin-only
    messages, whose lexicon is learned from the training examples' words. Token offsets point
    into the original text, so entity spans stay exact. Jieba's whitespace tokens are dropped:
    they break DIET's sparse feature shapes (Rasa issue 7910).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**JiebaTokenizer.get_default_config(), "misspellings_path": None}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The generated files' contents: a changed dictionary or misspelling retrains the tokenizer."""
        digest = hashlib.sha256()
        files = []
        if config.get("dictionary_path"):
            files += sorted(p for p in Path(config["dictionary_path"]).glob("*") if p.is_file())
        if config.get("misspellings_path"):
            files.append(Path(config["misspellings_path"]))
        for path in files:
            digest.update(path.name.encode("utf-8") + b"\0" + (path.read_bytes() if path.is_file() else b""))
        return digest.hexdigest()

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 lexicon: Optional[Dict[str, str]] = None, misspellings: Optional[Dict[str, str]] = None) -> None:
        super().__init__(config, model_storage, resource)
        self._lexicon = lexicon or {}
        self._misspellings = misspellings if misspellings is not None else _read_misspellings(config)
        self._normalise = Normaliser(misspellings=self._misspellings, pinyin_lexicon=self._lexicon)

    def train(self, training_data: TrainingData) -> Resource:
        import jieba

        # The lexicon is learned from the words of the text as normalised without it.
        plain = Normaliser(misspellings=self._misspellings)
        words = [w for ex in training_data.training_examples if ex.get(TEXT)
                 for w in jieba.lcut(plain(ex.get(TEXT)).text)]
        self._lexicon = pinyin_lexicon(words)
        self._normalise = Normaliser(misspellings=self._misspellings, pinyin_lexicon=self._lexicon)
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
            # The model carries its misspellings: it is read the same wherever it is loaded.
            (directory / _NORMALISATION).write_text(
                json.dumps({"pinyin": self._lexicon, "misspellings": self._misspellings}, ensure_ascii=False),
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
        return cls(config, model_storage, resource, lexicon=data.get("pinyin"), misspellings=data.get("misspellings"))
