"""The classifier used by commands: cleans text, asks the model, interprets the answer."""

from __future__ import annotations

from dataclasses import replace
from types import TracebackType

from bot.knowledge import Knowledge, get_knowledge
from bot.nlu.interpret import Interpretation, blank, interpret
from bot.nlu.text import clean_text, has_content
from bot.nlu.worker import NluWorker
from bot.settings import Settings


class Classifier:
    """Classifies single messages with the trained model; starts the model host on first use."""

    def __init__(self, settings: Settings, *, knowledge: Knowledge | None = None,
                 worker: NluWorker | None = None) -> None:
        self._settings = settings
        self._knowledge = knowledge or get_knowledge()
        self._worker = worker
        self._started = False

    def __enter__(self) -> Classifier:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def worker(self) -> NluWorker:
        """The model host, started lazily so that blank input never needs a model."""
        if self._worker is None:
            self._worker = NluWorker(self._settings)
        if not self._started:
            self._worker.start()
            self._started = True
        return self._worker

    def classify(self, text: str) -> Interpretation:
        """Interpret one message; `text` in the result is the message as received."""
        cleaned = clean_text(text)
        if not cleaned or not has_content(cleaned):
            return blank(text)
        parse = self.worker.parse(cleaned[: self._settings.nlu_max_chars])
        result = interpret(cleaned, parse, self._knowledge)
        return replace(result, text=text)

    def close(self) -> None:
        """Stop the model host if it was started."""
        if self._worker is not None:
            self._worker.close()
        self._started = False
