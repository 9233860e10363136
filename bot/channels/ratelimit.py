"""Per-citizen flood protection: at most N messages in any sliding window of W seconds."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from enum import Enum


class Verdict(Enum):
    allowed = "allowed"
    refused = "refused"  # over the limit: tell the citizen (once per window)
    refused_quietly = "refused_quietly"  # over the limit, and already told


class SlidingWindowLimiter:
    """Counts accepted messages per key over the last `window` seconds.

    Refused messages are not counted, so a citizen who keeps sending is served again as soon as the
    window has room; they are told once per window that their messages are not being read.
    """

    def __init__(self, limit: int, window: float = 60.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be at least 1 and window positive")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[Hashable, deque[float]] = {}
        self._told: dict[Hashable, float] = {}

    def hit(self, key: Hashable) -> Verdict:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._told.pop(key, None)
            return Verdict.allowed
        told = self._told.get(key)
        if told is not None and told > now - self.window:
            return Verdict.refused_quietly
        self._told[key] = now
        return Verdict.refused

    def forget_idle(self) -> None:
        """Drop keys with no message in the current window (bounded memory over many citizens)."""
        horizon = self._clock() - self.window
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= horizon]:
            del self._hits[key]
            self._told.pop(key, None)
