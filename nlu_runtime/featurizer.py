"""Character n-gram TF-IDF features over the whole message, not token by token."""

from __future__ import annotations

import json
import unicodedata
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_runtime.tokenizer import normalised_text

FILENAME = "char_ngrams.json"


def _fold(text: str) -> str:
    # Full-width and half-width forms, upper and lower case, spaces: none changes the meaning.
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class CharNgramFeaturizer(SparseFeaturizer, GraphComponent):
    """Sublinear TF-IDF of character n-grams of the message text.

    Rasa's CountVectorsFeaturizer builds character n-grams inside each token. Chinese has no
    spaces, and jieba splits unfamiliar or mistyped phrases (挂师, 社报卡, 李沧九水) in ways
    that cut the very n-grams that carry the meaning; n-grams across the whole message keep
    them. Sentence features come from the whole text, sequence features from each token.
    """

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SparseFeaturizer.get_default_config(), "min_ngram": 1, "max_ngram": 3, "min_df": 1}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not 1 <= config["min_ngram"] <= config["max_ngram"]:
            raise ValueError("CharNgramFeaturizer needs 1 <= min_ngram <= max_ngram")

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, vocabulary: Optional[Dict[str, int]] = None,
                 idf: Optional[List[float]] = None) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._vocabulary = vocabulary
        self._idf = np.asarray(idf) if idf is not None else None
        self._counter: Optional[CountVectorizer] = None
        if vocabulary is not None:
            self._counter = self._count_vectorizer(vocabulary)

    def _count_vectorizer(self, vocabulary: Dict[str, int]) -> CountVectorizer:
        return CountVectorizer(analyzer="char", preprocessor=_fold, vocabulary=vocabulary,
                               ngram_range=(self._config["min_ngram"], self._config["max_ngram"]))

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CharNgramFeaturizer:
        return cls(config, model_storage, resource, execution_context)

    def train(self, training_data: TrainingData) -> Resource:
        texts = [normalised_text(m) for m in training_data.training_examples if m.get(TEXT)]
        fitted = TfidfVectorizer(analyzer="char", preprocessor=_fold, sublinear_tf=True,
                                 min_df=self._config["min_df"],
                                 ngram_range=(self._config["min_ngram"], self._config["max_ngram"]))
        fitted.fit(texts)
        self._vocabulary = {k: int(v) for k, v in fitted.vocabulary_.items()}
        self._idf = fitted.idf_
        self._counter = self._count_vectorizer(self._vocabulary)
        self.persist()
        return self._resource

    def _tfidf(self, texts: List[str]) -> scipy.sparse.coo_matrix:
        assert self._counter is not None and self._idf is not None
        counts = self._counter.transform(texts).astype(np.float64)
        counts.data = 1.0 + np.log(counts.data)
        weighted = counts.multiply(self._idf.reshape(1, -1))
        return normalize(weighted.tocsr()).tocoo()

    def _process_message(self, message: Message) -> None:
        text = normalised_text(message)
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not text or not tokens or self._counter is None:
            return
        self.add_features_to_message(
            sequence=self._tfidf([t.text for t in tokens]),
            sentence=self._tfidf([text]),
            attribute=TEXT,
            message=message,
        )

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process_message(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def persist(self) -> None:
        if self._vocabulary is None or self._idf is None:
            return
        with self._model_storage.write_to(self._resource) as path:
            (path / FILENAME).write_text(
                json.dumps({"vocabulary": self._vocabulary, "idf": self._idf.tolist()}, ensure_ascii=False),
                encoding="utf-8")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> CharNgramFeaturizer:
        try:
            with model_storage.read_from(resource) as path:
                data = json.loads((path / FILENAME).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, execution_context,
                   vocabulary=data["vocabulary"], idf=data["idf"])
