"""What the ingestion of conversation events refuses."""

from __future__ import annotations


class OutcomeError(Exception):
    """Base of the conversation outcomes' errors."""


class InvalidEvent(OutcomeError):
    """A broker message that is not a Rasa event: the consumer sets it aside (rejected, not requeued)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
