"""Errors of the handoff queue: each says, in Chinese, what was wrong so the console can show it as is."""


class HandoffError(Exception):
    """A step on a handoff that is refused."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HandoffNotFound(HandoffError):
    """No such handoff."""


class HandoffClosed(HandoffError):
    """The handoff has ended: nothing more can be sent in it."""


class TakenByAnother(HandoffError):
    """Another operator is serving this citizen."""


class ReplyRejected(HandoffError):
    """The operator's reply is empty or too long; nothing was stored or sent."""
