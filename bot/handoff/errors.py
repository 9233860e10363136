"""Errors of the handoff queue: refusals with a code and parameters (knowledge/errors.yml says them)."""

from bot.knowledge.catalogue import Refusal


class HandoffError(Refusal):
    """A step on a handoff that is refused."""


class HandoffNotFound(HandoffError):
    """No such handoff."""


class HandoffClosed(HandoffError):
    """The handoff has ended: nothing more can be sent in it."""


class TakenByAnother(HandoffError):
    """Another operator is serving this citizen."""


class ReplyRejected(HandoffError):
    """The operator's reply is empty or too long; nothing was stored or sent."""
