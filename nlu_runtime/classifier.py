"""Intent classifiers: Rasa's logistic regression with `C` exposed, and the cascade over the sentence encoder."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.linear_model import LogisticRegression

from nlu_runtime.encoder import SentenceEncoder
from nlu_runtime.tokenizer import normalised_text


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class TunedLogisticRegressionClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier with `C` exposed.

    Rasa fixes scikit-learn's default C=1.0, which over-regularises L2-normalised TF-IDF
    features of short messages: the classifier then leans on class priors and confuses
    intents that share few but decisive characters (收费 asked vs. 收费 complained about).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))


def calibrate(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Temperature scaling (Guo et al., 2017): softmax(log p / T), row by row.

    A logistic regression with balanced class weights over 35 intents spreads its probability:
    below 1, the temperature sharpens it. The order of the intents never changes, only how sure
    the model says it is; `sbk nlu calibrate` fits the temperature on the development set.
    """
    if temperature == 1.0:
        return probabilities
    logits = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=1, keepdims=True)


def _column_major(model: Optional[LogisticRegression]) -> Optional[LogisticRegression]:
    """The same model with its coefficients stored column by column.

    scikit-learn scores a message as `X @ coef_.T`; for a sparse X, scipy wants the dense operand in
    row order and otherwise copies it whole, which for the n-gram vocabulary times 35 intents was about
    a tenth of the Rasa server's CPU per message (BENCHMARKS.md). Stored column by column, `coef_.T` is
    already in row order and nothing is copied; every number is the same.
    """
    if model is not None and hasattr(model, "coef_"):
        model.coef_ = np.asfortranarray(model.coef_)
    return model


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class CascadeIntentClassifier(GraphComponent, IntentClassifier):
    """Character n-grams first; the sentence encoder only for the messages they are unsure of.

    Two logistic regressions share the character features: one on them alone, one on them
    beside the message's e5 embedding. Most messages are clear from their characters and are
    answered at once; below `embed_below` the message is embedded and the second model decides.
    Measured on the development set, the cascade keeps the whole gain of embedding every
    message while embedding about one message in six (BENCHMARKS.md, the encoder A/B).
    """

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 20.0, "max_iter": 2000, "embedding_weight": 1.0, "embed_below": 0.6, "temperature": 1.0,
                "max_chars": 64, "cache_path": None, RANKING_LENGTH: LABEL_RANKING_LENGTH}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not 0.0 <= float(config["embed_below"]) <= 1.0:
            raise ValueError("CascadeIntentClassifier needs 0 <= embed_below <= 1")
        if not float(config.get("temperature", 1.0)) > 0.0:
            raise ValueError("CascadeIntentClassifier needs temperature > 0")

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 characters: Optional[LogisticRegression] = None, combined: Optional[LogisticRegression] = None
                 ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._characters = _column_major(characters)
        self._combined = _column_major(combined)
        cache = self.config["cache_path"]
        # Loaded when the model is, so a missing engine stops the server at start, not at a
        # citizen's first message.
        self._encoder = SentenceEncoder(max_chars=int(self.config["max_chars"]),
                                        cache_path=Path(cache) if cache else None)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CascadeIntentClassifier:
        return cls(config, model_storage, resource)

    def _regression(self) -> LogisticRegression:
        return LogisticRegression(C=float(self.config["C"]), max_iter=int(self.config["max_iter"]),
                                  class_weight="balanced", random_state=42)

    @staticmethod
    def _characters_of(messages: List[Message]) -> csr_matrix:
        return vstack([csr_matrix(m.get_sparse_features(TEXT)[1].features) for m in messages]).tocsr()

    def _with_embeddings(self, characters: csr_matrix, messages: List[Message], *, cached: bool = True
                         ) -> csr_matrix:
        dense = self._encoder.embed([normalised_text(m) for m in messages], cached=cached)
        dense *= float(self.config["embedding_weight"])
        return hstack([characters, csr_matrix(dense)]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        labels = [e.get(INTENT) for e in examples]
        characters = self._characters_of(examples)
        self._characters = _column_major(self._regression().fit(characters, labels))
        self._combined = _column_major(self._regression().fit(self._with_embeddings(characters, examples), labels))
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        # A citizen's message is never written to the training cache (it may hold a phone or ID
        # number, and a write per message would cost a reply its time).
        return self._classify(messages, cached=False)

    def _classify(self, messages: List[Message], *, cached: bool) -> List[Message]:
        scored = [m for m in messages if m.get_sparse_features(TEXT)[1] is not None]
        if self._characters is None or self._combined is None or not scored:
            return messages
        characters = self._characters_of(scored)
        probabilities = self._characters.predict_proba(characters)
        unsure = [i for i, p in enumerate(probabilities) if p.max() < float(self.config["embed_below"])]
        if unsure:
            subset = [scored[i] for i in unsure]
            probabilities[unsure] = self._combined.predict_proba(
                self._with_embeddings(characters[unsure], subset, cached=cached))
        # The cascade decides on the character model's own probability; only what is reported is
        # calibrated, so the thresholds downstream read a confidence that matches how often it is right.
        probabilities = calibrate(probabilities, float(self.config["temperature"]))
        for message, p in zip(scored, probabilities):
            ranking = sorted(({"name": str(k), "confidence": float(v)} for k, v in zip(self._characters.classes_, p)),
                             key=lambda e: -e["confidence"])
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._classify(training_data.training_examples, cached=True)
        return training_data

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump({"characters": self._characters, "combined": self._combined}, directory / "cascade.skops")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> CascadeIntentClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / "cascade.skops"
                models = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, characters=models["characters"], combined=models["combined"])
